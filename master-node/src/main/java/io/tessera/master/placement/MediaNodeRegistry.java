package io.tessera.master.placement;

import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.LoadReport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
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
 */
public final class MediaNodeRegistry {

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

            Map<String, MediaNodeState> nodes = new HashMap<>();
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
                        nodes.put(report.nodeId(), new MediaNodeState(report, now, !unreachable.contains(address),
                                previous == null ? now : previous.firstSeenMillis()));
                        view.publish(nodes);
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
                        view.publish(nodes);
                        return Behaviors.same();
                    })
                    .onAnyMessage(other -> Behaviors.same())
                    .build();
        });
    }

    private static void setReachable(Map<String, MediaNodeState> nodes, Address address, boolean reachable) {
        nodes.replaceAll((id, n) -> n.report().manager().path().address().equals(address)
                ? new MediaNodeState(n.report(), n.receivedAtMillis(), reachable, n.firstSeenMillis()) : n);
    }
}
