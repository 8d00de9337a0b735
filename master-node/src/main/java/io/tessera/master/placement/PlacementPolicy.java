package io.tessera.master.placement;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the media node for a new session: the least loaded available node, where a node's load is the
 * number of sessions in its last report plus the sessions this master placed on it within the recent
 * window (which the report may not show yet, so that a burst of creations does not all land on one node).
 * Ties go to fewer participants, then lower CPU, then node id, so the choice is deterministic.
 */
public final class PlacementPolicy {
    private final long recentWindowMillis;
    /** Placement instants per node, oldest first; bounded by the window and by {@link #MAX_REMEMBERED}. */
    private final Map<String, Deque<Long>> recent = new HashMap<>();
    private static final int MAX_REMEMBERED = 10_000;

    public PlacementPolicy(long recentWindowMillis) {
        this.recentWindowMillis = recentWindowMillis;
    }

    /** Picks a node among {@code candidates} and remembers the placement. Empty when there is none. */
    public synchronized Optional<MediaNodeState> place(List<MediaNodeState> candidates, long nowMillis) {
        Optional<MediaNodeState> chosen = candidates.stream()
                .min(Comparator.<MediaNodeState>comparingInt(n -> score(n, nowMillis))
                        .thenComparingInt(n -> n.report().participants())
                        .thenComparingDouble(n -> n.report().cpu())
                        .thenComparing(MediaNodeState::id));
        chosen.ifPresent(n -> remember(n.id(), nowMillis));
        return chosen;
    }

    /** Records a placement chosen by someone else (an explicit mediaNode.id). */
    public synchronized void remember(String nodeId, long nowMillis) {
        Deque<Long> instants = recent.computeIfAbsent(nodeId, id -> new ArrayDeque<>());
        instants.addLast(nowMillis);
        if (instants.size() > MAX_REMEMBERED) {
            instants.removeFirst();
        }
    }

    synchronized int score(MediaNodeState node, long nowMillis) {
        Deque<Long> instants = recent.get(node.id());
        int recentCount = 0;
        if (instants != null) {
            while (!instants.isEmpty() && nowMillis - instants.peekFirst() > recentWindowMillis) {
                instants.removeFirst();
            }
            // Placements the node had already counted when it sent its report are in its session count.
            recentCount = (int) instants.stream().filter(t -> t > node.report().timestampMillis()).count();
        }
        return node.report().sessions() + recentCount;
    }
}
