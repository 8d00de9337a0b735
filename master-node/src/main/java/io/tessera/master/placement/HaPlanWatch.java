package io.tessera.master.placement;

import io.tessera.common.protocol.MediaNodeStatus;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.webhook.WebhookEvent;
import io.tessera.master.webhook.Webhooks;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * The HA plan, checked every {@link #EVERY}: whether the running media nodes can still place every {@code protected}
 * session after the failures asked for ({@link HaPlan}); an {@code ALERT} (log and webhook) when they can no longer,
 * unless the pool shrank only because an operator drained or stopped nodes. A child of the failover singleton
 * ({@link MediaFailover}), which tells it of nodes that leave on purpose.
 */
final class HaPlanWatch {

    interface Command {
    }

    /** Media node {@code nodeId} left or started leaving on purpose ({@code how}: "left", "draining"). */
    record Departed(String nodeId, String how) implements Command {
    }

    /** The drain of media node {@code nodeId} was called off: a later loss of it is a loss again. */
    record Returned(String nodeId) implements Command {
    }

    private enum Evaluate implements Command { INSTANCE }

    private record PlanRead(List<SessionRecord> sessions, Throwable error) implements Command {
    }

    static final Duration EVERY = Duration.ofSeconds(5);
    private static final int MAX_DEPARTED = 1000;

    static Behavior<Command> create(Routes routing, MediaNodes nodes, int failuresToTolerate, Webhooks webhooks) {
        return create(routing, nodes, failuresToTolerate, webhooks, EVERY);
    }

    /** Checking {@code every} (tests that need many checks). */
    static Behavior<Command> create(Routes routing, MediaNodes nodes, int failuresToTolerate, Webhooks webhooks,
                                    Duration every) {
        return Behaviors.setup(ctx -> {
            // Named, not found from the stack: a first log line from a timer's message was named ActorCell.
            ctx.setLoggerName(HaPlanWatch.class);
            return Behaviors.withTimers(timers -> {
                timers.startTimerWithFixedDelay(Evaluate.INSTANCE, every);
                return new HaPlanWatch(routing, nodes, failuresToTolerate, webhooks, ctx).behavior();
            });
        });
    }

    private final Routes routing;
    private final MediaNodes nodes;
    private final int failuresToTolerate;
    private final Webhooks webhooks;
    private final ActorContext<Command> ctx;
    private boolean overcommitted;
    /** The media nodes of the last plan, to tell a pool that shrank on purpose from one that lost a node. */
    private Set<String> planNodes = Set.of();
    /** Media nodes that left or were drained on purpose (bounded: most recent {@link #MAX_DEPARTED} kept). */
    private final LinkedHashMap<String, String> departedOnPurpose = new LinkedHashMap<>();

    private HaPlanWatch(Routes routing, MediaNodes nodes, int failuresToTolerate, Webhooks webhooks,
                        ActorContext<Command> ctx) {
        this.routing = routing;
        this.nodes = nodes;
        this.failuresToTolerate = failuresToTolerate;
        this.webhooks = webhooks;
        this.ctx = ctx;
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Departed.class, departed -> {
                    departed(departed.nodeId(), departed.how());
                    return Behaviors.same();
                })
                .onMessage(Returned.class, returned -> {
                    departedOnPurpose.remove(returned.nodeId());
                    return Behaviors.same();
                })
                .onMessageEquals(Evaluate.INSTANCE, () -> {
                    ctx.pipeToSelf(routing.allSessions(), PlanRead::new);
                    return Behaviors.same();
                })
                .onMessage(PlanRead.class, this::onPlanRead)
                .build();
    }

    private void departed(String nodeId, String how) {
        departedOnPurpose.remove(nodeId);
        departedOnPurpose.put(nodeId, how);
        if (departedOnPurpose.size() > MAX_DEPARTED) {
            departedOnPurpose.remove(departedOnPurpose.keySet().iterator().next());
        }
    }

    private Behavior<Command> onPlanRead(PlanRead read) {
        if (read.error() != null) {
            return Behaviors.same();
        }
        List<MediaNodeState> available = nodes.available();
        HaPlan.Plan plan = HaPlan.plan(available, read.sessions(), failuresToTolerate);
        Set<String> current = new HashSet<>(available.stream().map(MediaNodeState::id).toList());
        // Back in service (a later loss of it is a loss again) only once it comes back after a plan without it: a
        // node the operator just drained is still in the plan until its own report says so, and dropping it then
        // made its stop, moments later, an alert (WebhookContractTest).
        departedOnPurpose.keySet().removeIf(id -> current.contains(id) && !planNodes.contains(id));
        nodes.all().stream().filter(n -> MediaNodeStatus.DRAINING.wireName().equals(n.report().status()))
                .forEach(n -> departed(n.id(), "draining"));
        Set<String> gone = new HashSet<>(planNodes);
        gone.removeAll(current);
        // The pool shrank only because an operator drained or stopped nodes: an expected consequence, not an alert.
        boolean onPurpose = !gone.isEmpty() && departedOnPurpose.keySet().containsAll(gone);
        planNodes = current;
        if (plan.overcommitted() != overcommitted) {
            overcommitted = plan.overcommitted();
            if (overcommitted && onPurpose) {
                ctx.getLog().info("the media nodes can survive {} failure(s), {} asked, after {} left on purpose; "
                        + "no alert for a planned departure", plan.maxFailuresToTolerate(), plan.failuresToTolerate(),
                        gone);
            } else if (overcommitted) {
                webhooks.publish(WebhookEvent.haOvercommitted(plan.failuresToTolerate(), plan.maxFailuresToTolerate()));
                ctx.getLog().error("ALERT overcommitted: the media nodes can survive {} failure(s) with every protected "
                        + "session placed, {} asked ({} protected sessions, {} free places on {} nodes)",
                        plan.maxFailuresToTolerate(), plan.failuresToTolerate(), plan.protectedSessions(),
                        plan.freeCapacity(), plan.mediaNodes());
            } else {
                ctx.getLog().info("no longer overcommitted: {} failure(s) tolerated, {} asked",
                        plan.maxFailuresToTolerate(), plan.failuresToTolerate());
            }
        }
        return Behaviors.same();
    }
}
