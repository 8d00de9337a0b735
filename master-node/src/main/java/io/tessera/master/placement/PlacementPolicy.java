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
 * A {@code protected} session goes first to the node with the fewest protected sessions (counted the same way), so
 * that they spread over the nodes and one failure takes as few of them as possible: those are the sessions whose
 * recovery the HA plan promises, and fewer per node means each failure's recovery finishes sooner.
 */
public final class PlacementPolicy {
    private final long recentWindowMillis;
    /** Placement instants per node, oldest first; bounded by the window and by {@link #MAX_REMEMBERED}. */
    private final Map<String, Deque<Long>> recent = new HashMap<>();
    /** The same for protected sessions only. */
    private final Map<String, Deque<Long>> recentProtected = new HashMap<>();
    private static final int MAX_REMEMBERED = 10_000;

    public PlacementPolicy(long recentWindowMillis) {
        this.recentWindowMillis = recentWindowMillis;
    }

    /** Picks a node among {@code candidates} for a session that is not protected, and remembers the placement. */
    public Optional<MediaNodeState> place(List<MediaNodeState> candidates, long nowMillis) {
        return place(candidates, nowMillis, false);
    }

    /** Picks a node among {@code candidates} and remembers the placement. Empty when there is none. */
    public synchronized Optional<MediaNodeState> place(List<MediaNodeState> candidates, long nowMillis,
                                                       boolean protectedSession) {
        Comparator<MediaNodeState> byLoad = Comparator.<MediaNodeState>comparingInt(n -> score(n, nowMillis))
                .thenComparingInt(n -> n.report().participants())
                .thenComparingDouble(n -> n.report().cpu())
                .thenComparing(MediaNodeState::id);
        Optional<MediaNodeState> chosen = candidates.stream().min(protectedSession
                ? Comparator.<MediaNodeState>comparingInt(n -> protectedScore(n, nowMillis)).thenComparing(byLoad)
                : byLoad);
        chosen.ifPresent(n -> remember(n.id(), nowMillis, protectedSession));
        return chosen;
    }

    /** Records a placement chosen by someone else (an explicit mediaNode.id, a recovery). */
    public void remember(String nodeId, long nowMillis) {
        remember(nodeId, nowMillis, false);
    }

    /** Records a placement chosen by someone else, protected or not. */
    public synchronized void remember(String nodeId, long nowMillis, boolean protectedSession) {
        add(recent, nodeId, nowMillis);
        if (protectedSession) {
            add(recentProtected, nodeId, nowMillis);
        }
    }

    private static void add(Map<String, Deque<Long>> placements, String nodeId, long nowMillis) {
        Deque<Long> instants = placements.computeIfAbsent(nodeId, id -> new ArrayDeque<>());
        instants.addLast(nowMillis);
        if (instants.size() > MAX_REMEMBERED) {
            instants.removeFirst();
        }
    }

    synchronized int score(MediaNodeState node, long nowMillis) {
        return node.report().sessions() + recentNotReported(recent, node, nowMillis);
    }

    synchronized int protectedScore(MediaNodeState node, long nowMillis) {
        return node.report().protectedSessions() + recentNotReported(recentProtected, node, nowMillis);
    }

    private int recentNotReported(Map<String, Deque<Long>> placements, MediaNodeState node, long nowMillis) {
        Deque<Long> instants = placements.get(node.id());
        if (instants == null) {
            return 0;
        }
        while (!instants.isEmpty() && nowMillis - instants.peekFirst() > recentWindowMillis) {
            instants.removeFirst();
        }
        // Placements the node had already counted when it sent its report are in its counts.
        return (int) instants.stream().filter(t -> t > node.report().timestampMillis()).count();
    }
}
