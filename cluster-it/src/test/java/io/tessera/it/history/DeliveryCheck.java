package io.tessera.it.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Invariant (b): every acknowledged {@code sendMessage} is delivered to each intended recipient that stayed in the
 * session (joined before it was sent, never left); a refused one is delivered to nobody; none reaches a participant it
 * was not sent to. An indeterminate one may or may not arrive; that it arrives at most once, and an acknowledged one
 * no more than once, is {@link AppliedOnceCheck}'s part.
 */
final class DeliveryCheck {
    static final String NAME = "acknowledged delivered, refused not";

    private DeliveryCheck() {
    }

    static List<Violation> check(List<HistoryEntry> entries) {
        Map<String, HistoryEntry.Completed> completions = new HashMap<>();
        Map<String, List<HistoryEntry.Joined>> joinsByClient = new HashMap<>();
        Map<String, List<HistoryEntry.Left>> leavesByClient = new HashMap<>();
        Map<String, List<HistoryEntry.EventReceived>> deliveriesByKey = new HashMap<>();
        for (HistoryEntry e : entries) {
            if (e instanceof HistoryEntry.Completed c) {
                completions.put(c.client() + "#" + c.opId(), c);
            } else if (e instanceof HistoryEntry.Joined j) {
                joinsByClient.computeIfAbsent(j.client(), k -> new ArrayList<>()).add(j);
            } else if (e instanceof HistoryEntry.Left l) {
                leavesByClient.computeIfAbsent(l.client(), k -> new ArrayList<>()).add(l);
            } else if (e instanceof HistoryEntry.EventReceived ev && "sendMessage".equals(ev.method())
                    && ev.key() != null) {
                deliveriesByKey.computeIfAbsent(ev.key(), k -> new ArrayList<>()).add(ev);
            }
        }
        List<Violation> violations = new ArrayList<>();
        for (HistoryEntry e : entries) {
            if (!(e instanceof HistoryEntry.Invoked inv) || !"sendMessage".equals(inv.operation())) {
                continue;
            }
            HistoryEntry.Completed done = completions.get(inv.client() + "#" + inv.opId());
            Outcome outcome = done == null ? Outcome.INDETERMINATE : done.outcome();
            HistoryEntry.Joined sender = latestJoinBefore(joinsByClient.get(inv.client()), inv.index());
            List<HistoryEntry.EventReceived> deliveries = deliveriesByKey.getOrDefault(inv.key(), List.of()).stream()
                    .filter(d -> sender == null || d.from() == null || d.from().equals(sender.connectionId()))
                    .toList();
            List<HistoryEntry> shown = new ArrayList<>();
            shown.add(inv);
            if (done != null) {
                shown.add(done);
            }
            Map<String, HistoryEntry.Joined> intended = intendedRecipients(inv, sender, joinsByClient);
            if (outcome == Outcome.FAILED && !deliveries.isEmpty()) {
                List<HistoryEntry> evidence = new ArrayList<>(shown);
                evidence.addAll(deliveries);
                violations.add(new Violation(NAME, inv.client() + "'s sendMessage '" + inv.key()
                        + "' was refused yet delivered " + deliveries.size() + " time(s)", evidence));
            }
            Set<String> deliveredTo = new HashSet<>();
            for (HistoryEntry.EventReceived d : deliveries) {
                deliveredTo.add(d.client());
                if (!intended.containsKey(d.client()) && sender != null) {
                    List<HistoryEntry> evidence = new ArrayList<>(shown);
                    evidence.add(d);
                    violations.add(new Violation(NAME, inv.client() + "'s sendMessage '" + inv.key()
                            + "' reached " + d.client() + ", which it was not sent to", evidence));
                }
            }
            if (outcome != Outcome.OK) {
                continue;
            }
            intended.forEach((client, join) -> {
                boolean stayed = join.index() < inv.index() && leavesByClient.getOrDefault(client, List.of()).stream()
                        .noneMatch(l -> l.index() > join.index());
                if (stayed && !deliveredTo.contains(client)) {
                    List<HistoryEntry> evidence = new ArrayList<>(shown);
                    evidence.add(join);
                    violations.add(new Violation(NAME, inv.client() + "'s sendMessage '" + inv.key()
                            + "' was acknowledged but never delivered to " + client + " (" + join.connectionId()
                            + "), which stayed in the session", evidence));
                }
            });
        }
        return violations;
    }

    /** Who the message is for, by client: its {@code to} list's connections, or everyone in the sender's session. */
    private static Map<String, HistoryEntry.Joined> intendedRecipients(HistoryEntry.Invoked inv,
            HistoryEntry.Joined sender, Map<String, List<HistoryEntry.Joined>> joinsByClient) {
        Map<String, HistoryEntry.Joined> intended = new HashMap<>();
        joinsByClient.forEach((client, joins) -> {
            for (HistoryEntry.Joined j : joins) {
                boolean addressed = inv.recipients().isEmpty()
                        ? sender != null && sender.sessionId().equals(j.sessionId())
                        : inv.recipients().contains(j.connectionId());
                if (addressed) {
                    intended.put(client, j);
                }
            }
        });
        return intended;
    }

    private static HistoryEntry.Joined latestJoinBefore(List<HistoryEntry.Joined> joins, long index) {
        HistoryEntry.Joined latest = null;
        for (HistoryEntry.Joined j : joins == null ? List.<HistoryEntry.Joined>of() : joins) {
            if (j.index() < index || latest == null) {
                latest = j;
            }
        }
        return latest;
    }
}
