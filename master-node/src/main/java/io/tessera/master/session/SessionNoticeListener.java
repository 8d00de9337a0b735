package io.tessera.master.session;

import io.tessera.common.cluster.SharedTopics;
import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.ParticipantActivated;
import io.tessera.common.protocol.ClusterTopics.ParticipantRemoved;
import io.tessera.common.protocol.ClusterTopics.SessionEnded;
import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.ClusterTopics.SessionNotices;
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
import io.tessera.common.cluster.ClusterFanout;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Applies what media nodes report about their sessions to the routing table: a connection becomes active
 * when its participant joins and disappears when it leaves; a session disappears when it ends. Every
 * master hears every notice, and the updates are idempotent, so this needs no coordination and survives the
 * loss of any master.
 *
 * <p>One writer, a backstop for the others: the leader of the masters writes a notice's change at once; every other
 * master only looks, {@code backstop} later, at its own replica, and writes the change itself if it is still not
 * there (the leader died or changed, or its write is late). Before, all three masters wrote every change at once:
 * three writes, six delta merges and their digests per join and per leave, for one record
 * (docs/BENCHMARKS.md "Control plane").
 */
public final class SessionNoticeListener {
    private SessionNoticeListener() {
    }

    /** What the listener handles: the notices it hears, and its own reminders. */
    public sealed interface Command permits Heard, Recheck {
    }

    /** A media node's batch of notices, through the topic. */
    private record Heard(SessionNotices batch) implements Command {
    }

    /** Notices a follower checks again once the leader had time to apply them. */
    private record Recheck(List<SessionNotice> notices) implements Command {
    }

    /**
     * @param webhooks notices become OpenVidu's session, participant and webrtcConnection webhooks, sent by one
     *                 master only: the leader of the masters (every master sees every notice)
     * @param backstop how long a master that is not the leader waits before it applies a notice the leader's write
     *                 has not brought to its replica yet
     */
    public static Behavior<Command> create(Routes routing, Webhooks webhooks, Duration backstop) {
        return Behaviors.setup(ctx -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            BooleanSupplier leader = () -> cluster.selfMember().address()
                    .equals(cluster.state().getRoleLeader("master"));
            // Shared with the failover singleton on its master: one remote message per notice per master.
            ActorRef<ClusterFanout.Command<SessionNotices>> topic =
                    SharedTopics.get(ctx.getSystem()).topic(SessionNotices.class, ClusterTopics.SESSION_NOTICES);
            topic.tell(ClusterFanout.subscribe(ctx.messageAdapter(SessionNotices.class, Heard::new)));
            return Behaviors.receive(Command.class)
                    .onMessage(Heard.class, h -> {
                        boolean isLeader = leader.getAsBoolean();
                        if (!isLeader) {
                            // One scheduled message per batch: as many as batches arrive in one backstop window.
                            List<SessionNotice> recheck = h.batch().notices().stream()
                                    .filter(n -> !(n instanceof StreamChanged)).toList();
                            if (!recheck.isEmpty()) {
                                ctx.scheduleOnce(backstop, ctx.getSelf(), new Recheck(recheck));
                            }
                        }
                        boolean send = isLeader && webhooks.enabled();
                        for (SessionNotice notice : h.batch().notices()) {
                            heard(routing, webhooks, notice, isLeader, send);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Recheck.class, r -> {
                        r.notices().forEach(notice -> applyIfMissing(routing, notice));
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** Applies {@code notice} when {@code write} (the leader), and sends its webhook when {@code send}. */
    private static void heard(Routes routing, Webhooks webhooks, SessionNotice notice, boolean write, boolean send) {
        if (notice instanceof ParticipantActivated n) {
            if (write) {
                activate(routing, n);
            }
            // A participant that followed its session to another node (failover, drain, placement race) is the
            // same participation: no participantJoined.
            if (send && n.movedFrom() == null) {
                routing.session(n.sessionId()).thenCombine(routing.connection(n.sessionId(), n.connectionId()),
                                (session, connection) -> WebhookEvent.participantJoined(n.sessionId(),
                                        session.map(SessionRecord::createdAt).orElse(null), n.connectionId(),
                                        n.metadata(), connection.map(ConnectionRecord::serverData).orElse(null),
                                        null, n.ip(), n.platform()))
                        .thenAccept(webhooks::publish);
            }
        } else if (notice instanceof ParticipantRemoved n) {
            if (!send) {
                if (write) {
                    routing.removeConnection(n.sessionId(), n.connectionId());
                }
                return;
            }
            // Read what the webhook needs before the connection is gone.
            var session = routing.session(n.sessionId());
            var connection = routing.connection(n.sessionId(), n.connectionId());
            session.thenCombine(connection, (s, c) -> {
                webhooks.publish(WebhookEvent.participantLeft(n.sessionId(),
                        s.map(SessionRecord::createdAt).orElse(null), n.connectionId(),
                        c.map(ConnectionRecord::clientData).orElse(null),
                        c.map(ConnectionRecord::serverData).orElse(null), null,
                        c.map(ConnectionRecord::ip).orElse(null),
                        c.map(ConnectionRecord::platform).orElse(null),
                        c.map(ConnectionRecord::activeAt).orElse(null),
                        n.reason()));
                return write ? routing.removeConnection(n.sessionId(), n.connectionId()) : null;
            });
        } else if (notice instanceof SessionEnded n) {
            // A session closed through REST is announced by the master that closed it, which still had its record
            // and its participants (they are gone from the routing table by now).
            boolean announce = send && !SessionService.CLOSED_BY_SERVER.equals(n.reason());
            if (!announce) {
                if (write) {
                    routing.removeSession(n.sessionId());
                }
                return;
            }
            routing.session(n.sessionId()).thenAccept(s -> {
                webhooks.publish(WebhookEvent.sessionDestroyed(n.sessionId(),
                        s.map(SessionRecord::createdAt).orElse(null), n.reason()));
                routing.removeSession(n.sessionId());
            });
        } else if (notice instanceof StreamChanged n) {
            if (send) {
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
        }
    }

    private static void activate(Routes routing, ParticipantActivated n) {
        if (n.movedFrom() != null) {
            routing.updateConnection(n.sessionId(), n.connectionId(), c -> c.active()
                    ? c : c.activated(n.activeAt(), n.metadata(), n.platform(), n.ip()));
        } else {
            routing.updateConnection(n.sessionId(), n.connectionId(),
                    c -> c.activated(n.activeAt(), n.metadata(), n.platform(), n.ip()));
        }
    }

    /**
     * A follower's backstop: writes the notice's change only if this master's replica does not show it yet. Reads
     * are local, so a change the leader wrote is seen once its delta arrived (a fraction of a second), and nothing
     * is written twice in the normal case.
     */
    private static void applyIfMissing(Routes routing, SessionNotice notice) {
        if (notice instanceof ParticipantActivated n) {
            routing.localConnection(n.sessionId(), n.connectionId()).thenAccept(c -> {
                if (c.isPresent() && !c.get().active()) {
                    activate(routing, n);
                }
            });
        } else if (notice instanceof ParticipantRemoved n) {
            routing.localConnection(n.sessionId(), n.connectionId()).thenAccept(c -> {
                if (c.isPresent()) {
                    routing.removeConnection(n.sessionId(), n.connectionId());
                }
            });
        } else if (notice instanceof SessionEnded n) {
            routing.localSession(n.sessionId()).thenAccept(s -> {
                if (s.isPresent()) {
                    routing.removeSession(n.sessionId());
                }
            });
        }
    }
}
