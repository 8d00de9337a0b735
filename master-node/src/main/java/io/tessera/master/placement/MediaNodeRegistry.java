package io.tessera.master.placement;

import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.LoadReport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
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

    /** What the registry hears; all of it comes through message adapters. */
    public interface Command {
    }

    /** A media node's latest load report, from the cluster topic. */
    private record Reported(LoadReport report) implements Command {
    }

    /** A member became unreachable ({@code reachable} false) or reachable again. */
    private record ReachabilityChanged(Address address, boolean reachable) implements Command {
    }

    /** A member is up: a node restarted on the same host and port is a new member. */
    private record MemberUp(Address address) implements Command {
    }

    /** A member left the cluster or was removed. */
    private record MemberRemoved(Address address) implements Command {
    }

    private final MediaNodes view;
    private final Map<String, MediaNodeState> nodes = new HashMap<>();
    private final Set<Address> unreachable = new HashSet<>();
    private final Set<Address> removed = new HashSet<>();

    private MediaNodeRegistry(MediaNodes view) {
        this.view = view;
    }

    public static Behavior<Command> create(MediaNodes view) {
        return Behaviors.setup(ctx -> {
            subscribe(ctx);
            return new MediaNodeRegistry(view).behavior();
        });
    }

    private static void subscribe(ActorContext<Command> ctx) {
        ActorRef<Topic.Command<LoadReport>> topic =
                ctx.spawn(Topic.create(LoadReport.class, ClusterTopics.MEDIA_LOAD), "media-load");
        topic.tell(Topic.subscribe(ctx.messageAdapter(LoadReport.class, Reported::new)));
        Cluster cluster = Cluster.get(ctx.getSystem());
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class,
                event -> new ReachabilityChanged(event.member().address(),
                        event instanceof ClusterEvent.ReachableMember)), ClusterEvent.ReachabilityEvent.class));
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberRemoved.class,
                event -> new MemberRemoved(event.member().address())), ClusterEvent.MemberRemoved.class));
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberUp.class,
                event -> new MemberUp(event.member().address())), ClusterEvent.MemberUp.class));
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Reported.class, this::onReported)
                .onMessage(ReachabilityChanged.class, this::onReachabilityChanged)
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
        nodes.put(report.nodeId(), new MediaNodeState(report, now, !unreachable.contains(address),
                previous == null ? now : previous.firstSeenMillis()));
        view.publish(nodes);
        return Behaviors.same();
    }

    private Behavior<Command> onReachabilityChanged(ReachabilityChanged changed) {
        if (changed.reachable()) {
            unreachable.remove(changed.address());
        } else {
            unreachable.add(changed.address());
        }
        nodes.replaceAll((id, n) -> n.report().manager().path().address().equals(changed.address())
                ? new MediaNodeState(n.report(), n.receivedAtMillis(), changed.reachable(), n.firstSeenMillis()) : n);
        view.publish(nodes);
        return Behaviors.same();
    }

    private Behavior<Command> onMemberRemoved(MemberRemoved gone) {
        removed.add(gone.address());
        unreachable.remove(gone.address());
        nodes.values().removeIf(n -> n.report().manager().path().address().equals(gone.address()));
        view.publish(nodes);
        return Behaviors.same();
    }
}
