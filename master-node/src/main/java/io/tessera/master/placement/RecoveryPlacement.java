package io.tessera.master.placement;

import io.tessera.master.routing.SessionRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The placement engine of {@link MediaFailover}: the sessions that wait for a media node, in priority order
 * ({@code protected} first, then {@code best-effort}, oldest first), and the places promised to the asks in flight.
 *
 * <p>{@link #nextBatch} hands out as many sessions as there are free places and free ask slots, each on the
 * surviving node with the most room left once the batch's own earlier picks are counted, so one failure spreads
 * over every survivor instead of filling the least loaded node first, and many {@code HostSession} asks run at once
 * instead of one after the other. The order stays strict: a batch is taken from the head of the queue and stops at
 * the first session that finds no room, so a {@code best-effort} session never takes the last place ahead of a
 * {@code protected} one.
 *
 * <p>A session is placed once: it is either waiting or in flight, never both and never twice (a second failure
 * report or a drain of the same node adds nothing). Not thread-safe: owned by the failover actor.
 */
final class RecoveryPlacement {

    /** A session to place again, and why. */
    record Pending(SessionRecord session, String fromNodeId, String reason) {
        String sessionId() {
            return session.sessionId();
        }
    }

    /** One session handed to one node: ask it to host the session, then move the route. */
    record Assignment(Pending pending, MediaNodeState target) {
    }

    /** Lower is placed first. */
    static int rank(String priority) {
        return switch (priority == null ? "" : priority) {
            case "protected" -> 0;
            case "best-effort" -> 1;
            default -> 2;
        };
    }

    static final Comparator<SessionRecord> ORDER = Comparator.comparingInt((SessionRecord s) -> rank(s.priority()))
            .thenComparingLong(SessionRecord::createdAt).thenComparing(SessionRecord::sessionId);

    private final PlacementPolicy policy;
    private final int maxInFlight;
    private final TreeSet<Pending> waiting = new TreeSet<>(Comparator.comparing(Pending::session, ORDER));
    private final Set<String> queued = new HashSet<>();
    /** Sessions whose ask or route write is under way, and the node promised to each. */
    private final Map<String, String> inFlight = new HashMap<>();

    /**
     * @param maxInFlight how many sessions may be between {@code HostSession} and the route write at once (a bound on
     *                    the asks a failure sends to the survivors together)
     */
    RecoveryPlacement(PlacementPolicy policy, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        this.policy = policy;
        this.maxInFlight = maxInFlight;
    }

    /** Queues a session unless it already waits or is being placed; false when it was already there. */
    boolean add(Pending pending) {
        if (inFlight.containsKey(pending.sessionId()) || !queued.add(pending.sessionId())) {
            return false;
        }
        waiting.add(pending);
        return true;
    }

    /**
     * The next sessions to place, each with its node: from the head of the queue, while a survivor has room and
     * fewer than {@code maxInFlight} are in flight. The chosen are in flight until {@link #finished} or
     * {@link #retry}.
     */
    List<Assignment> nextBatch(List<MediaNodeState> available, long nowMillis) {
        List<Assignment> batch = new ArrayList<>();
        Map<String, Integer> promised = new HashMap<>();
        inFlight.values().forEach(node -> promised.merge(node, 1, Integer::sum));
        while (inFlight.size() < maxInFlight && !waiting.isEmpty()) {
            Pending next = waiting.first();
            Optional<MediaNodeState> target = available.stream()
                    .filter(n -> !n.id().equals(next.fromNodeId()))
                    .filter(n -> room(n, promised, nowMillis) > 0)
                    .max(Comparator.<MediaNodeState>comparingInt(n -> room(n, promised, nowMillis))
                            .thenComparing(Comparator.comparing(MediaNodeState::id).reversed()));
            if (target.isEmpty()) {
                break; // strict priority: nobody behind it goes first
            }
            waiting.pollFirst();
            queued.remove(next.sessionId());
            MediaNodeState node = target.get();
            inFlight.put(next.sessionId(), node.id());
            promised.merge(node.id(), 1, Integer::sum);
            // New sessions created meanwhile through this master see the place as taken.
            policy.remember(node.id(), nowMillis);
            batch.add(new Assignment(next, node));
        }
        return batch;
    }

    /**
     * Free places on a node: its capacity less its load. The policy's score counts the last report plus the
     * placements remembered since it (every promise made here is remembered); the reported sessions plus the promises
     * still in flight is a floor for the same count when a report and a promise share a millisecond. The larger wins.
     */
    private int room(MediaNodeState node, Map<String, Integer> promised, long nowMillis) {
        int load = Math.max(policy.score(node, nowMillis),
                node.report().sessions() + promised.getOrDefault(node.id(), 0));
        return node.report().capacity() - load;
    }

    /** The session's ask and write are over (placed, or gone from the failed node meanwhile). */
    void finished(String sessionId) {
        inFlight.remove(sessionId);
    }

    /** The ask or the write failed: the session waits again, in its place in the order. */
    void retry(Pending pending) {
        inFlight.remove(pending.sessionId());
        add(pending);
    }

    /** The first waiting session, if any. */
    Optional<Pending> firstWaiting() {
        return waiting.isEmpty() ? Optional.empty() : Optional.of(waiting.first());
    }

    List<Pending> waitingSessions() {
        return List.copyOf(waiting);
    }

    int waitingCount() {
        return waiting.size();
    }

    int inFlightCount() {
        return inFlight.size();
    }
}
