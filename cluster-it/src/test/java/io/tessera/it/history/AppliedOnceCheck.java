package io.tessera.it.history;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Invariant (c): no request applied twice. Each participant gets one message (sender, data) at most once, hears of
 * each other connection joining at most once ({@code participantJoined} per connection id), and each connection is
 * joined by one client once (a token used twice, or a join applied twice, would show here).
 */
final class AppliedOnceCheck {
    static final String NAME = "no request applied twice";

    private AppliedOnceCheck() {
    }

    static List<Violation> check(List<HistoryEntry> entries) {
        Map<String, List<HistoryEntry>> groups = new LinkedHashMap<>();
        Map<String, HistoryEntry.Invoked> messages = new LinkedHashMap<>();
        for (HistoryEntry e : entries) {
            if (e instanceof HistoryEntry.Invoked inv && "sendMessage".equals(inv.operation())) {
                messages.put(inv.key(), inv);
            } else if (e instanceof HistoryEntry.EventReceived ev && ev.key() != null
                    && "sendMessage".equals(ev.method())) {
                add(groups, ev.client() + " got message '" + ev.key() + "' from " + ev.from(), ev);
            } else if (e instanceof HistoryEntry.EventReceived ev && ev.key() != null
                    && "participantJoined".equals(ev.method())) {
                add(groups, ev.client() + " heard " + ev.key() + " join", ev);
            } else if (e instanceof HistoryEntry.Joined j) {
                add(groups, "connection " + j.connectionId() + " joined", j);
            }
        }
        List<Violation> violations = new ArrayList<>();
        groups.forEach((what, group) -> {
            if (group.size() > 1) {
                List<HistoryEntry> evidence = new ArrayList<>();
                if (group.get(0) instanceof HistoryEntry.EventReceived ev && "sendMessage".equals(ev.method())
                        && messages.containsKey(ev.key())) {
                    evidence.add(messages.get(ev.key()));
                }
                evidence.addAll(group);
                violations.add(new Violation(NAME, what + " " + group.size() + " times", evidence));
            }
        });
        return violations;
    }

    private static void add(Map<String, List<HistoryEntry>> groups, String key, HistoryEntry e) {
        groups.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
    }
}
