package io.tessera.media.session;

import io.tessera.common.cluster.MasterQuorum;
import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.DescribeSessions;
import io.tessera.common.protocol.MediaNodeProtocol.HostSession;
import io.tessera.common.protocol.MediaNodeProtocol.Join;
import io.tessera.common.protocol.MediaNodeProtocol.ReleaseSession;
import io.tessera.common.protocol.MediaNodeProtocol.SupersedeSession;
import io.tessera.common.protocol.MediaNodeProtocol.ReportInventory;
import io.tessera.common.protocol.MediaNodeProtocol.SessionDescriptor;
import io.tessera.common.protocol.MediaNodeProtocol.SetNodeStatus;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.media.engine.MediaEngine;
import io.tessera.media.fencing.MediaFence;
import io.tessera.media.webrtc.WebRtcEngine;
import io.tessera.wire.jsonrpc.ErrorCode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The media node's entry point for masters: one {@link Session} child per hosted session, created when a
 * master places a session here (or at the first join, if that placement message was lost), stopped when
 * the session ends. It knows the node's totals for load reports and enforces the session limit. It keeps what each
 * session was created with (its {@link SessionDescriptor}) and reports its sessions to a master that asks
 * ({@link ReportInventory}): masters that lost their routing table rebuild it from these inventories.
 *
 * <p>Its protocol is {@link Command}: {@link GetStats} from the node itself, and private messages that wrap what
 * arrives through its message adapters: the masters' {@link MediaNodeProtocol.Command}s (sent to
 * {@link Stats#forMasters}, the reference load reports carry; their wire form is the protocol's own) and its
 * sessions' {@link Session.Changed} counts.
 */
public final class SessionManager {

    /** What this actor handles. */
    public interface Command {
    }

    /** Asks for the node's current totals. */
    public record GetStats(ActorRef<Stats> replyTo) implements Command {
    }

    /**
     * The node's totals.
     *
     * @param forMasters where masters send their commands to this node (a message adapter of this actor)
     */
    public record Stats(int sessions, int participants, int streams, String status, long drainDeadlineMillis,
                        ActorRef<MediaNodeProtocol.Command> forMasters, int protectedSessions) {
    }

    /** A master's command, through the adapter. */
    private record FromMaster(MediaNodeProtocol.Command command) implements Command {
    }

    /** A session's new counts, or its end, through the adapter. */
    private record SessionChanged(Session.Changed changed) implements Command {
    }

    /** A member left the cluster, through the adapter: a master's participants lost their signalling with it. */
    private record MemberRemoved(ClusterEvent.MemberRemoved removed) implements Command {
    }

    public static Behavior<Command> create(Session.Settings settings, int maxSessions, ActorRef<SessionNotice> notices,
                                           MediaEngine engine, SessionMeters meters) {
        return create(settings, maxSessions, notices, engine, null, meters);
    }

    /** {@code webrtc}: the node's WebRTC engine, null when it has none. */
    public static Behavior<Command> create(Session.Settings settings, int maxSessions, ActorRef<SessionNotice> notices,
                                           MediaEngine engine, WebRtcEngine webrtc, SessionMeters meters) {
        return create(settings, maxSessions, notices, engine, webrtc, meters, new MediaFence());
    }

    /** {@code fence}: while it is closed, every master's command is refused (503) and none reaches a session. */
    public static Behavior<Command> create(Session.Settings settings, int maxSessions, ActorRef<SessionNotice> notices,
                                           MediaEngine engine, WebRtcEngine webrtc, SessionMeters meters,
                                           MediaFence fence) {
        return Behaviors.setup(ctx -> {
            if ("cluster".equals(ctx.getSystem().settings().config().getString("pekko.actor.provider"))) {
                Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
                        ctx.messageAdapter(ClusterEvent.MemberRemoved.class, MemberRemoved::new),
                        ClusterEvent.MemberRemoved.class));
            }
            return new SessionManager(settings, maxSessions, notices, engine, webrtc, meters, fence, ctx).behavior();
        });
    }

    /** Sessions answer from memory; one that takes longer is busy and left out rather than holding up the view. */
    static final Duration DESCRIBE_TIMEOUT = Duration.ofMillis(500);

    private final Session.Settings settings;
    private final int maxSessions;
    private final ActorRef<SessionNotice> notices;
    private final MediaEngine engine;
    private final WebRtcEngine webrtc;
    private final SessionMeters meters;
    private final MediaFence fence;
    private final ActorContext<Command> ctx;
    private final ActorRef<MediaNodeProtocol.Command> forMasters;
    private final ActorRef<Session.Changed> sessionChanges;
    private final Map<String, ActorRef<Session.Message>> sessions = new HashMap<>();
    private final Map<String, Session.Changed> counts = new HashMap<>();
    /** What each session was created with, as its latest placement here said (absent: placed by a join). */
    private final Map<String, SessionDescriptor> descriptors = new HashMap<>();
    /** Which joins the copies here may take, by their route's epoch; and the copies released since. */
    private final RouteEpochs routeEpochs = new RouteEpochs();
    /** How long an inventory waits for the sessions' answers. */
    private static final Duration INVENTORY_TIMEOUT = Duration.ofSeconds(3);
    /** {@code running}, or {@code draining}: masters place no new session here. */
    private String status = "running";
    /** While draining: the deadline a master gave (UTC ms), reported so that every master knows it; else 0. */
    private long drainDeadlineMillis;
    /** Names the describers of concurrent {@link DescribeSessions} requests apart. */
    private long describeRequests;

    private SessionManager(Session.Settings settings, int maxSessions, ActorRef<SessionNotice> notices,
                           MediaEngine engine, WebRtcEngine webrtc, SessionMeters meters, MediaFence fence,
                           ActorContext<Command> ctx) {
        this.fence = fence;
        this.webrtc = webrtc;
        this.meters = meters;
        this.settings = settings;
        this.maxSessions = maxSessions;
        this.notices = notices;
        this.engine = engine;
        this.ctx = ctx;
        this.forMasters = ctx.messageAdapter(MediaNodeProtocol.Command.class, FromMaster::new);
        this.sessionChanges = ctx.messageAdapter(Session.Changed.class, SessionChanged::new);
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(FromMaster.class, this::onMasterCommand)
                .onMessage(SessionChanged.class, changed -> onChanged(changed.changed()))
                .onMessage(MemberRemoved.class, removed -> onMemberRemoved(removed.removed().member()))
                .onMessage(GetStats.class, get -> {
                    int participants = counts.values().stream().mapToInt(Session.Changed::participants).sum();
                    int streams = counts.values().stream().mapToInt(Session.Changed::streams).sum();
                    int protectedSessions = (int) descriptors.values().stream()
                            .filter(d -> MediaNodeProtocol.PROTECTED.equals(d.priority())).count();
                    get.replyTo().tell(new Stats(sessions.size(), participants, streams, status, drainDeadlineMillis,
                            forMasters, protectedSessions));
                    return Behaviors.same();
                })
                .build();
    }

    /** Node status is this actor's; placement (host, join) may start a session; the rest goes to its session. */
    private Behavior<Command> onMasterCommand(FromMaster message) {
        MediaNodeProtocol.Command command = message.command();
        Optional<String> fenced = fence.refusal();
        if (fenced.isPresent()) {
            // Cut off from the masters or on its way out: its sessions run (or will run) on another node, so no
            // join, resume, publish or signal may be applied to the copies here, whoever still reaches them.
            meters.fencedCommandRefused();
            command.reject(ErrorCode.UNAVAILABLE, fenced.get());
            return Behaviors.same();
        }
        if (command instanceof SetNodeStatus set) {
            return onSetNodeStatus(set);
        }
        if (command instanceof SupersedeSession supersede) {
            if (sessions.containsKey(supersede.sessionId())) {
                routeEpochs.superseded(supersede.sessionId(), supersede.epoch(), descriptors.get(supersede.sessionId()));
            }
            return Behaviors.same();
        }
        if (command instanceof DescribeSessions || command instanceof MediaNodeProtocol.DescribeSession) {
            meters.described();
        }
        if (command instanceof DescribeSessions describe) {
            return onDescribeSessions(describe);
        }
        if (command instanceof ReportInventory report) {
            return onReportInventory(report);
        }
        if (command instanceof Join join) {
            Optional<String> stale = routeEpochs.staleJoin(join.sessionId(), join.routeEpoch(),
                    sessions.containsKey(join.sessionId()), descriptors.get(join.sessionId()));
            if (stale.isPresent()) {
                meters.staleRouteJoinRefused();
                ctx.getLog().info("join of {} refused: {}", join.participant().connectionId(), stale.get());
                join.reject(ErrorCode.CONFLICT, stale.get());
                return Behaviors.same();
            }
        } else if (command instanceof HostSession host) {
            routeEpochs.placed(host.sessionId());
        } else if (command instanceof ReleaseSession release && sessions.containsKey(release.sessionId())) {
            routeEpochs.released(release.sessionId(), descriptors.get(release.sessionId()));
        }
        Behavior<Command> next = route(command, command instanceof HostSession || command instanceof Join);
        if (command instanceof HostSession host && host.descriptor() != null && sessions.containsKey(host.sessionId())) {
            SessionDescriptor known = descriptors.get(host.sessionId());
            if (known == null || known.epoch() <= host.descriptor().epoch()) {
                descriptors.put(host.sessionId(), host.descriptor());
            }
        }
        return next;
    }

    /**
     * A master that left the cluster sends nothing more: every session detaches the participants it served (the same
     * grace window as a closed socket, then {@code networkDisconnect}). Cluster membership says it once for the node,
     * where a remote DeathWatch per participant cost a watch, an unwatch or notification, their acks and a flush.
     */
    private Behavior<Command> onMemberRemoved(Member member) {
        if (member.hasRole(MasterQuorum.MASTER_ROLE)) {
            ctx.getLog().info("master {} left the cluster; its participants in {} sessions here lose their signalling",
                    member.address(), sessions.size());
            Session.SignallingHostLost lost = new Session.SignallingHostLost(member.address());
            sessions.values().forEach(session -> session.tell(lost));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onSetNodeStatus(SetNodeStatus set) {
        if (!set.status().equals("running") && !set.status().equals("draining")) {
            set.replyTo().tell(Ack.failure(ErrorCode.BAD_REQUEST, "status must be running or draining"));
        } else {
            ctx.getLog().info("media node {} status {} -> {}", settings.mediaNodeId(), status, set.status());
            status = set.status();
            drainDeadlineMillis = "draining".equals(status) ? Math.max(0, set.drainDeadlineMillis()) : 0;
            set.replyTo().tell(Ack.success());
        }
        return Behaviors.same();
    }

    private Behavior<Command> onReportInventory(ReportInventory report) {
        Map<String, InventoryCollector.Hosted> hosted = new HashMap<>();
        sessions.forEach((id, session) -> hosted.put(id, new InventoryCollector.Hosted(descriptors.get(id), session)));
        ctx.getLog().info("reporting the inventory of {} sessions to {}", hosted.size(), report.replyTo().path().address());
        ctx.spawnAnonymous(InventoryCollector.create(settings.mediaNodeId(), hosted, report.replyTo(), INVENTORY_TIMEOUT));
        return Behaviors.same();
    }

    /** A master builds a REST view: the wanted sessions hosted here describe their media, collected by a child. */
    private Behavior<Command> onDescribeSessions(DescribeSessions describe) {
        if (describe.sessionIds() == null || describe.sessionIds().size() > DescribeSessions.MAX_DESCRIBED) {
            describe.reject(ErrorCode.BAD_REQUEST, "describe at most " + DescribeSessions.MAX_DESCRIBED + " sessions at once");
            return Behaviors.same();
        }
        Map<String, ActorRef<Session.Message>> wanted = new HashMap<>();
        for (String id : describe.sessionIds()) {
            ActorRef<Session.Message> session = sessions.get(id);
            if (session != null) {
                wanted.put(id, session);
            }
        }
        ctx.spawn(SessionsDescriber.create(settings.mediaNodeId(), wanted, describe.replyTo(), DESCRIBE_TIMEOUT),
                "describe-" + (++describeRequests));
        return Behaviors.same();
    }

    private Behavior<Command> route(MediaNodeProtocol.Command command, boolean createIfMissing) {
        ActorRef<Session.Message> session = sessions.get(command.sessionId());
        if (session == null && createIfMissing) {
            if (sessions.size() >= maxSessions) {
                meters.sessionRefused();
                command.reject(ErrorCode.UNAVAILABLE, "media node " + settings.mediaNodeId() + " hosts its maximum of "
                        + maxSessions + " sessions");
                return Behaviors.same();
            }
            session = ctx.spawn(Session.create(command.sessionId(), settings, sessionChanges, notices, engine,
                            webrtc, meters),
                    "session-" + URLEncoder.encode(command.sessionId(), StandardCharsets.UTF_8));
            sessions.put(command.sessionId(), session);
            counts.put(command.sessionId(), new Session.Changed(command.sessionId(), 0, 0, false));
            publishCounts();
        }
        if (session == null) {
            command.reject(ErrorCode.NOT_FOUND, "session " + command.sessionId() + " is not hosted on " + settings.mediaNodeId());
        } else {
            session.tell(new Session.Forwarded(command));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onChanged(Session.Changed changed) {
        if (changed.ended()) {
            ActorRef<Session.Message> session = sessions.remove(changed.sessionId());
            counts.remove(changed.sessionId());
            descriptors.remove(changed.sessionId());
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
