package io.tessera.master.fencing;

import io.tessera.master.fencing.ServingGate.Reason;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfRemoved;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Closes the {@link ServingGate} the moment this master hears from the cluster that it must stop serving: it was
 * downed, it is leaving, or it was removed; and opens it once, when the member is Up. Everything here is an event
 * (Pekko cluster membership events); coordinated shutdown closes the gate itself, in its first phase.
 */
public final class FencingMonitor {

    /** What the monitor hears, all through message adapters. */
    public interface Command {
    }

    private record BecameUp() implements Command {
    }

    private record Removed() implements Command {
    }

    private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {
    }

    private FencingMonitor() {
    }

    public static Behavior<Command> create(ServingGate gate) {
        return Behaviors.setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfUp.class, up -> new BecameUp()),
                    SelfUp.class));
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfRemoved.class,
                    removed -> new Removed()), SelfRemoved.class));
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberEvent.class,
                    MemberChanged::new), ClusterEvent.MemberEvent.class));
            UniqueAddress self = cluster.selfMember().uniqueAddress();
            return Behaviors.receive(Command.class)
                    .onMessage(BecameUp.class, up -> {
                        gate.lift(Reason.JOINING);
                        ctx.getLog().info("serving: this master is Up");
                        return Behaviors.same();
                    })
                    .onMessage(Removed.class, removed -> {
                        close(ctx, gate, Reason.DOWNED, "removed from the cluster");
                        return Behaviors.same();
                    })
                    .onMessage(MemberChanged.class, changed -> {
                        if (changed.event().member().uniqueAddress().equals(self)) {
                            onSelfChanged(ctx, gate, changed.event());
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    private static void onSelfChanged(ActorContext<Command> ctx, ServingGate gate, ClusterEvent.MemberEvent event) {
        if (event instanceof ClusterEvent.MemberDowned) {
            close(ctx, gate, Reason.DOWNED, "marked DOWN");
        } else if (event instanceof ClusterEvent.MemberLeft || event instanceof ClusterEvent.MemberExited) {
            close(ctx, gate, Reason.LEAVING, "leaving the cluster");
        }
    }

    private static void close(ActorContext<Command> ctx, ServingGate gate, Reason reason, String what) {
        if (!gate.reasons().contains(reason)) {
            ctx.getLog().warn("not serving any more: this master was {} (REST, readiness and signalling refuse)", what);
        }
        gate.close(reason);
    }
}
