package io.tessera.master.placement;

import io.tessera.master.routing.SessionRecord;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The pool's failover plan, as a hypervisor pool computes it: how many media nodes may fail at once with every
 * protected session still placeable on the survivors, given the load now.
 *
 * <p>A set F of failed nodes is survivable when the protected sessions on F fit in the free room of the others:
 * {@code sum_F protected <= sum_notF free}, i.e. {@code sum_F (protected + free) <= sum_all free}. The worst F of
 * size k is therefore the k nodes with the most {@code protected + free}, which makes the answer exact without
 * trying every subset. Best-effort sessions are not counted as needing room (they are placed if room is left);
 * they do count as taking room where they are.
 *
 * <p>Protected sessions routed to a node that is not running (draining, failed and not yet placed again) are
 * <em>pending</em>: they will need room on the running nodes whatever fails, so they take it first,
 * {@code sum_F (protected + free) <= sum_all free - pending}. Without that a drain with a deadline made the plan
 * turn overcommitted only when its sessions moved, long after the drain, where it read as an accident.
 */
public final class HaPlan {

    /** One media node as the plan sees it. */
    public record NodeLoad(String nodeId, int capacity, int sessions, int protectedSessions) {
        int free() {
            return Math.max(0, capacity - sessions);
        }
    }

    /** The plan: {@code overcommitted} when fewer failures can be tolerated than the operator asked for. */
    public record Plan(int mediaNodes, int maxFailuresToTolerate, int failuresToTolerate, boolean overcommitted,
                       int protectedSessions, int freeCapacity) {
    }

    private HaPlan() {
    }

    public static int maxFailuresToTolerate(List<NodeLoad> nodes) {
        return maxFailuresToTolerate(nodes, 0);
    }

    /**
     * With {@code pending} protected sessions still to be placed on these nodes. 0 also when not even those fit
     * (no failure is survivable then either; the wire has no lower value, and {@link Plan#overcommitted()} says it).
     */
    public static int maxFailuresToTolerate(List<NodeLoad> nodes, int pending) {
        long totalFree = nodes.stream().mapToLong(NodeLoad::free).sum() - pending;
        List<NodeLoad> worstFirst = nodes.stream()
                .sorted(Comparator.comparingLong((NodeLoad n) -> (long) n.protectedSessions() + n.free()).reversed())
                .toList();
        long lost = 0;
        int k = 0;
        for (NodeLoad node : worstFirst) {
            lost += (long) node.protectedSessions() + node.free();
            if (lost > totalFree) {
                break;
            }
            k++;
        }
        return k;
    }

    public static Plan plan(List<NodeLoad> nodes, int failuresToTolerate) {
        return plan(nodes, 0, failuresToTolerate);
    }

    /** {@code pending}: protected sessions routed to no node of {@code nodes}, which need room on them. */
    public static Plan plan(List<NodeLoad> nodes, int pending, int failuresToTolerate) {
        int max = maxFailuresToTolerate(nodes, pending);
        int free = nodes.stream().mapToInt(NodeLoad::free).sum();
        // Pending sessions without room are overcommitted even when no failure is asked for.
        return new Plan(nodes.size(), max, failuresToTolerate, max < failuresToTolerate || pending > free,
                nodes.stream().mapToInt(NodeLoad::protectedSessions).sum() + pending, free);
    }

    /** The plan for the running media nodes, with protected sessions counted from the routing table. */
    public static Plan plan(Collection<MediaNodeState> running, Collection<SessionRecord> sessions, int failuresToTolerate) {
        Map<String, Long> protectedByNode = sessions.stream().filter(s -> "protected".equals(s.priority()))
                .collect(Collectors.groupingBy(SessionRecord::mediaNodeId, Collectors.counting()));
        List<NodeLoad> loads = running.stream().map(n -> new NodeLoad(n.id(), n.report().capacity(),
                n.report().sessions(), protectedByNode.getOrDefault(n.id(), 0L).intValue())).toList();
        long placed = loads.stream().mapToLong(NodeLoad::protectedSessions).sum();
        long pending = protectedByNode.values().stream().mapToLong(Long::longValue).sum() - placed;
        return plan(loads, (int) pending, failuresToTolerate);
    }
}
