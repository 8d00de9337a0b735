package io.tessera.master.placement;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How long a media node that this master's failure detector lost, but whose process still answers its sentinel, is
 * held off from failing over. Such a node is slow, not dead: seen with 300 sessions moving onto the survivor of a
 * media node kill on a starved machine, the survivor's heartbeats came 2-3.5 s late, the failover downed it, and every
 * session of the cluster ended. Past the grace it fails over anyway (a link cut for the cluster but not for the
 * sentinel's port, or a node that stays this slow, is no better than a dead one for its clients). Counted from the
 * first answer of each incarnation until a look finds the node reachable again.
 *
 * @param <N> the node's incarnation (a cluster {@code UniqueAddress})
 */
final class SlowNodeGrace<N> {
    /** Incarnations tracked at most; beyond, the oldest entries are of nodes long gone and all are forgotten. */
    static final int MAX_TRACKED = 10_000;

    private final Duration grace;
    private final Map<N, Long> answeringSince = new HashMap<>();

    SlowNodeGrace(Duration grace) {
        this.grace = grace;
    }

    Duration grace() {
        return grace;
    }

    /** Whether {@code node}, whose process answered at {@code nowNanos}, is still within the grace. */
    boolean holdsOff(N node, long nowNanos) {
        if (grace.isZero() || grace.isNegative()) {
            return false;
        }
        if (answeringSince.size() >= MAX_TRACKED && !answeringSince.containsKey(node)) {
            answeringSince.clear();
        }
        long since = answeringSince.computeIfAbsent(node, n -> nowNanos);
        return nowNanos - since < grace.toNanos();
    }

    /** {@code node} was found reachable again: a later loss gets a grace of its own. */
    void forget(N node) {
        answeringSince.remove(node);
    }
}
