package io.tessera.media.session;

import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.MediaNodeProtocol.CloseSession;
import io.tessera.common.protocol.MediaNodeProtocol.Command;
import io.tessera.common.protocol.MediaNodeProtocol.HostSession;
import io.tessera.common.protocol.MediaNodeProtocol.Join;
import io.tessera.common.protocol.MediaNodeProtocol.Leave;
import io.tessera.common.protocol.MediaNodeProtocol.Evict;
import io.tessera.common.protocol.MediaNodeProtocol.Publish;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.ReleaseSession;
import io.tessera.common.protocol.MediaNodeProtocol.Resume;
import io.tessera.common.protocol.MediaNodeProtocol.SetNodeStatus;
import io.tessera.common.protocol.MediaNodeProtocol.Signal;
import io.tessera.common.protocol.MediaNodeProtocol.Subscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Unpublish;
import io.tessera.common.protocol.MediaNodeProtocol.Unsubscribe;
import io.tessera.media.engine.MediaEngine;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The media node's entry point for masters: one {@link Session} child per hosted session, created when a
 * master places a session here (or at the first join, if that placement message was lost), stopped when
 * the session ends. It knows the node's totals for load reports and enforces the session limit.
 *
 * Its messages are the public {@link Command}s plus {@link Session.Changed} and {@link GetStats}; the
 * reference given to masters is narrowed to {@link Command}.
 */
public final class SessionManager {

    /** Asks for the node's current totals. */
    public record GetStats(ActorRef<Stats> replyTo) {
    }

    public record Stats(int sessions, int participants, int streams, String status) {
    }

    public static Behavior<Object> create(Session.Settings settings, int maxSessions, ActorRef<SessionNotice> notices,
                                          MediaEngine engine, SessionMeters meters) {
        return Behaviors.setup(ctx -> new SessionManager(settings, maxSessions, notices, engine, meters, ctx).behavior());
    }

    private final Session.Settings settings;
    private final int maxSessions;
    private final ActorRef<SessionNotice> notices;
    private final MediaEngine engine;
    private final SessionMeters meters;
    private final ActorContext<Object> ctx;
    private final Map<String, ActorRef<Session.Message>> sessions = new HashMap<>();
    private final Map<String, Session.Changed> counts = new HashMap<>();
    /** {@code running}, or {@code draining}: masters place no new session here. */
    private String status = "running";

    private SessionManager(Session.Settings settings, int maxSessions, ActorRef<SessionNotice> notices,
                           MediaEngine engine, SessionMeters meters, ActorContext<Object> ctx) {
        this.meters = meters;
        this.settings = settings;
        this.maxSessions = maxSessions;
        this.notices = notices;
        this.engine = engine;
        this.ctx = ctx;
    }

    private Behavior<Object> behavior() {
        return Behaviors.receive(Object.class)
                .onMessage(HostSession.class, host -> route(host, true))
                .onMessage(Join.class, join -> route(join, true))
                .onMessage(Leave.class, leave -> route(leave, false))
                .onMessage(Resume.class, resume -> route(resume, false))
                .onMessage(ReleaseSession.class, release -> route(release, false))
                .onMessage(SetNodeStatus.class, set -> {
                    if (!set.status().equals("running") && !set.status().equals("draining")) {
                        set.replyTo().tell(Ack.failure(400, "status must be running or draining"));
                    } else {
                        ctx.getLog().info("media node {} status {} -> {}", settings.mediaNodeId(), status, set.status());
                        status = set.status();
                        set.replyTo().tell(Ack.success());
                    }
                    return Behaviors.same();
                })
                .onMessage(Signal.class, signal -> route(signal, false))
                .onMessage(Evict.class, evict -> route(evict, false))
                .onMessage(CloseSession.class, close -> route(close, false))
                .onMessage(Publish.class, publish -> route(publish, false))
                .onMessage(Unpublish.class, unpublish -> route(unpublish, false))
                .onMessage(Subscribe.class, subscribe -> route(subscribe, false))
                .onMessage(Unsubscribe.class, unsubscribe -> route(unsubscribe, false))
                .onMessage(Session.Changed.class, this::onChanged)
                .onMessage(GetStats.class, get -> {
                    int participants = counts.values().stream().mapToInt(Session.Changed::participants).sum();
                    int streams = counts.values().stream().mapToInt(Session.Changed::streams).sum();
                    get.replyTo().tell(new Stats(sessions.size(), participants, streams, status));
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Object> route(Command command, boolean createIfMissing) {
        ActorRef<Session.Message> session = sessions.get(command.sessionId());
        if (session == null && createIfMissing) {
            if (sessions.size() >= maxSessions) {
                meters.sessionRefused();
                command.reject(503, "media node " + settings.mediaNodeId() + " hosts its maximum of "
                        + maxSessions + " sessions");
                return Behaviors.same();
            }
            session = ctx.spawn(Session.create(command.sessionId(), settings, ctx.getSelf().narrow(), notices, engine,
                            meters),
                    "session-" + URLEncoder.encode(command.sessionId(), StandardCharsets.UTF_8));
            sessions.put(command.sessionId(), session);
            counts.put(command.sessionId(), new Session.Changed(command.sessionId(), 0, 0, false));
            publishCounts();
        }
        if (session == null) {
            command.reject(404, "session " + command.sessionId() + " is not hosted on " + settings.mediaNodeId());
        } else {
            session.tell(new Session.Forwarded(command));
        }
        return Behaviors.same();
    }

    private Behavior<Object> onChanged(Session.Changed changed) {
        if (changed.ended()) {
            ActorRef<Session.Message> session = sessions.remove(changed.sessionId());
            counts.remove(changed.sessionId());
            if (session != null) {
                ctx.stop(session);
            }
        } else if (sessions.containsKey(changed.sessionId())) {
            counts.put(changed.sessionId(), changed);
        }
        publishCounts();
        return Behaviors.same();
    }

    /** The node's totals for the metrics gauges (read by scrapes on other threads). */
    private void publishCounts() {
        meters.sessions.set(sessions.size());
        meters.participants.set(counts.values().stream().mapToInt(Session.Changed::participants).sum());
        meters.streams.set(counts.values().stream().mapToInt(Session.Changed::streams).sum());
    }
}
