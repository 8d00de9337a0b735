package io.tessera.master.placement;

import io.tessera.common.protocol.ClusterSerializable;
import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.LoadReport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import io.tessera.common.cluster.ClusterFanout;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Keeps this master's view of the media nodes from their load reports and from cluster membership, and
 * publishes it to {@link MediaNodes} after every change. A node that becomes unreachable is at once no
 * longer placeable; a node that leaves the cluster is forgotten.
 *
 * <p>A status an operator sets ({@link SetStatus}, sent to every master's registry by {@link NodeStatusBroadcast}
 * before {@code PATCH /media-nodes} answers) takes effect here at once, ahead of the node's load reports: reports
 * sent before the change still name the old status, so the new one holds until a report agrees with it (or for
 * {@link #OVERRIDE_LIFETIME_MILLIS}, after which the node's own report is the truth again).
 */
public final class MediaNodeRegistry {

    /** What the registry hears: {@link SetStatus} from masters, the rest through message adapters. */
    public interface Command {
    }

    /** Every master's registry, so that a status change reaches each placement before the PATCH answers. */
    public static final ServiceKey<SetStatus> KEY = ServiceKey.create(SetStatus.class, "media-node-registry");

    /** Long enough for a few load reports (one a second) to confirm the status, short enough to heal a race. */
    static final long OVERRIDE_LIFETIME_MILLIS = 10_000;

    /**
     * Place nothing more on {@code nodeId} ({@code draining}, until {@code drainDeadlineMillis}), or again
     * ({@code running}, deadline 0); answered once applied.
     */
    public record SetStatus(String nodeId, String status, long drainDeadlineMillis, ActorRef<StatusApplied> replyTo)
            implements Command, ClusterSerializable {
    }

    public record StatusApplied(String nodeId, String status) implements ClusterSerializable {
    }

    /** A status set by an operator that the node's reports have not confirmed yet. */
    private record Override(String status, long drainDeadlineMillis, long setAtMillis) {
        boolean confirmedBy(LoadReport report) {
            return status.equals(report.status()) && drainDeadlineMillis == report.drainDeadlineMillis();
        }
    }

    /** A media node's latest load report, from the cluster topic. */
    private record Reported(LoadReport report) implements Command {
    }

    /** The cluster's reachability verdict on some member changed: judge every node again from here. */
    private enum ReachabilityChanged implements Command { INSTANCE }

    /** A member is up: a node restarted on the same host and port is a new member. */
    private record MemberUp(Address address) implements Command {
    }

    /** A member left the cluster or was removed. */
    private record MemberRemoved(Address address) implements Command {
    }

    /** Re-judges every node's reachability this often: an event comes only when the cluster's verdict changes. */
    private static final java.time.Duration RECHECK = java.time.Duration.ofMillis(500);

    private enum Recheck implements Command { INSTANCE }

    private final MediaNodes view;
    private final java.util.function.Predicate<Address> reachableFromHere;
    private final Map<String, MediaNodeState> nodes = new HashMap<>();
    private final Map<String, Override> overrides = new HashMap<>();
    private final Set<Address> removed = new HashSet<>();

    private MediaNodeRegistry(MediaNodes view, java.util.function.Predicate<Address> reachableFromHere) {
        this.view = view;
        this.reachableFromHere = reachableFromHere;
    }

    public static Behavior<Command> create(MediaNodes view) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            subscribe(ctx);
            ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf().narrow()));
            timers.startTimerWithFixedDelay(Recheck.INSTANCE, RECHECK);
            org.apache.pekko.cluster.Cluster classic = org.apache.pekko.cluster.Cluster.get(
                    org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(ctx.getSystem()));
            return new MediaNodeRegistry(view, address -> reachableFromHere(classic, address)).behavior();
        }));
    }

    /**
     * Whether this master hears the member at {@code address}: its own failure detector, or the cluster's verdict for
     * a member it does not monitor. Not the cluster's unreachable set alone: that is the union of every member's
     * observations, so a master cut off from the media nodes (or whose links flap) would make every other master stop
     * placing on nodes they hear perfectly well (found by {@code UnstableLinkTest}; the media failover judges the same
     * way, {@code MediaNodeLossWatch.unreachableFromHere}).
     */
    static boolean reachableFromHere(org.apache.pekko.cluster.Cluster classic, Address address) {
        if (classic.failureDetector().isMonitoring(address)) {
            return classic.failureDetector().isAvailable(address);
        }
        return classic.state().getUnreachable().stream().noneMatch(m -> m.address().equals(address));
    }

    private static void subscribe(ActorContext<Command> ctx) {
        ActorRef<ClusterFanout.Command<LoadReport>> topic =
                ctx.spawn(ClusterFanout.create(LoadReport.class, ClusterTopics.MEDIA_LOAD), "media-load");
        topic.tell(ClusterFanout.subscribe(ctx.messageAdapter(LoadReport.class, Reported::new)));
        Cluster cluster = Cluster.get(ctx.getSystem());
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class,
                event -> ReachabilityChanged.INSTANCE), ClusterEvent.ReachabilityEvent.class));
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberRemoved.class,
                event -> new MemberRemoved(event.member().address())), ClusterEvent.MemberRemoved.class));
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberUp.class,
                event -> new MemberUp(event.member().address())), ClusterEvent.MemberUp.class));
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Reported.class, this::onReported)
                .onMessage(SetStatus.class, this::onSetStatus)
                .onMessageEquals(ReachabilityChanged.INSTANCE, this::recheck)
                .onMessageEquals(Recheck.INSTANCE, this::recheck)
                .onMessage(MemberUp.class, up -> {
                    removed.remove(up.address()); // its reports count again
                    return Behaviors.same();
                })
                .onMessage(MemberRemoved.class, this::onMemberRemoved)
                .build();
    }

    private Behavior<Command> onReported(Reported reported) {
        LoadReport report = reported.report();
        Address address = report.manager().path().address();
        if (removed.contains(address)) {
            return Behaviors.same(); // a late report from a node that already left
        }
        MediaNodeState previous = nodes.get(report.nodeId());
        long now = System.currentTimeMillis();
        Override override = overrides.get(report.nodeId());
        LoadReport effective = report;
        if (override != null) {
            if (override.confirmedBy(report) || now - override.setAtMillis() > OVERRIDE_LIFETIME_MILLIS) {
                overrides.remove(report.nodeId()); // confirmed (or stale): the node's word again
            } else {
                // a report sent before the change
                effective = report.withStatus(override.status(), override.drainDeadlineMillis());
            }
        }
        nodes.put(report.nodeId(), new MediaNodeState(effective, now, reachableFromHere.test(address),
                previous == null ? now : previous.firstSeenMillis()));
        view.publish(nodes);
        return Behaviors.same();
    }

    private Behavior<Command> onSetStatus(SetStatus set) {
        overrides.put(set.nodeId(), new Override(set.status(), set.drainDeadlineMillis(), System.currentTimeMillis()));
        nodes.computeIfPresent(set.nodeId(), (id, n) -> new MediaNodeState(
                n.report().withStatus(set.status(), set.drainDeadlineMillis()), n.receivedAtMillis(), n.reachable(),
                n.firstSeenMillis()));
        view.publish(nodes); // placement reads the new view from here on
        set.replyTo().tell(new StatusApplied(set.nodeId(), set.status()));
        return Behaviors.same();
    }

    /** Judges every known node's reachability again from here; publishes only when something changed. */
    private Behavior<Command> recheck() {
        boolean changed = false;
        for (Map.Entry<String, MediaNodeState> e : nodes.entrySet()) {
            MediaNodeState n = e.getValue();
            boolean reachable = reachableFromHere.test(n.report().manager().path().address());
            if (reachable != n.reachable()) {
                e.setValue(new MediaNodeState(n.report(), n.receivedAtMillis(), reachable, n.firstSeenMillis()));
                changed = true;
            }
        }
        if (changed) {
            view.publish(nodes);
        }
        return Behaviors.same();
    }

    private Behavior<Command> onMemberRemoved(MemberRemoved gone) {
        removed.add(gone.address());
        nodes.values().removeIf(n -> n.report().manager().path().address().equals(gone.address()));
        overrides.keySet().retainAll(nodes.keySet());
        view.publish(nodes);
        return Behaviors.same();
    }
}
