package io.tessera.master.rebuild;

import io.tessera.master.routing.Routes;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who writes the rebuilt routes, and when a master that leaves it to another is done waiting. One master restores
 * (three writing the same records at once overloaded a 2-core machine at 10 000 sessions: docs/BENCHMARKS.md); the
 * others compare their own replica with the inventories until the restored routes reached them by replication.
 */
final class Restorer {
    private Restorer() {
    }

    /** A cluster member as the choice sees it; the caller lists them oldest first (Pekko's age ordering). */
    record Candidate(String address, boolean master, boolean up, boolean reachable) {
    }

    /**
     * The restorer: the oldest master that is Up and reachable from here. Every master makes the same choice from the
     * same membership, the oldest stays the oldest while it lives (a master that becomes Up later is younger, so the
     * choice does not move when the others join), and it is the master the media-failover singleton runs on. Chosen
     * once per round; see {@link #stillUp} for when a waiting master looks for another.
     */
    static Optional<String> choose(List<Candidate> oldestFirst) {
        return oldestFirst.stream().filter(c -> c.master() && c.up() && c.reachable()).map(Candidate::address)
                .findFirst();
    }

    /**
     * Whether the chosen restorer is still an Up master. Only then does a waiting master keep waiting for it without
     * looking for another: an unreachable restorer may be only slow (a master starting on busy cores misses heartbeats
     * for a second or two; taking over then made two masters restore at once, 1000 sessions in RoutingRebuildBenchmark),
     * and if it is really stuck, no route arriving for {@code restorer-stall} makes the waiter restore anyway.
     */
    /**
     * The Up media nodes a round did not ask for their inventories: while any is left, the table may lack their
     * sessions, and the round does not count as a rebuild (the media failover stays off until one does).
     */
    static Set<String> notAsked(Set<String> upMediaNodes, Set<String> asked) {
        Set<String> left = new TreeSet<>(upMediaNodes);
        left.removeAll(asked);
        return left;
    }

    /**
     * Whether a round started now would ask every Up media node: each is reachable and has reported (its report names
     * the session manager to ask). A round that could not ask some waits for this, not for {@code retry-after}.
     */
    static boolean allAskable(Set<String> upMediaNodes, Set<String> reachable, Set<String> reported) {
        return reachable.containsAll(upMediaNodes) && reported.containsAll(upMediaNodes);
    }

    static boolean stillUp(String restorer, List<Candidate> members) {
        return members.stream().anyMatch(c -> c.master() && c.up() && c.address().equals(restorer));
    }

    /** How many of {@code routes} this replica holds fully: the session, and its connections if routed to that node. */
    static int present(List<InventoryMerge.Route> routes, Routes.LocalIds local) {
        int present = 0;
        for (InventoryMerge.Route route : routes) {
            String node = local.sessionNodes().get(route.record().sessionId());
            if (node == null) {
                continue;
            }
            // A session the masters routed elsewhere keeps their route, and the restorer adds no connection to it.
            if (!node.equals(route.record().mediaNodeId()) || route.participants().stream()
                    .allMatch(p -> local.connectionIds().contains(p.connectionId()))) {
                present++;
            }
        }
        return present;
    }

    /** What a waiting master does next. */
    enum Next { DONE, WAIT, RESTORE }

    /**
     * {@code DONE} when this replica holds every route; else {@code RESTORE} when this master became the restorer
     * (the former one is no Up master any more) or no route arrived for {@code stall} (the restorer is stuck,
     * unreachable, or its restore failed); else {@code WAIT}.
     */
    static Next next(int present, int expected, boolean selfIsRestorer, Duration sinceProgress, Duration stall) {
        if (present >= expected) {
            return Next.DONE;
        }
        if (selfIsRestorer || sinceProgress.compareTo(stall) >= 0) {
            return Next.RESTORE;
        }
        return Next.WAIT;
    }
}
