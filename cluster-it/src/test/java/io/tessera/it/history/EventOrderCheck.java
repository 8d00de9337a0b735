package io.tessera.it.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Invariant (a): each participant gets its session's events with {@code seq} 1, 2, 3... after its join's {@code seq},
 * across resumes: no gap, no duplicate, nothing out of order. Events without a seq (socket notices such as
 * {@code masterLeaving}) are not part of the sequence. A new join starts a new sequence at the join's seq.
 */
final class EventOrderCheck {
    static final String NAME = "events in order, exactly once";

    private EventOrderCheck() {
    }

    static List<Violation> check(List<HistoryEntry> entries) {
        // The join's result may be recorded after the first events (they can arrive before it): the first join of a
        // client gives its starting seq whatever the order; later joins restart the sequence where they are recorded.
        Map<String, HistoryEntry.Joined> firstJoin = new HashMap<>();
        for (HistoryEntry e : entries) {
            if (e instanceof HistoryEntry.Joined j) {
                firstJoin.putIfAbsent(j.client(), j);
            }
        }
        Map<String, HistoryEntry> last = new HashMap<>(); // per client: the Joined or event the next seq follows
        Map<String, Long> lastSeq = new HashMap<>();
        firstJoin.forEach((client, j) -> {
            last.put(client, j);
            lastSeq.put(client, j.seq());
        });
        List<Violation> violations = new ArrayList<>();
        for (HistoryEntry e : entries) {
            if (e instanceof HistoryEntry.Joined j && firstJoin.get(j.client()) != j) {
                last.put(j.client(), j);
                lastSeq.put(j.client(), j.seq());
            } else if (e instanceof HistoryEntry.EventReceived ev && ev.seq() >= 0) {
                Long previous = lastSeq.get(ev.client());
                if (previous != null && ev.seq() != previous + 1) {
                    String kind = ev.seq() > previous + 1 ? "a gap: seq " + (previous + 1) + ".." + (ev.seq() - 1)
                            + " never came" : "seq " + ev.seq() + " again or out of order after seq " + previous;
                    violations.add(new Violation(NAME, ev.client() + " got " + ev.method() + " seq " + ev.seq()
                            + " after seq " + previous + ": " + kind, List.of(last.get(ev.client()), ev)));
                }
                if (previous == null || ev.seq() > previous) {
                    lastSeq.put(ev.client(), ev.seq());
                    last.put(ev.client(), ev);
                }
            }
        }
        return violations;
    }
}
