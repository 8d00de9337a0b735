package io.tessera.master.session;

import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.ParticipantActivated;
import io.tessera.common.protocol.ClusterTopics.ParticipantRemoved;
import io.tessera.common.protocol.ClusterTopics.SessionEnded;
import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.master.routing.Routes;
import io.tessera.common.protocol.ClusterTopics.StreamChanged;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.webhook.WebhookEvent;
import io.tessera.master.webhook.Webhooks;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
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

    /**
     * @param webhooks notices become OpenVidu's session, participant and webrtcConnection webhooks, sent by one
     *                 master only: the leader of the masters (every master sees every notice)
     */
    public static Behavior<SessionNotice> create(Routes routing, Webhooks webhooks) {
        return Behaviors.setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            java.util.function.BooleanSupplier sender = () -> webhooks.enabled() && cluster.selfMember().address()
                    .equals(cluster.state().getRoleLeader("master"));
            ActorRef<Topic.Command<SessionNotice>> topic =
                    ctx.spawn(Topic.create(SessionNotice.class, ClusterTopics.SESSION_NOTICES), "session-notices");
            topic.tell(Topic.subscribe(ctx.getSelf()));
            return Behaviors.receive(SessionNotice.class)
                    .onMessage(ParticipantActivated.class, n -> {
                        if (n.movedFrom() != null) {
                            // The participant followed its session to another node (failover, drain, placement
                            // race): the same participation, so no participantJoined, and its record (joined at,
                            // platform, ip) stays as its join made it.
                            routing.updateConnection(n.sessionId(), n.connectionId(), c -> c.active()
                                    ? c : c.activated(n.activeAt(), n.metadata(), n.platform(), n.ip()));
                            return Behaviors.same();
                        }
                        routing.updateConnection(n.sessionId(), n.connectionId(),
                                c -> c.activated(n.activeAt(), n.metadata(), n.platform(), n.ip()));
                        if (sender.getAsBoolean()) {
                            routing.session(n.sessionId()).thenCombine(routing.connection(n.sessionId(), n.connectionId()),
                                    (session, connection) -> WebhookEvent.participantJoined(n.sessionId(),
                                            session.map(SessionRecord::createdAt).orElse(null), n.connectionId(),
                                            n.metadata(), connection.map(ConnectionRecord::serverData).orElse(null),
                                            null, n.ip(), n.platform()))
                                    .thenAccept(webhooks::publish);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(ParticipantRemoved.class, n -> {
                        // Read what the webhook needs before the connection is gone.
                        var session = routing.session(n.sessionId());
                        var connection = routing.connection(n.sessionId(), n.connectionId());
                        boolean send = sender.getAsBoolean();
                        session.thenCombine(connection, (s, c) -> {
                            if (send) {
                                webhooks.publish(WebhookEvent.participantLeft(n.sessionId(),
                                        s.map(SessionRecord::createdAt).orElse(null), n.connectionId(),
                                        c.map(ConnectionRecord::clientData).orElse(null),
                                        c.map(ConnectionRecord::serverData).orElse(null), null,
                                        c.map(ConnectionRecord::ip).orElse(null),
                                        c.map(ConnectionRecord::platform).orElse(null),
                                        c.map(ConnectionRecord::activeAt).orElse(null),
                                        n.reason()));
                            }
                            return routing.removeConnection(n.sessionId(), n.connectionId());
                        });
                        return Behaviors.same();
                    })
                    .onMessage(SessionEnded.class, n -> {
                        // A session closed through REST is announced by the master that closed it, which still
                        // had its record and its participants (they are gone from the routing table by now).
                        boolean send = sender.getAsBoolean() && !SessionService.CLOSED_BY_SERVER.equals(n.reason());
                        routing.session(n.sessionId()).thenAccept(s -> {
                            if (send) {
                                webhooks.publish(WebhookEvent.sessionDestroyed(n.sessionId(),
                                        s.map(SessionRecord::createdAt).orElse(null), n.reason()));
                            }
                            routing.removeSession(n.sessionId());
                        });
                        return Behaviors.same();
                    })
                    .onMessage(StreamChanged.class, n -> {
                        if (sender.getAsBoolean()) {
                            routing.session(n.sessionId()).thenAccept(s -> {
                                Long createdAt = s.map(SessionRecord::createdAt).orElse(null);
                                WebhookEvent.Media media = new WebhookEvent.Media(n.audio(), n.video(), n.typeOfVideo(),
                                        n.frameRate(), n.videoDimensions());
                                webhooks.publish(n.created()
                                        ? WebhookEvent.webrtcConnectionCreated(n.sessionId(), createdAt, n.streamId(),
                                        n.connectionId(), n.receivingFrom(), media)
                                        : WebhookEvent.webrtcConnectionDestroyed(n.sessionId(), createdAt, n.streamId(),
                                        n.connectionId(), n.receivingFrom(), media, n.startTime(), n.reason()));
                            });
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
