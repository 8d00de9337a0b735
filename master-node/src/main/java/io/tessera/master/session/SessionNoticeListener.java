package io.tessera.master.session;

import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.ParticipantActivated;
import io.tessera.common.protocol.ClusterTopics.ParticipantRemoved;
import io.tessera.common.protocol.ClusterTopics.SessionEnded;
import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.master.routing.RoutingTable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Applies what media nodes report about their sessions to the routing table: a connection becomes active
 * when its participant joins and disappears when it leaves; a session disappears when it ends. Every
 * master applies every notice; the updates are idempotent, so this needs no coordination and survives the
 * loss of any master.
 */
public final class SessionNoticeListener {
    private SessionNoticeListener() {
    }

    public static Behavior<SessionNotice> create(RoutingTable routing) {
        return Behaviors.setup(ctx -> {
            ActorRef<Topic.Command<SessionNotice>> topic =
                    ctx.spawn(Topic.create(SessionNotice.class, ClusterTopics.SESSION_NOTICES), "session-notices");
            topic.tell(Topic.subscribe(ctx.getSelf()));
            return Behaviors.receive(SessionNotice.class)
                    .onMessage(ParticipantActivated.class, n -> {
                        routing.updateConnection(n.sessionId(), n.connectionId(),
                                c -> c.activated(n.activeAt(), n.metadata(), n.platform()));
                        return Behaviors.same();
                    })
                    .onMessage(ParticipantRemoved.class, n -> {
                        routing.removeConnection(n.sessionId(), n.connectionId());
                        return Behaviors.same();
                    })
                    .onMessage(SessionEnded.class, n -> {
                        routing.removeSession(n.sessionId());
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
