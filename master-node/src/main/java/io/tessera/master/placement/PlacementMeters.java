package io.tessera.master.placement;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tessera.master.routing.SessionRecord;
import io.tessera.wire.jsonrpc.RelocationReason;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Placement and failover meters of a master: new sessions placed (or not), media node failures and the sessions
 * moved, closed or waiting for room (counted by the failover singleton, so on one master at a time), and the HA
 * plan as this master computes it from its replica of the routing table.
 */
public final class PlacementMeters {
    private final MeterRegistry registry;
    private final AtomicInteger waiting = new AtomicInteger();
    private final Counter mediaNodeFailures;
    private final Counter closedByFailover;
    private final Counter crashesSeen;
    private final Counter slowNodesHeldOff;
    private final Counter refusedForRoom;

    /** Result of placing a new session. */
    public enum Outcome { PLACED, NO_CAPACITY, FAILED }

    public PlacementMeters(MeterRegistry registry) {
        this.registry = registry;
        for (Outcome o : Outcome.values()) {
            placement("create", o);
        }
        for (RelocationReason reason : RelocationReason.values()) {
            moved(reason.wireName());
        }
        mediaNodeFailures = Counter.builder("tessera.master.media.node.failures")
                .description("Media nodes taken for failed (unreachable or removed) by the failover coordinator")
                .register(registry);
        crashesSeen = Counter.builder("tessera.master.media.node.crashes.seen")
                .description("Media node failures found by the crash watch (process gone: sentinel connection ended,"
                        + " port refused), failed over with no fence wait")
                .register(registry);
        slowNodesHeldOff = Counter.builder("tessera.master.media.node.slow.held.off")
                .description("Times a media node the failure detector lost was not failed over because its process"
                        + " answered its sentinel (slow, not dead; within ha.slow-node-grace)")
                .register(registry);
        refusedForRoom = Counter.builder("tessera.master.placements.refused")
                .description("New sessions a media node refused for lack of room (at its max-sessions), each placed"
                        + " again on another node, or 503 no_capacity when none is left")
                .register(registry);
        closedByFailover = Counter.builder("tessera.master.failover.sessions.closed")
                .description("Sessions of a failed media node closed instead of moved (priority none)")
                .register(registry);
        Gauge.builder("tessera.master.failover.sessions.waiting", waiting, AtomicInteger::get)
                .description("Sessions of failed or drained media nodes not placed yet (waiting for room or being placed)")
                .register(registry);
    }

    private Counter placement(String kind, Outcome outcome) {
        return Counter.builder("tessera.master.placements")
                .description("Sessions placed on a media node, by kind (create) and outcome")
                .tag("kind", kind).tag("outcome", outcome.name().toLowerCase()).register(registry);
    }

    private Counter moved(String reason) {
        return Counter.builder("tessera.master.sessions.moved")
                .description("Sessions moved to another media node, by reason (nodeCrashed, drain, placementRace)")
                .tag("reason", reason).register(registry);
    }

    public void placed(Outcome outcome) {
        placement("create", outcome).increment();
    }

    /** A node refused a new session for room; it is placed again elsewhere. */
    public void refusedForRoom() {
        refusedForRoom.increment();
    }

    void sessionMoved(String reason) {
        boolean known = java.util.Arrays.stream(RelocationReason.values()).anyMatch(r -> r.wireName().equals(reason));
        moved(known ? reason : "other").increment();
    }

    void mediaNodeFailed() {
        mediaNodeFailures.increment();
    }

    void mediaNodeCrashSeen() {
        crashesSeen.increment();
    }

    void slowNodeHeldOff() {
        slowNodesHeldOff.increment();
    }

    void sessionClosed() {
        closedByFailover.increment();
    }

    void waiting(int sessions) {
        waiting.set(sessions);
    }

    /**
     * The HA plan and media node gauges, computed at scrape time from the media node view and the sessions of this
     * master's routing replica (no replicator read).
     */
    public void bindPlan(MediaNodes nodes, Supplier<Collection<SessionRecord>> sessions, int failuresToTolerate) {
        PlanCache cache = new PlanCache(nodes, sessions, failuresToTolerate);
        // Gauges hold their object weakly unless told otherwise: the cache lives only through them.
        Gauge.builder("tessera.master.ha.failures.to.tolerate", cache, c -> c.plan().failuresToTolerate())
                .strongReference(true)
                .description("Media node failures the pool must survive (tessera.master.ha.failures-to-tolerate)")
                .register(registry);
        Gauge.builder("tessera.master.ha.max.failures.to.tolerate", cache, c -> c.plan().maxFailuresToTolerate())
                .strongReference(true)
                .description("Media node failures the pool can survive now with every protected session placeable")
                .register(registry);
        Gauge.builder("tessera.master.ha.overcommitted", cache, c -> c.plan().overcommitted() ? 1 : 0)
                .strongReference(true)
                .description("1 when fewer failures can be tolerated than asked for").register(registry);
        Gauge.builder("tessera.master.ha.protected.sessions", cache, c -> c.plan().protectedSessions())
                .strongReference(true)
                .description("Sessions with priority protected").register(registry);
        Gauge.builder("tessera.master.ha.free.capacity", cache, c -> c.plan().freeCapacity())
                .strongReference(true)
                .description("Sessions the available media nodes can still take").register(registry);
        Gauge.builder("tessera.master.media.nodes.available", nodes, n -> n.available().size())
                .description("Media nodes reporting, reachable and running (placement candidates)").register(registry);
        Gauge.builder("tessera.master.media.nodes.known", nodes, n -> n.all().size())
                .description("Media nodes this master knows of, whatever their state").register(registry);
    }

    /** One plan per scrape: the five gauges above read it, computing it once a second at most. */
    private static final class PlanCache {
        private final MediaNodes nodes;
        private final Supplier<Collection<SessionRecord>> sessions;
        private final int failuresToTolerate;
        private HaPlan.Plan plan;
        private long at = Long.MIN_VALUE / 2;

        PlanCache(MediaNodes nodes, Supplier<Collection<SessionRecord>> sessions, int failuresToTolerate) {
            this.nodes = nodes;
            this.sessions = sessions;
            this.failuresToTolerate = failuresToTolerate;
        }

        synchronized HaPlan.Plan plan() {
            long now = System.nanoTime();
            if (plan == null || now - at > 1_000_000_000L) {
                plan = HaPlan.plan(nodes.available(), sessions.get(), failuresToTolerate);
                at = now;
            }
            return plan;
        }
    }
}
