package io.tessera.master.fencing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

import java.util.concurrent.CompletableFuture;

/**
 * Wires a master's fencing: the {@link ServingGate}, the {@link FencingMonitor} that closes it on cluster events and
 * keeps its lease (self-fencing, {@link FencingSettings}), and
 * coordinated shutdown's first phase, which closes it before anything slower (telling clients to move, unbinding the
 * port, leaving the cluster) runs.
 */
public final class Fencing {
    private Fencing() {
    }

    /** Call right after the actor system is created, before the node joins the cluster or binds its HTTP port. */
    public static ServingGate start(ActorSystem<?> system, MeterRegistry registry) {
        ServingGate gate = ServingGate.joining();
        FencingSettings settings = FencingSettings.fromConfig(system.settings().config());
        // The downing rule counts masters only (MasterQuorum): the lease mirrors it, so a master fences itself exactly
        // when its side is the one the masters' decider will down.
        String quorumRole = io.tessera.common.cluster.MasterQuorum.MASTER_ROLE;
        Counter selfFences = Counter.builder("tessera_master_self_fences_total")
                .description("times this master fenced itself: it had not seen the cluster's majority for "
                        + "self-fence-after")
                .register(registry);
        system.systemActorOf(FencingMonitor.create(gate, settings, quorumRole, selfFences), "fencing-monitor",
                Props.empty());
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "close-serving-gate",
                () -> {
                    gate.close(ServingGate.Reason.LEAVING);
                    return CompletableFuture.completedFuture(Done.getInstance());
                });
        Gauge.builder("tessera_master_serving", gate, g -> g.serving() ? 1 : 0)
                .description("1 while this master serves REST, readiness and signalling; 0 while it is joining, "
                        + "leaving, downed or fenced")
                .register(registry);
        return gate;
    }
}
