package io.tessera.it.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Invariant (d): a session's media is forwarded by at most one media node at a time. On sampled counters: in no
 * sampling round did two nodes' forwarding counters for one session both grow since their previous reading; and a
 * node that said it was fenced forwarded nothing afterwards. A node's counters may be up to {@code meterAge} older
 * than its fenced flag (a media node reads its engine's meters periodically), so growth is held against the fence
 * only for an interval that began that much after the node first said fenced.
 */
final class OneForwarderCheck {
    static final String NAME = "one media node forwards a session at a time";

    private OneForwarderCheck() {
    }

    static List<Violation> check(List<HistoryEntry> entries, Duration meterAge) {
        Map<String, TreeMap<Long, List<HistoryEntry.MediaSample>>> roundsBySession = new LinkedHashMap<>();
        for (HistoryEntry e : entries) {
            if (e instanceof HistoryEntry.MediaSample s) {
                roundsBySession.computeIfAbsent(s.session(), k -> new TreeMap<>())
                        .computeIfAbsent(s.round(), k -> new ArrayList<>()).add(s);
            }
        }
        List<Violation> violations = new ArrayList<>();
        roundsBySession.forEach((session, rounds) -> {
            Map<String, HistoryEntry.MediaSample> previous = new HashMap<>();
            Map<String, HistoryEntry.MediaSample> firstFenced = new HashMap<>();
            rounds.forEach((round, samples) -> {
                List<HistoryEntry> forwarders = new ArrayList<>();
                for (HistoryEntry.MediaSample now : samples) {
                    HistoryEntry.MediaSample before = previous.put(now.node(), now);
                    if (before == null || now.forwarded() <= before.forwarded()) {
                        if (now.fenced()) {
                            firstFenced.putIfAbsent(now.node(), now);
                        }
                        continue;
                    }
                    forwarders.add(before);
                    forwarders.add(now);
                    HistoryEntry.MediaSample fenced = firstFenced.get(now.node());
                    if (fenced != null && before.atNanos() - meterAge.toNanos() >= fenced.atNanos()) {
                        violations.add(new Violation(NAME, now.node() + " forwarded " + session
                                + "'s media after it said it was fenced (round " + round + ")",
                                List.of(fenced, before, now)));
                    }
                    if (now.fenced()) {
                        firstFenced.putIfAbsent(now.node(), now);
                    }
                }
                if (forwarders.size() > 2) {
                    violations.add(new Violation(NAME, (forwarders.size() / 2) + " media nodes forwarded " + session
                            + "'s media in sampling round " + round, forwarders));
                }
            });
        });
        return violations;
    }
}
