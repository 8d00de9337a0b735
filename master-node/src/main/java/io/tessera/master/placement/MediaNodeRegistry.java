package io.tessera.master.placement;

import io.tessera.common.protocol.ClusterSerializable;
import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.LoadReport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
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

    /** Every master's registry, so that a status change reaches each placement before the PATCH answers. */
    public static final ServiceKey<SetStatus> KEY = ServiceKey.create(SetStatus.class, "media-node-registry");

    /** Long enough for a few load reports (one a second) to confirm the status, short enough to heal a race. */
    static final long OVERRIDE_LIFETIME_MILLIS = 10_000;

    /** Place nothing more on {@code nodeId} ({@code draining}), or again ({@code running}); answered once applied. */
    public record SetStatus(String nodeId, String status, ActorRef<StatusApplied> replyTo)
            implements ClusterSerializable {
    }

    public record StatusApplied(String nodeId, String status) implements ClusterSerializable {
    }

    /** A status set by an operator that the node's reports have not confirmed yet. */
    private record Override(String status, long setAtMillis) {
    }

    private MediaNodeRegistry() {
    }

    public static Behavior<Object> create(MediaNodes view) {
        return Behaviors.setup(ctx -> {
            ActorRef<Topic.Command<LoadReport>> topic =
                    ctx.spawn(Topic.create(LoadReport.class, ClusterTopics.MEDIA_LOAD), "media-load");
            topic.tell(Topic.subscribe(ctx.getSelf().narrow()));
            Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
                    ClusterEvent.ReachabilityEvent.class));
            Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
                    ClusterEvent.MemberRemoved.class));
            Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
                    ClusterEvent.MemberUp.class));
            ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf().narrow()));

            Map<String, MediaNodeState> nodes = new HashMap<>();
            Map<String, Override> overrides = new HashMap<>();
            Set<Address> unreachable = new HashSet<>();
            Set<Address> removed = new HashSet<>();
            return Behaviors.receive(Object.class)
                    .onMessage(LoadReport.class, report -> {
                        Address address = report.manager().path().address();
                        if (removed.contains(address)) {
                            return Behaviors.same(); // a late report from a node that already left
                        }
                        MediaNodeState previous = nodes.get(report.nodeId());
                        long now = System.currentTimeMillis();
                        Override override = overrides.get(report.nodeId());
                        LoadReport effective = report;
                        if (override != null) {
                            if (override.status().equals(report.status())
                                    || now - override.setAtMillis() > OVERRIDE_LIFETIME_MILLIS) {
                                overrides.remove(report.nodeId()); // confirmed (or stale): the node's word again
                            } else {
                                effective = withStatus(report, override.status()); // a report sent before the change
                            }
                        }
                        nodes.put(report.nodeId(), new MediaNodeState(effective, now, !unreachable.contains(address),
                                previous == null ? now : previous.firstSeenMillis()));
                        view.publish(nodes);
                        return Behaviors.same();
                    })
                    .onMessage(SetStatus.class, set -> {
                        overrides.put(set.nodeId(), new Override(set.status(), System.currentTimeMillis()));
                        nodes.computeIfPresent(set.nodeId(), (id, n) -> new MediaNodeState(
                                withStatus(n.report(), set.status()), n.receivedAtMillis(), n.reachable(),
                                n.firstSeenMillis()));
                        view.publish(nodes); // placement reads the new view from here on
                        set.replyTo().tell(new StatusApplied(set.nodeId(), set.status()));
                        return Behaviors.same();
                    })
                    .onMessage(ClusterEvent.UnreachableMember.class, event -> {
                        unreachable.add(event.member().address());
                        setReachable(nodes, event.member().address(), false);
                        view.publish(nodes);
                        return Behaviors.same();
                    })
                    .onMessage(ClusterEvent.ReachableMember.class, event -> {
                        unreachable.remove(event.member().address());
                        setReachable(nodes, event.member().address(), true);
                        view.publish(nodes);
                        return Behaviors.same();
                    })
                    .onMessage(ClusterEvent.MemberUp.class, event -> {
                        // A node restarted on the same host and port is a new member: its reports count again.
                        removed.remove(event.member().address());
                        return Behaviors.same();
                    })
                    .onMessage(ClusterEvent.MemberRemoved.class, event -> {
                        Address address = event.member().address();
                        removed.add(address);
                        unreachable.remove(address);
                        nodes.values().removeIf(n -> n.report().manager().path().address().equals(address));
                        overrides.keySet().retainAll(nodes.keySet());
                        view.publish(nodes);
                        return Behaviors.same();
                    })
                    .onAnyMessage(other -> Behaviors.same())
                    .build();
        });
    }

    private static LoadReport withStatus(LoadReport r, String status) {
        return new LoadReport(r.nodeId(), r.manager(), r.publicAddress(), status, r.sessions(), r.participants(),
                r.streams(), r.subscriptions(), r.mediaPorts(), r.capacity(), r.cpu(), r.timestampMillis());
    }

    private static void setReachable(Map<String, MediaNodeState> nodes, Address address, boolean reachable) {
        nodes.replaceAll((id, n) -> n.report().manager().path().address().equals(address)
                ? new MediaNodeState(n.report(), n.receivedAtMillis(), reachable, n.firstSeenMillis()) : n);
    }
}
