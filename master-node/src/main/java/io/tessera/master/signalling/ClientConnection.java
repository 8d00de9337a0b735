package io.tessera.master.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.wire.log.LogSafe;
import io.tessera.common.logging.SessionMdc;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.ClusterTopics.SessionRelocated;
import io.tessera.common.protocol.MediaNodeProtocol.MediaNodeFailed;
import io.tessera.common.protocol.MediaNodeProtocol.MessageReceived;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvicted;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantJoined;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantLeft;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantPublished;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantUnpublished;
import io.tessera.common.protocol.MediaNodeProtocol.PeerInfo;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.master.session.ApiError;
import io.tessera.master.session.Ids;
import io.tessera.master.session.SessionService;
import io.tessera.master.signalling.JsonRpc.Invalid;
import io.tessera.master.signalling.JsonRpc.Request;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One client's WebSocket on this master: parses its JSON-RPC requests, joins it to its session on the
 * media node, and turns the session's numbered events into JSON-RPC notifications. The media node's
 * Session actor watches this actor, so when the socket closes (this actor stops) or this master dies,
 * the participant is kept for the grace window and then announced as gone.
 *
 * Messages: {@link Inbound}, {@link InboundTooLarge}, {@link SocketClosed}, {@link ParticipantEvent} from
 * the media node, and the completions of its own asynchronous calls.
 */
public final class ClientConnection {

    /** A complete text message from the client. */
    public record Inbound(String text) {
    }

    /** A message that was over the size limit; it was read and dropped. */
    public enum InboundTooLarge { INSTANCE }

    /** A binary message, which the protocol does not use. */
    public enum InboundBinary { INSTANCE }

    /** The socket is gone. */
    public enum SocketClosed { INSTANCE }

    /** How long a socket being closed by the master may take to close before its actor stops anyway. */
    private static final Duration SOCKET_CLOSE_GRACE = Duration.ofSeconds(2);

    /** This master is shutting down: tell the client to resume elsewhere, then close its socket. */
    public enum MasterLeaving { INSTANCE }

    /** The socket this actor closed has not closed within {@link #SOCKET_CLOSE_GRACE}. */
    private enum CloseGraceOver { INSTANCE }

    /** Sent to the outbound side to complete it. */
    public static final String CLOSE = "\u0000close";

    private record JoinCompleted(JsonNode id, SessionService.JoinTicket ticket, JoinReply reply, String metadata,
                                 Throwable error, boolean resumed, Attempt attempt) {
    }

    /**
     * What a join or resume asked for, in a form safe to log: the session id only if it has the shape of one, the
     * token only as a fingerprint (a token URL holds the token), the resume secret not at all.
     */
    private record Attempt(String sessionId, String who) {
        static Attempt join(String session, String tokenOrUrl) {
            // The bare token's fingerprint, as SessionService logs it when it issues the token.
            return new Attempt(session, "token " + LogSafe.fingerprint(
                    io.tessera.master.session.Tokens.tokenValue(tokenOrUrl).orElse(tokenOrUrl)));
        }

        static Attempt resume(String session, String connection) {
            return new Attempt(session, "connection " + LogSafe.id(connection));
        }

        /** The session id for the MDC, or null when the client sent something that is not an id. */
        String mdcSessionId() {
            return LogSafe.id(sessionId).equals(sessionId) ? sessionId : null;
        }
    }

    private record CallCompleted(JsonNode id, JsonNode result, boolean leftSession, Throwable error) {
    }

    private record SdpCompleted(JsonNode id, SdpReply reply, Throwable error) {
    }

    /** The kinds of video openvidu-browser announces. */
    private static final Set<String> VIDEO_TYPES = Set.of("CAMERA", "SCREEN", "CUSTOM", "IPCAM");
    /** SDP offers longer than this are refused before they reach a media node. */
    private static final int MAX_SDP_CHARS = 16 * 1024;

    /** {@code messagesPerSecond}: requests over it (bursts of twice as many pass) are answered with 429. */
    public record Settings(Duration askTimeout, int maxMetadataLength, int maxMessageBytes, Duration silenceTimeout,
                           int messagesPerSecond) {
    }

    /** Nothing came from the client for {@link Settings#silenceTimeout}. */
    private enum Silent { INSTANCE }

    static Behavior<Object> create(SessionService sessions, Outbox out, Settings settings,
                                   ActorRef<RelocationRelay.Message> relay, SignallingMeters meters,
                                   Runnable onStop) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startSingleTimer(Silent.INSTANCE, settings.silenceTimeout());
            ClientConnection connection = new ClientConnection(sessions, out, settings, relay, meters, ctx, timers);
            // Every line this actor logs names the participation it has at that moment.
            return Behaviors.withMdc(Object.class, message -> connection.mdc(), connection.behavior(onStop));
        }));
    }

    /** The session, participant and media node this socket is about now; empty before a join. */
    private Map<String, String> mdc() {
        return SessionMdc.map(sessionId, connectionId != null ? connectionId : resumingConnectionId, mediaNodeId);
    }

    private record MovedJoinCompleted(SessionRelocated relocation, JoinReply reply, Throwable error) {
    }

    private final SessionService sessions;
    private final Outbox out;
    private final Settings settings;
    private final ActorContext<Object> ctx;
    private final SignallingMeters meters;

    // The participation, once joined.
    private boolean joining;
    /** When the pending joinRoom arrived (System.nanoTime), for the join latency. */
    private long joinStartedNanos;
    /** Whether this socket counts as a participant in {@link SignallingMeters}. */
    private boolean countedAsParticipant;
    /** While a resume is under way: the participant's events may arrive before the media node's answer. */
    private String resumingConnectionId;
    private String sessionId;
    private String connectionId;
    private ActorRef<MediaNodeProtocol.Command> mediaNode;

    private final TimerScheduler<Object> timers;
    private final RequestRate rate;
    private final ActorRef<RelocationRelay.Message> relay;
    /** The participant as the media node knows it, to join it again where its session moves. */
    private ParticipantInfo self;
    /** The last event sequence number sent to the client. */
    private long lastSeq;
    /** The media node the participant is on now. */
    private String mediaNodeId;

    private ClientConnection(SessionService sessions, Outbox out, Settings settings,
                             ActorRef<RelocationRelay.Message> relay, SignallingMeters meters,
                             ActorContext<Object> ctx, TimerScheduler<Object> timers) {
        this.meters = meters;
        this.timers = timers;
        this.relay = relay;
        this.sessions = sessions;
        this.out = out;
        this.settings = settings;
        this.ctx = ctx;
        this.rate = new RequestRate(settings.messagesPerSecond(), 2 * settings.messagesPerSecond(), System.nanoTime());
    }

    private Behavior<Object> behavior(Runnable onStop) {
        return Behaviors.receive(Object.class)
                .onMessage(Inbound.class, inbound -> {
                    timers.startSingleTimer(Silent.INSTANCE, settings.silenceTimeout());
                    if (rate.tryAcquire(System.nanoTime())) {
                        onText(inbound.text());
                    } else {
                        refuseOverRate(inbound.text());
                    }
                    return Behaviors.same();
                })
                .onMessageEquals(Silent.INSTANCE, () -> {
                    // A frozen or vanished client: its TCP connection may stay open for minutes.
                    ctx.getLog().info("connection {} sent nothing for {}; closing its socket", connectionId,
                            settings.silenceTimeout());
                    return Behaviors.stopped();
                })
                .onMessage(InboundTooLarge.class, m -> {
                    error(null, 413, "message too large: the limit is " + settings.maxMessageBytes() + " bytes");
                    return Behaviors.same();
                })
                .onMessage(InboundBinary.class, m -> {
                    error(null, JsonRpc.INVALID_REQUEST, "invalid request: binary messages are not supported");
                    return Behaviors.same();
                })
                .onMessage(SocketClosed.class, m -> Behaviors.stopped())
                .onMessageEquals(MasterLeaving.INSTANCE, () -> {
                    out.tell(JsonRpc.notification("masterLeaving", JsonRpc.MAPPER.createObjectNode()
                            .put("reason", "shutdown")
                            .put("message", "this master is shutting down: reconnect through another master and resume")));
                    // Not stopped here: the socket's inbound side watches this actor and would cut the notification
                    // off. Completing the outbound side sends it, then closes the socket, which stops this actor.
                    out.tell(CLOSE);
                    timers.startSingleTimer(CloseGraceOver.INSTANCE, SOCKET_CLOSE_GRACE);
                    return Behaviors.same();
                })
                .onMessageEquals(CloseGraceOver.INSTANCE, Behaviors::stopped)
                .onMessage(ParticipantEvent.class, this::onEvent)
                .onMessage(JoinCompleted.class, this::onJoinCompleted)
                .onMessage(CallCompleted.class, this::onCallCompleted)
                .onMessage(SdpCompleted.class, this::onSdpCompleted)
                .onMessage(SessionRelocated.class, this::onRelocated)
                .onMessage(MovedJoinCompleted.class, this::onMovedJoinCompleted)
                .onSignal(PostStop.class, stop -> {
                    if (sessionId != null) {
                        relay.tell(new RelocationRelay.Unregister(sessionId, ctx.getSelf()));
                    }
                    out.tell(CLOSE);
                    countAsParticipant(false);
                    onStop.run();
                    return Behaviors.same();
                })
                .build();
    }

    private void refuseOverRate(String text) {
        JsonNode id = null;
        try {
            id = JsonRpc.parse(text).id();
        } catch (Invalid invalid) {
            id = invalid.id();
        }
        error(id, 429, "too many requests: the limit is " + settings.messagesPerSecond()
                + " messages a second per connection (bursts of " + 2 * settings.messagesPerSecond() + ")");
    }

    private void onText(String text) {
        Request request;
        try {
            request = JsonRpc.parse(text);
        } catch (Invalid invalid) {
            error(invalid.id(), invalid.code(), invalid.getMessage());
            return;
        }
        try {
            switch (request.method()) {
                case "ping" -> reply(request, JsonRpc.MAPPER.createObjectNode().put("value", "pong"));
                case "joinRoom" -> joinRoom(request);
                case "connect" -> resume(request);
                case "leaveRoom" -> leaveRoom(request);
                case "sendMessage" -> sendMessage(request);
                case "publishVideo" -> publishVideo(request);
                case "unpublishVideo" -> unpublishVideo(request);
                case "receiveVideoFrom" -> receiveVideoFrom(request);
                case "unsubscribeFromVideo" -> unsubscribeFromVideo(request);
                case "onIceCandidate" -> error(request.id(), JsonRpc.METHOD_NOT_FOUND,
                        "method 'onIceCandidate' is not used: the plain RTP media engine has no ICE (see docs/CONTRACT.md)");
                case "streamPropertyChanged", "forceDisconnect", "forceUnpublish", "applyFilter",
                     "removeFilter", "execFilterMethod", "addFilterEventListener", "removeFilterEventListener",
                     "videoData", "subscribeToSpeechToText", "unsubscribeFromSpeechToText", "reconnectStream" ->
                        error(request.id(), JsonRpc.METHOD_NOT_FOUND, "method '" + request.method()
                                + "' is not supported by this version of Tessera");
                default -> error(request.id(), JsonRpc.METHOD_NOT_FOUND, "method not found: '"
                        + abbreviate(request.method()) + "'");
            }
        } catch (Invalid invalid) {
            error(invalid.id(), invalid.code(), invalid.getMessage());
        }
    }

    private void joinRoom(Request request) throws Invalid {
        if (joining || connectionId != null) {
            meters.joinFailed(105);
            error(request.id(), 105, "this socket has already joined a session; leaveRoom first");
            return;
        }
        long started = System.nanoTime();
        String token = JsonRpc.requiredString(request, "token");
        String session = JsonRpc.optionalString(request, "session");
        String metadata = JsonRpc.optionalString(request, "metadata");
        String platform = JsonRpc.optionalString(request, "platform");
        if (session == null) {
            throw JsonRpc.invalidParams(request, "'session' is required");
        }
        requireValidId(request, "session", session);
        if (metadata != null && metadata.length() > settings.maxMetadataLength()) {
            throw JsonRpc.invalidParams(request, "'metadata' is longer than " + settings.maxMetadataLength() + " characters");
        }
        String meta = metadata == null ? "" : metadata;
        String platformName = platform == null ? "" : abbreviate(platform);
        joining = true;
        joinStartedNanos = started;
        CompletionStage<Object[]> joined = sessions.authorizeJoin(session, token).thenCompose(ticket -> {
            ParticipantInfo info = new ParticipantInfo(ticket.connection().connectionId(), ticket.connection().createdAt(),
                    meta, ticket.connection().serverData(), ticket.connection().role(), platformName);
            ActorRef<ParticipantEvent> self = ctx.getSelf().narrow();
            return AskPattern.<MediaNodeProtocol.Command, JoinReply>ask(ticket.mediaNode(),
                            replyTo -> new MediaNodeProtocol.Join(session, info, self, replyTo),
                            settings.askTimeout(), ctx.getSystem().scheduler())
                    .thenApply(reply -> new Object[]{ticket, reply});
        });
        Attempt attempt = Attempt.join(session, token);
        ctx.pipeToSelf(joined, (pair, error) -> error != null
                ? new JoinCompleted(request.id(), null, null, meta, error, false, attempt)
                : new JoinCompleted(request.id(), (SessionService.JoinTicket) pair[0], (JoinReply) pair[1], meta, null,
                false, attempt));
    }

    /**
     * {@code connect}: a client whose master died (or whose socket broke) takes its participation back, through
     * this master. The media node checks the resume secret, re-attaches the participant to this actor and
     * replays the events after {@code lastSeq}; they may arrive before its answer.
     */
    /** Ids are checked before use, so that no error message or log line echoes arbitrary client text. */
    private static void requireValidId(Request request, String field, String value) throws Invalid {
        if (!Ids.isValidId(value)) {
            throw JsonRpc.invalidParams(request, "'" + field + "' is not a valid id: use " + Ids.VALID_ID_RULE);
        }
    }

    private void resume(Request request) throws Invalid {
        if (joining || connectionId != null) {
            error(request.id(), 105, "this socket has already joined a session; leaveRoom first");
            return;
        }
        String session = JsonRpc.requiredString(request, "sessionId");
        String connection = JsonRpc.requiredString(request, "connectionId");
        requireValidId(request, "sessionId", session);
        requireValidId(request, "connectionId", connection);
        String secret = JsonRpc.requiredString(request, "resumeSecret");
        long lastSeq = JsonRpc.optionalLong(request, "lastSeq", 0, 0, Long.MAX_VALUE / 2);
        joining = true;
        resumingConnectionId = connection;
        ActorRef<ParticipantEvent> self = ctx.getSelf().narrow();
        CompletionStage<Object[]> resumed = sessions.locateForResume(session, connection).thenCompose(ticket ->
                AskPattern.<MediaNodeProtocol.Command, JoinReply>ask(ticket.mediaNode(),
                                replyTo -> new MediaNodeProtocol.Resume(session, connection, secret, lastSeq, self, replyTo),
                                settings.askTimeout(), ctx.getSystem().scheduler())
                        .thenApply(reply -> new Object[]{ticket, reply}));
        Attempt attempt = Attempt.resume(session, connection);
        ctx.pipeToSelf(resumed, (pair, error) -> error != null
                ? new JoinCompleted(request.id(), null, null, "", error, true, attempt)
                : new JoinCompleted(request.id(), (SessionService.JoinTicket) pair[0], (JoinReply) pair[1], "", null,
                true, attempt));
    }

    private Behavior<Object> onJoinCompleted(JoinCompleted done) {
        joining = false;
        resumingConnectionId = null;
        if (done.error() != null) {
            Throwable cause = ApiError.cause(done.error());
            if (cause instanceof ApiError api) {
                joinOrResumeFailed(done, api.status());
                error(done.id(), api.status(), api.getMessage());
                logRefused(done, api.status());
            } else {
                joinOrResumeFailed(done, 503);
                error(done.id(), 503, "the session's media node did not answer the join in time");
                logRefused(done, 503);
            }
            return Behaviors.same();
        }
        JoinReply reply = done.reply();
        if (!reply.ok()) {
            joinOrResumeFailed(done, reply.errorCode());
            error(done.id(), reply.errorCode(), reply.error());
            logRefused(done, reply.errorCode());
            return Behaviors.same();
        }
        SessionService.JoinTicket ticket = done.ticket();
        sessionId = ticket.session().sessionId();
        connectionId = ticket.connection().connectionId();
        mediaNode = ticket.mediaNode();
        self = new ParticipantInfo(connectionId, ticket.connection().createdAt(), done.metadata(),
                ticket.connection().serverData(), ticket.connection().role(), "");
        lastSeq = Math.max(lastSeq, reply.seq()); // replayed events may have come first
        mediaNodeId = reply.mediaNodeId();
        relay.tell(new RelocationRelay.Register(sessionId, ctx.getSelf()));
        mdc().forEach(MDC::put); // known only from now on; the actor's MDC is cleared after each message
        ObjectNode result = JsonRpc.MAPPER.createObjectNode();
        result.put("id", connectionId);
        result.put("createdAt", ticket.connection().createdAt());
        result.put("metadata", done.metadata());
        ArrayNode value = result.putArray("value");
        for (PeerInfo other : reply.others()) {
            ObjectNode peer = participantJson(other.participant());
            ArrayNode streams = peer.putArray("streams");
            other.streams().forEach(stream -> streams.add(streamJson(stream)));
            value.add(peer);
        }
        result.put("session", sessionId);
        result.put("sessionId", sessionId);
        result.put("role", ticket.connection().role());
        result.put("record", ticket.connection().record());
        result.put("version", "2.32.0");
        result.put("mediaServer", "tessera");
        result.put("mediaNodeId", reply.mediaNodeId());
        result.put("seq", reply.seq());
        result.put("resumeSecret", reply.resumeSecret());
        if (done.resumed()) {
            result.put("resumed", true);
        }
        result.putArray("customIceServers");
        reply(done.id(), result);
        if (done.resumed()) {
            meters.resumed(0);
        } else {
            meters.joined(System.nanoTime() - joinStartedNanos);
        }
        countAsParticipant(true);
        ctx.getLog().info("connection {} {} session {} on media node {}", connectionId,
                done.resumed() ? "resumed" : "joined", sessionId, reply.mediaNodeId());
        return Behaviors.same();
    }

    /**
     * A refused join or resume, for an operator to see: the code only, since the error text may echo what the
     * client sent (which may even be its token).
     */
    private void logRefused(JoinCompleted done, int code) {
        try (SessionMdc mdc = SessionMdc.session(done.attempt().mdcSessionId())) {
            ctx.getLog().info("{} of session {} refused ({}) for {}", done.resumed() ? "resume" : "join",
                    LogSafe.id(done.attempt().sessionId()), code, done.attempt().who());
        }
    }

    private void leaveRoom(Request request) {
        if (connectionId == null) {
            error(request.id(), 102, "not in a session: joinRoom first");
            return;
        }
        String leaving = connectionId;
        call(request.id(), replyTo -> new MediaNodeProtocol.Leave(sessionId, leaving, replyTo),
                JsonRpc.MAPPER.createObjectNode(), true);
    }

    private void sendMessage(Request request) throws Invalid {
        if (connectionId == null) {
            error(request.id(), 102, "not in a session: joinRoom first");
            return;
        }
        JsonNode message = request.params().get("message");
        if (message != null && message.isTextual()) {
            try {
                message = JsonRpc.MAPPER.readTree(message.asText());
            } catch (Exception e) {
                throw JsonRpc.invalidParams(request, "'message' is not valid JSON");
            }
        }
        if (message == null || !message.isObject()) {
            throw JsonRpc.invalidParams(request, "'message' must be an object or a string holding one");
        }
        List<String> to = new ArrayList<>();
        JsonNode toNode = message.get("to");
        if (toNode != null && !toNode.isNull()) {
            if (!toNode.isArray()) {
                throw JsonRpc.invalidParams(request, "'message.to' must be an array of connection ids");
            }
            for (JsonNode recipient : toNode) {
                if (!recipient.isTextual()) {
                    throw JsonRpc.invalidParams(request, "'message.to' must hold connection ids (strings)");
                }
                to.add(recipient.asText());
            }
        }
        String type = textField(request, message, "type", "signal");
        String data = textField(request, message, "data", "");
        ObjectNode result = JsonRpc.MAPPER.createObjectNode();
        result.put("sessionId", sessionId);
        ArrayNode toArray = result.putArray("to");
        to.forEach(toArray::add);
        result.put("type", type);
        result.put("data", data);
        String from = connectionId;
        call(request.id(), replyTo -> new MediaNodeProtocol.Signal(sessionId, from, to, type, data, replyTo), result, false);
    }

    private void publishVideo(Request request) throws Invalid {
        if (connectionId == null) {
            error(request.id(), 102, "not in a session: joinRoom first");
            return;
        }
        String sdpOffer = sdpOffer(request);
        String typeOfVideo = JsonRpc.optionalString(request, "typeOfVideo");
        if (typeOfVideo != null && !VIDEO_TYPES.contains(typeOfVideo)) {
            throw JsonRpc.invalidParams(request, "'typeOfVideo' must be one of " + VIDEO_TYPES);
        }
        String videoDimensions = JsonRpc.optionalString(request, "videoDimensions");
        if (videoDimensions != null && videoDimensions.length() > 200) {
            throw JsonRpc.invalidParams(request, "'videoDimensions' is longer than 200 characters");
        }
        StreamInfo stream = new StreamInfo(null, 0,
                JsonRpc.optionalBoolean(request, "hasAudio", false),
                JsonRpc.optionalBoolean(request, "hasVideo", true),
                JsonRpc.optionalBoolean(request, "audioActive", false),
                JsonRpc.optionalBoolean(request, "videoActive", true),
                typeOfVideo == null ? "CAMERA" : typeOfVideo,
                JsonRpc.optionalInt(request, "frameRate", 30, 0, 240),
                videoDimensions == null ? "" : videoDimensions);
        String publisher = connectionId;
        askSdp(request.id(), replyTo -> new MediaNodeProtocol.Publish(sessionId, publisher, stream, sdpOffer, replyTo));
    }

    private void receiveVideoFrom(Request request) throws Invalid {
        if (connectionId == null) {
            error(request.id(), 102, "not in a session: joinRoom first");
            return;
        }
        String streamId = JsonRpc.requiredString(request, "sender");
        String sdpOffer = sdpOffer(request);
        String subscriber = connectionId;
        askSdp(request.id(), replyTo -> new MediaNodeProtocol.Subscribe(sessionId, subscriber, streamId, sdpOffer, replyTo));
    }

    private void unpublishVideo(Request request) {
        if (connectionId == null) {
            error(request.id(), 102, "not in a session: joinRoom first");
            return;
        }
        String publisher = connectionId;
        call(request.id(), replyTo -> new MediaNodeProtocol.Unpublish(sessionId, publisher, replyTo),
                JsonRpc.MAPPER.createObjectNode(), false);
    }

    private void unsubscribeFromVideo(Request request) throws Invalid {
        if (connectionId == null) {
            error(request.id(), 102, "not in a session: joinRoom first");
            return;
        }
        String streamId = JsonRpc.requiredString(request, "sender");
        String subscriber = connectionId;
        call(request.id(), replyTo -> new MediaNodeProtocol.Unsubscribe(sessionId, subscriber, streamId, replyTo),
                JsonRpc.MAPPER.createObjectNode(), false);
    }

    private static String sdpOffer(Request request) throws Invalid {
        String sdpOffer = JsonRpc.requiredString(request, "sdpOffer");
        if (sdpOffer.length() > MAX_SDP_CHARS) {
            throw JsonRpc.invalidParams(request, "'sdpOffer' is longer than " + MAX_SDP_CHARS + " characters");
        }
        return sdpOffer;
    }

    /** Asks the media node for an SDP answer; the reply becomes the request's result. */
    private void askSdp(JsonNode id, Function<ActorRef<SdpReply>, MediaNodeProtocol.Command> command) {
        CompletionStage<SdpReply> asked = AskPattern.ask(mediaNode, command::apply, settings.askTimeout(),
                ctx.getSystem().scheduler());
        ctx.pipeToSelf(asked, (reply, error) -> new SdpCompleted(id, reply, error));
    }

    private Behavior<Object> onSdpCompleted(SdpCompleted done) {
        if (done.error() != null) {
            error(done.id(), 503, "the session's media node did not answer in time");
        } else if (!done.reply().ok()) {
            error(done.id(), done.reply().errorCode(), done.reply().error());
        } else {
            ObjectNode result = JsonRpc.MAPPER.createObjectNode();
            StreamInfo stream = done.reply().stream();
            if (stream != null) { // publishVideo
                result.put("id", stream.streamId());
                result.put("createdAt", stream.createdAt());
            }
            result.put("sdpAnswer", done.reply().sdpAnswer());
            reply(done.id(), result);
        }
        return Behaviors.same();
    }

    private static String textField(Request request, JsonNode message, String field, String fallback) throws Invalid {
        JsonNode node = message.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw JsonRpc.invalidParams(request, "'message." + field + "' must be a string");
        }
        return node.asText();
    }

    /** Asks the media node and answers the request with {@code result} once it acknowledged. */
    private void call(JsonNode id, Function<ActorRef<Ack>, MediaNodeProtocol.Command> command, JsonNode result,
                      boolean leavesSession) {
        CompletionStage<Ack> asked = AskPattern.ask(mediaNode, command::apply, settings.askTimeout(),
                ctx.getSystem().scheduler());
        ctx.pipeToSelf(asked, (ack, error) -> {
            if (error != null) {
                return new CallCompleted(id, null, false, new ApiError(503, "the session's media node did not answer in time"));
            }
            if (!ack.ok()) {
                return new CallCompleted(id, null, false, new ApiError(ack.errorCode(), ack.error()));
            }
            return new CallCompleted(id, result, leavesSession, null);
        });
    }

    private Behavior<Object> onCallCompleted(CallCompleted done) {
        if (done.error() instanceof ApiError api) {
            error(done.id(), api.status(), api.getMessage());
        } else {
            if (done.leftSession()) {
                ctx.getLog().info("connection {} left session {}", connectionId, sessionId);
                leave();
            }
            reply(done.id(), done.result());
        }
        return Behaviors.same();
    }

    private Behavior<Object> onEvent(ParticipantEvent event) {
        boolean current = connectionId != null && connectionId.equals(event.recipient());
        boolean resuming = resumingConnectionId != null && resumingConnectionId.equals(event.recipient());
        if (!current && !resuming) {
            return Behaviors.same(); // for a participation this socket no longer has
        }
        ObjectNode params = JsonRpc.MAPPER.createObjectNode();
        String method;
        if (event.event() instanceof ParticipantJoined joined) {
            method = "participantJoined";
            params = participantJson(joined.participant());
        } else if (event.event() instanceof ParticipantLeft left) {
            method = "participantLeft";
            params.put("connectionId", left.connectionId());
            params.put("reason", left.reason());
        } else if (event.event() instanceof ParticipantEvicted evicted) {
            method = "participantEvicted";
            params.put("connectionId", evicted.connectionId());
            params.put("reason", evicted.reason());
        } else if (event.event() instanceof ParticipantPublished published) {
            method = "participantPublished";
            params.put("id", published.connectionId());
            params.putArray("streams").add(streamJson(published.stream()));
        } else if (event.event() instanceof ParticipantUnpublished unpublished) {
            method = "participantUnpublished";
            params.put("connectionId", unpublished.connectionId());
            params.put("streamId", unpublished.streamId());
            params.put("reason", unpublished.reason());
        } else if (event.event() instanceof MediaNodeFailed failed) {
            method = "mediaNodeFailed";
            params.put("sessionId", event.sessionId());
            params.put("failedMediaNodeId", failed.failedMediaNodeId());
            params.put("mediaNodeId", failed.mediaNodeId());
            params.put("reason", failed.reason());
            params.put("resumeSecret", failed.resumeSecret()); // resuming needs the new node's secret
        } else if (event.event() instanceof MessageReceived message) {
            method = "sendMessage";
            if (message.from() != null) {
                params.put("from", message.from());
            }
            params.put("type", message.type());
            params.put("data", message.data());
        } else {
            return Behaviors.same();
        }
        params.put("seq", event.seq());
        lastSeq = Math.max(lastSeq, event.seq());
        out.tell(JsonRpc.notification(method, params));
        if (event.event() instanceof ParticipantEvicted) {
            leave();
        }
        return Behaviors.same();
    }

    /**
     * The session's media node failed (or was drained): join the participant to the session's new node, where its
     * sequence goes on; the new node's first event for it is {@code mediaNodeFailed}. A closed session evicts it.
     */
    private Behavior<Object> onRelocated(SessionRelocated relocation) {
        if (sessionId == null || !sessionId.equals(relocation.sessionId()) || self == null
                || (mediaNodeId != null && !mediaNodeId.equals(relocation.fromMediaNodeId()))) {
            return Behaviors.same(); // another session, or this participant is not on the node the session left
        }
        if (relocation.mediaNodeId() == null) {
            ObjectNode params = JsonRpc.MAPPER.createObjectNode();
            params.put("connectionId", connectionId);
            params.put("reason", relocation.reason());
            params.put("seq", ++lastSeq);
            out.tell(JsonRpc.notification("participantEvicted", params));
            leave();
            return Behaviors.same();
        }
        ActorRef<ParticipantEvent> events = ctx.getSelf().narrow();
        ParticipantInfo info = self;
        long seq = lastSeq;
        CompletionStage<JoinReply> joined = AskPattern.ask(relocation.manager(),
                replyTo -> new MediaNodeProtocol.Join(relocation.sessionId(), info, events, replyTo,
                        relocation.fromMediaNodeId(), seq, relocation.reason()),
                settings.askTimeout(), ctx.getSystem().scheduler());
        mediaNode = relocation.manager();
        mediaNodeId = relocation.mediaNodeId();
        ctx.pipeToSelf(joined, (reply, error) -> new MovedJoinCompleted(relocation, reply, error));
        return Behaviors.same();
    }

    private Behavior<Object> onMovedJoinCompleted(MovedJoinCompleted done) {
        if (done.error() != null || !done.reply().ok()) {
            ctx.getLog().warn("connection {} could not follow session {} to {}: {}", connectionId, sessionId,
                    done.relocation().mediaNodeId(), done.error() != null ? done.error().toString() : done.reply().error());
            return onRelocated(new SessionRelocated(done.relocation().sessionId(), done.relocation().fromMediaNodeId(),
                    null, null, done.relocation().reason()));
        }
        ctx.getLog().info("connection {} followed session {} from {} to {}", connectionId, sessionId,
                done.relocation().fromMediaNodeId(), done.relocation().mediaNodeId());
        return Behaviors.same();
    }

    private void joinOrResumeFailed(JoinCompleted done, int code) {
        if (done.resumed()) {
            meters.resumed(code);
        } else {
            meters.joinFailed(code);
        }
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

    private void leave() {
        countAsParticipant(false);
        if (sessionId != null) {
            relay.tell(new RelocationRelay.Unregister(sessionId, ctx.getSelf()));
        }
        self = null;
        lastSeq = 0;
        sessionId = null;
        connectionId = null;
        mediaNode = null;
    }

    private static ObjectNode participantJson(ParticipantInfo p) {
        ObjectNode node = JsonRpc.MAPPER.createObjectNode();
        node.put("id", p.connectionId());
        node.put("createdAt", p.createdAt());
        node.put("metadata", p.metadata());
        node.putArray("streams");
        return node;
    }

    /** A stream as openvidu-browser reads it in joinRoom's {@code value} and in {@code participantPublished}. */
    private static ObjectNode streamJson(StreamInfo stream) {
        ObjectNode node = JsonRpc.MAPPER.createObjectNode();
        node.put("id", stream.streamId());
        node.put("createdAt", stream.createdAt());
        node.put("hasAudio", stream.hasAudio());
        node.put("hasVideo", stream.hasVideo());
        node.put("audioActive", stream.audioActive());
        node.put("videoActive", stream.videoActive());
        node.put("typeOfVideo", stream.typeOfVideo());
        node.put("frameRate", stream.frameRate());
        node.put("videoDimensions", stream.videoDimensions());
        node.putObject("filter");
        return node;
    }

    private void reply(Request request, JsonNode result) {
        reply(request.id(), result);
    }

    private void reply(JsonNode id, JsonNode result) {
        if (id != null) { // notifications get no answer
            out.tell(JsonRpc.result(id, result));
        }
    }

    private void error(JsonNode id, int code, String message) {
        meters.rpcError(code);
        out.tell(JsonRpc.error(id, code, message));
    }

    /** Keeps client-chosen strings short in answers and logs. */
    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
