package io.tessera.master.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.wire.log.LogSafe;
import io.tessera.common.logging.SessionMdc;
import io.tessera.common.protocol.ClusterTopics.SessionRelocated;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.ToSignalling;
import io.tessera.master.fencing.ServingGate;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.medianode.MediaNodeClient.Accepted;
import io.tessera.master.medianode.MediaNodeClient.Rejected;
import io.tessera.master.session.ApiError;
import io.tessera.master.session.SessionService;
import io.tessera.master.views.SignallingViews;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.wire.jsonrpc.JsonRpc;
import io.tessera.wire.jsonrpc.OpenViduEvent;
import io.tessera.wire.jsonrpc.OpenViduResult;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One client's WebSocket on this master: joins it to its session on the media node, and turns the session's
 * numbered events into JSON-RPC notifications. When the socket closes while the participant is in a session (this
 * actor stops), it tells the media node ({@code SignallingClosed}); when this master dies, the node learns it from
 * cluster membership. Either way the participant is kept for the grace window and then announced as gone. What each request does is in {@link SignallingHandler}; this class holds the states:
 * {@link #awaitingJoin()} -> {@link #joining} (a join or a resume in flight) -> {@link #joined} <->
 * {@link #relocating} (following its session to another media node) -> {@link #awaitingJoin()} after leaving.
 *
 * <p>Its protocol is {@link ToSignalling}: the media node's {@link ParticipantEvent}s and this actor's own
 * {@link Command}s.
 */
public final class ClientConnection {

    /** What this actor is told by its socket, its master and itself. */
    public interface Command extends ToSignalling {
    }

    /** A complete text message from the client. */
    public record Inbound(String text) implements Command {
    }

    /** A message that was over the size limit; it was read and dropped. */
    public enum InboundTooLarge implements Command { INSTANCE }

    /** A binary message, which the protocol does not use. */
    public enum InboundBinary implements Command { INSTANCE }

    /** The socket is gone. */
    public enum SocketClosed implements Command { INSTANCE }

    /**
     * This master stops serving: tell the client to resume elsewhere ({@code masterLeaving} with {@code reason}), then
     * close its socket.
     */
    public record MasterLeaving(String reason, String message) implements Command {
        /** Coordinated shutdown: scale-in, upgrade, SIGTERM, or the cluster downed it. */
        public static final MasterLeaving SHUTDOWN = new MasterLeaving("shutdown",
                "this master is shutting down: reconnect through another master and resume");
        /** Self-fencing: it lost the cluster's majority and stops serving until it sees it again. */
        public static final MasterLeaving FENCED = new MasterLeaving("fenced",
                "this master lost contact with the cluster's majority: reconnect through another master and resume");
    }

    /** The participant's session moved to another media node (from the {@link RelocationRelay}). */
    public record Relocated(SessionRelocated relocation) implements Command {
    }

    /**
     * The participant's media node was found dead; its session is about to move (from the {@link RelocationRelay}):
     * the client hears {@code mediaNodeLost} at once, so that it may start rebuilding during the fence wait.
     */
    public record MediaNodeLost(String sessionId, String failedMediaNodeId) implements Command {
    }

    /** Nothing came from the client for {@link SignallingSettings#silenceTimeout}. */
    private enum Silent implements Command { INSTANCE }

    /** Time to tell the media node how far the events reached the socket ({@link DeliveryConfirmations}). */
    private enum ConfirmDelivered implements Command { INSTANCE }

    /** The socket this actor closed has not closed within {@link #SOCKET_CLOSE_GRACE}. */
    private enum CloseGraceOver implements Command { INSTANCE }

    /** A join or resume was answered: {@code ticket} and {@code reply} set, or {@code error} (no ticket). */
    record JoinCompleted(PendingJoin pending, SessionService.JoinTicket ticket,
                         MediaNodeClient.Reply<JoinReply> reply, Throwable error) implements Command {
    }

    /** A request the media node answered: {@code result} to send, or {@code error}. */
    record Answered(JsonNode id, OpenViduResult result, Rejected<?> error, String leftAs) implements Command {
    }

    /** The participant's join on its session's new media node was answered. */
    private record MovedJoinCompleted(SessionRelocated relocation, MediaNodeClient.Reply<JoinReply> reply)
            implements Command {
    }

    /** How long a socket being closed by the master may take to close before its actor stops anyway. */
    private static final Duration SOCKET_CLOSE_GRACE = Duration.ofSeconds(2);

    /** Sent to the outbound side to complete it. */
    public static final String CLOSE = "\u0000close";

    static Behavior<ToSignalling> create(SessionService sessions, Outbox out, SignallingSettings settings,
                                         ActorRef<RelocationRelay.Command> relay, SignallingMeters meters,
                                         Runnable onStop) {
        return create(sessions, out, settings, relay, meters, null, ServingGate.open(), onStop);
    }

    /**
     * {@code clientIp}: the socket's remote address (null when unknown); {@code gate}: while it is closed every
     * request is refused (503) instead of being served.
     */
    static Behavior<ToSignalling> create(SessionService sessions, Outbox out, SignallingSettings settings,
                                         ActorRef<RelocationRelay.Command> relay, SignallingMeters meters,
                                         String clientIp, ServingGate gate, Runnable onStop) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            // Named here, else the first getLog() of every socket's actor finds its class by walking the stack
            // (1.4 % of the masters' CPU in a joinRoom profile, docs/BENCHMARKS.md "What a joinRoom costs now").
            ctx.setLoggerName(ClientConnection.class);
            timers.startSingleTimer(Silent.INSTANCE, settings.silenceTimeout());
            ClientConnection connection = new ClientConnection(sessions, out, settings, relay, meters, ctx, timers,
                    clientIp, gate, onStop);
            // Every line this actor logs names the participation it has at that moment.
            return Behaviors.withMdc(ToSignalling.class, message -> connection.mdc, connection.awaitingJoin());
        }));
    }

    private final Outbox out;
    private final SignallingSettings settings;
    private final ActorContext<ToSignalling> ctx;
    private final TimerScheduler<ToSignalling> timers;
    private final SignallingMeters meters;
    private final ActorRef<RelocationRelay.Command> relay;
    private final RequestRate rate;
    private final SignallingHandler handler;
    private final StreamReconnects reconnects;
    private final Runnable onStop;
    private final ServingGate gate;
    /** The client's address as this socket sees it; null when unknown. */
    private final String clientIp;
    /** The session, participant and media node this socket is about now; empty before a join. */
    private Map<String, String> mdc = Map.of();
    /** Whether this socket counts as a participant in {@link SignallingMeters}. */
    private boolean countedAsParticipant;
    /** How far this participant's events reached the socket, as told to its media node. */
    private final DeliveryConfirmations confirmations;
    /** A notice that this socket's attachment was superseded, heard while joining; the answer decides. */
    private MediaNodeProtocol.AttachmentSuperseded supersededWhileJoining;

    private ClientConnection(SessionService sessions, Outbox out, SignallingSettings settings,
                             ActorRef<RelocationRelay.Command> relay, SignallingMeters meters,
                             ActorContext<ToSignalling> ctx, TimerScheduler<ToSignalling> timers, String clientIp,
                             ServingGate gate, Runnable onStop) {
        this.gate = gate;
        this.out = out;
        this.clientIp = clientIp;
        this.settings = settings;
        this.ctx = ctx;
        this.timers = timers;
        this.meters = meters;
        this.relay = relay;
        this.onStop = onStop;
        this.rate = new RequestRate(settings.messagesPerSecond(), 2 * settings.messagesPerSecond(), System.nanoTime());
        this.handler = new SignallingHandler(this, sessions, sessions.mediaNodeClient(), out, settings, meters, ctx,
                clientIp);
        this.reconnects = new StreamReconnects(ctx, timers, sessions.mediaNodeClient(), sessions.mediaNodes(),
                settings.reconnectHold(), meters, handler::answer);
        this.confirmations = new DeliveryConfirmations(() -> ctx.getSelf().tell(ConfirmDelivered.INSTANCE),
                sessions.mediaNodeClient());
    }

    /** The participant's {@code reconnectStream} requests in progress. */
    StreamReconnects reconnects() {
        return reconnects;
    }

    // ---------------------------------------------------------------- states

    /** No session: joinRoom or connect may come. */
    Behavior<ToSignalling> awaitingJoin() {
        mdc = Map.of();
        return common(Behaviors.receive(ToSignalling.class), SignallingHandler.Standing.FREE, null)
                .onSignal(PostStop.class, stop -> stopped(null))
                .build();
    }

    /** A join or a resume is in flight; a resumed participant's replayed events may come before the answer. */
    Behavior<ToSignalling> joining(PendingJoin pending) {
        mdc = SessionMdc.map(null, pending.resumingConnectionId(), null);
        BehaviorBuilder<ToSignalling> builder = Behaviors.receive(ToSignalling.class)
                .onMessage(ParticipantEvent.class, event -> {
                    if (pending.resumingConnectionId() != null
                            && pending.resumingConnectionId().equals(event.recipient())) {
                        deliver(event, pending.sequence());
                    }
                    return Behaviors.same(); // a fresh join has no events before its answer
                })
                .onMessage(JoinCompleted.class, this::onJoinCompleted)
                // The node attached this socket, then another one, before this socket heard its answer (this
                // resume reached the node after the client, tired of waiting, had resumed elsewhere): acted on with
                // the answer, when the participation it is about is known.
                .onMessage(MediaNodeProtocol.AttachmentSuperseded.class, superseded -> {
                    supersededWhileJoining = superseded;
                    return Behaviors.same();
                });
        return common(builder, SignallingHandler.Standing.JOINING, null)
                .onSignal(PostStop.class, stop -> {
                    pending.lateAnswer().socketGone();
                    return stopped(null);
                })
                .build();
    }

    /** In a session: requests go to its media node, its events to the client. */
    private Behavior<ToSignalling> joined(Participation p) {
        return inSession(p).build();
    }

    /** In a session that is moving: the participant joins the new node; requests go there already. */
    private Behavior<ToSignalling> relocating(Participation p) {
        return inSession(p).build();
    }

    private BehaviorBuilder<ToSignalling> inSession(Participation p) {
        mdc = SessionMdc.map(p.sessionId(), p.connectionId(), p.mediaNodeId());
        BehaviorBuilder<ToSignalling> builder = Behaviors.receive(ToSignalling.class)
                .onMessage(ParticipantEvent.class, event -> onEvent(p, event))
                .onMessage(Relocated.class, relocated -> onRelocated(p, relocated.relocation()))
                .onMessage(MediaNodeLost.class, lost -> {
                    if (p.sessionId().equals(lost.sessionId()) && lost.failedMediaNodeId().equals(p.mediaNodeId())) {
                        reconnects.nodeLost(lost.failedMediaNodeId());
                        out.tell(JsonRpc.notification(new OpenViduEvent.MediaNodeLost(lost.sessionId(),
                                lost.failedMediaNodeId())));
                    }
                    return Behaviors.same();
                })
                .onMessage(MovedJoinCompleted.class, done -> onMovedJoinCompleted(p, done))
                .onMessage(StreamReconnects.Answered.class, answered -> {
                    reconnects.onAnswered(p, answered);
                    return Behaviors.same();
                })
                .onMessageEquals(ConfirmDelivered.INSTANCE, () -> {
                    confirmations.confirm(p);
                    return Behaviors.same();
                });
        return common(builder, SignallingHandler.Standing.IN_SESSION, p)
                .onSignal(PostStop.class, stop -> stopped(p));
    }

    /**
     * What every state handles, after its own messages: the socket's messages, requests (served by the handler as
     * the state allows), the answers to requests, and the master's own shutdown.
     */
    private BehaviorBuilder<ToSignalling> common(BehaviorBuilder<ToSignalling> builder,
                                                 SignallingHandler.Standing standing, Participation p) {
        return builder
                .onMessage(Inbound.class, inbound -> {
                    timers.startSingleTimer(Silent.INSTANCE, settings.silenceTimeout());
                    // Checked when the request is served, not when it arrived: requests queued while this master was
                    // cut off or frozen must not reach a media node once it knows it may no longer serve.
                    Optional<String> refusal = gate.refusal();
                    if (refusal.isPresent()) {
                        handler.refuseUnavailable(inbound.text(), refusal.get());
                        return Behaviors.same();
                    }
                    if (rate.tryAcquire(System.nanoTime())) {
                        return handler.onText(inbound.text(), standing, p);
                    }
                    handler.refuseOverRate(inbound.text());
                    return Behaviors.same();
                })
                .onMessage(Answered.class, answered -> {
                    handler.answer(answered);
                    if (answered.leftAs() != null && p != null && answered.leftAs().equals(p.connectionId())) {
                        ctx.getLog().info("connection {} left session {}", p.connectionId(), p.sessionId());
                        return leave(p);
                    }
                    return Behaviors.same();
                })
                .onMessageEquals(Silent.INSTANCE, () -> {
                    // A frozen or vanished client: its TCP connection may stay open for minutes.
                    ctx.getLog().info("connection {} sent nothing for {}; closing its socket",
                            p == null ? null : p.connectionId(), settings.silenceTimeout());
                    return Behaviors.stopped();
                })
                .onMessageEquals(InboundTooLarge.INSTANCE, () -> {
                    handler.error(null, ErrorCode.TOO_LARGE.code(), "message too large: the limit is "
                            + settings.maxMessageBytes() + " bytes");
                    return Behaviors.same();
                })
                .onMessageEquals(InboundBinary.INSTANCE, () -> {
                    handler.error(null, ErrorCode.INVALID_REQUEST.code(),
                            "invalid request: binary messages are not supported");
                    return Behaviors.same();
                })
                .onMessageEquals(SocketClosed.INSTANCE, Behaviors::stopped)
                .onMessage(MasterLeaving.class, leaving -> {
                    out.tell(JsonRpc.notification(new OpenViduEvent.MasterLeaving(leaving.reason(), leaving.message())));
                    // Not stopped here: the socket's inbound side watches this actor and would cut the notification
                    // off. Completing the outbound side sends it, then closes the socket, which stops this actor.
                    out.tell(CLOSE);
                    timers.startSingleTimer(CloseGraceOver.INSTANCE, SOCKET_CLOSE_GRACE);
                    return Behaviors.same();
                })
                .onMessage(MediaNodeProtocol.AttachmentSuperseded.class, superseded -> {
                    if (p == null || !p.connectionId().equals(superseded.connectionId())) {
                        return Behaviors.same(); // about a participation this socket no longer has
                    }
                    return closeSuperseded(p, superseded);
                })
                .onMessageEquals(CloseGraceOver.INSTANCE, Behaviors::stopped)
                .onMessageEquals(ConfirmDelivered.INSTANCE, () -> {
                    confirmations.dropReminder(); // out of the session: nothing to confirm
                    return Behaviors.same();
                })
                // Late answers for a participation this socket no longer has (left, evicted): nothing to do.
                .onMessage(ParticipantEvent.class, event -> Behaviors.same())
                .onMessage(Relocated.class, relocated -> Behaviors.same())
                .onMessage(MediaNodeLost.class, lost -> Behaviors.same())
                .onMessage(MovedJoinCompleted.class, done -> Behaviors.same())
                .onMessage(StreamReconnects.Answered.class, answered -> {
                    reconnects.onAnswered(null, answered);
                    return Behaviors.same();
                })
                .onMessage(StreamReconnects.HoldOver.class, over -> {
                    reconnects.onHoldOver(over);
                    return Behaviors.same();
                });
    }

    private Behavior<ToSignalling> stopped(Participation p) {
        if (p != null) {
            relay.tell(new RelocationRelay.Unregister(p.sessionId(), ctx.getSelf().narrow()));
            // Still in the session: its media node keeps the participant for the grace window, for a resume.
            handler.mediaNodes().signallingClosed(p.mediaNode(), p.sessionId(), p.connectionId(),
                    ctx.getSelf().narrow());
        }
        out.tell(CLOSE);
        countAsParticipant(false);
        reconnects.socketGone();
        onStop.run();
        return Behaviors.same();
    }

    // ---------------------------------------------------------------- joining

    private Behavior<ToSignalling> onJoinCompleted(JoinCompleted done) {
        PendingJoin pending = done.pending();
        if (done.error() != null) {
            Throwable cause = ApiError.cause(done.error());
            if (cause instanceof ApiError api) {
                return joinFailed(pending, api.status(), api.getMessage());
            }
            return joinFailed(pending, ErrorCode.UNAVAILABLE.code(),
                    "the session's media node did not answer the join in time");
        }
        if (done.reply() instanceof Rejected<JoinReply> rejected) {
            return joinFailed(pending, rejected.code().code(), rejected.message());
        }
        JoinReply reply = ((Accepted<JoinReply>) done.reply()).value();
        SessionService.JoinTicket ticket = done.ticket();
        String sessionId = ticket.session().sessionId();
        String connectionId = ticket.connection().connectionId();
        ParticipantInfo self = new ParticipantInfo(connectionId, ticket.connection().createdAt(), pending.metadata(),
                ticket.connection().serverData(), ticket.connection().role(), "", clientIp);
        pending.sequence().saw(reply.seq()); // replayed events may have come first
        Participation p = new Participation(sessionId, connectionId, reply.mediaNodeId(), ticket.mediaNode(),
                reply.attachment(), self, pending.sequence(), reply.resumeSecret());
        relay.tell(new RelocationRelay.Register(sessionId, ctx.getSelf().narrow()));
        Behavior<ToSignalling> next = joined(p);
        mdc.forEach(MDC::put); // known only from now on; the actor's MDC is cleared after each message
        handler.reply(pending.id(), new OpenViduResult.Joined(connectionId, ticket.connection().createdAt(),
                pending.metadata(), reply.others().stream().map(SignallingViews::peer).toList(), sessionId,
                ticket.connection().role(), ticket.connection().record(), reply.mediaNodeId(), reply.seq(),
                reply.resumeSecret(), pending.resumed(), reply.webrtcEngine(), settings.iceServers()).json());
        if (pending.resumed()) {
            meters.resumed(0);
        } else {
            meters.joined(System.nanoTime() - pending.startedNanos());
        }
        countAsParticipant(true);
        confirmations.joinedAt(reply.seq()); // events replayed before the answer reached the socket too
        ctx.getLog().info("connection {} {} session {} on media node {}", connectionId,
                pending.resumed() ? "resumed" : "joined", sessionId, reply.mediaNodeId());
        MediaNodeProtocol.AttachmentSuperseded superseded = supersededWhileJoining;
        supersededWhileJoining = null;
        if (superseded != null && superseded.connectionId().equals(connectionId)
                && superseded.attachment() > reply.attachment()) {
            // Answered, yet already detached: events go to the newer attachment, so the client must resume again.
            return closeSuperseded(p, superseded);
        }
        return next;
    }

    /**
     * The client resumed through another socket (this master was frozen or cut off meanwhile, or this resume came
     * late): whatever this socket still sends would be refused by the media node, and no event comes here any more,
     * so it is closed; the client resumes again if that other socket is gone too.
     */
    private Behavior<ToSignalling> closeSuperseded(Participation p, MediaNodeProtocol.AttachmentSuperseded superseded) {
        ctx.getLog().info("connection {} was resumed elsewhere (attachment {}); closing this socket",
                superseded.connectionId(), superseded.attachment());
        out.tell(CLOSE);
        timers.startSingleTimer(CloseGraceOver.INSTANCE, SOCKET_CLOSE_GRACE);
        return leave(p);
    }

    private Behavior<ToSignalling> joinFailed(PendingJoin pending, int code, String message) {
        supersededWhileJoining = null;
        if (pending.resumed()) {
            meters.resumed(code);
        } else {
            meters.joinFailed(code);
        }
        handler.error(pending.id(), code, message);
        // For an operator: the code only, since the error text may echo what the client sent (even its token).
        try (SessionMdc m = SessionMdc.session(pending.attempt().mdcSessionId())) {
            ctx.getLog().info("{} of session {} refused ({}) for {}", pending.resumed() ? "resume" : "join",
                    LogSafe.id(pending.attempt().sessionId()), code, pending.attempt().who());
        }
        return awaitingJoin();
    }

    // ---------------------------------------------------------------- in a session

    private Behavior<ToSignalling> onEvent(Participation p, ParticipantEvent event) {
        if (!p.connectionId().equals(event.recipient())) {
            return Behaviors.same(); // for a participation this socket no longer has
        }
        deliver(event, p.sequence());
        if (event.event() instanceof MediaNodeProtocol.ParticipantEvicted) {
            return leave(p);
        }
        return Behaviors.same();
    }

    private void deliver(ParticipantEvent event, Sequence sequence) {
        sequence.saw(event.seq());
        out.tell(JsonRpc.notification(SignallingViews.event(event.sessionId(), event.event()), event.seq()));
        confirmations.delivered();
    }

    /**
     * The session's media node failed (or was drained): join the participant to the session's new node, where its
     * sequence goes on; the new node's first event for it is {@code mediaNodeFailed}. A closed session evicts it.
     */
    private Behavior<ToSignalling> onRelocated(Participation p, SessionRelocated relocation) {
        if (!p.sessionId().equals(relocation.sessionId())
                || (p.mediaNodeId() != null && !p.mediaNodeId().equals(relocation.fromMediaNodeId()))) {
            return Behaviors.same(); // another session, or this participant is not on the node the session left
        }
        if (relocation.mediaNodeId() == null) {
            out.tell(JsonRpc.notification(new OpenViduEvent.ParticipantEvicted(p.connectionId(), relocation.reason()),
                    p.sequence().next()));
            return leave(p);
        }
        ActorRef<ParticipantEvent> events = ctx.getSelf().narrow();
        ctx.pipeToSelf(handler.mediaNodes().rejoinMoved(relocation.manager(), relocation.sessionId(), p.self(), events,
                        relocation.fromMediaNodeId(), p.sequence().last(), relocation.reason(), p.resumeSecret()),
                (reply, error) -> new MovedJoinCompleted(relocation, reply != null ? reply
                        : Rejected.silence(String.valueOf(error))));
        Participation moved = p.movedTo(relocation.mediaNodeId(), relocation.manager());
        reconnects.onMoved(moved); // sent after the join: the new node sees the participant first
        return relocating(moved);
    }

    private Behavior<ToSignalling> onMovedJoinCompleted(Participation p, MovedJoinCompleted done) {
        if (done.reply() instanceof Rejected<JoinReply> rejected) {
            // Stays as it is: the participant is already routed to the new node; the client sees its requests fail
            // there and joins again.
            ctx.getLog().warn("connection {} could not follow session {} to {}: {}", p.connectionId(), p.sessionId(),
                    done.relocation().mediaNodeId(), rejected.message());
            return joined(p);
        }
        ctx.getLog().info("connection {} followed session {} from {} to {}", p.connectionId(), p.sessionId(),
                done.relocation().fromMediaNodeId(), done.relocation().mediaNodeId());
        JoinReply there = ((Accepted<JoinReply>) done.reply()).value();
        return joined(p.attachedAs(there.attachment(), there.resumeSecret()));
    }

    private Behavior<ToSignalling> leave(Participation p) {
        reconnects.abandon();
        countAsParticipant(false);
        relay.tell(new RelocationRelay.Unregister(p.sessionId(), ctx.getSelf().narrow()));
        return awaitingJoin();
    }

    private void countAsParticipant(boolean joined) {
        if (joined != countedAsParticipant) {
            countedAsParticipant = joined;
            if (joined) {
                meters.participantJoined();
            } else {
                meters.participantGone();
            }
        }
    }
}
