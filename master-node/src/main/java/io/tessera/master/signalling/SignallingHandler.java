package io.tessera.master.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.ToSignalling;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.medianode.MediaNodeClient.Accepted;
import io.tessera.master.medianode.MediaNodeClient.Rejected;
import io.tessera.master.session.Ids;
import io.tessera.master.session.SessionService;
import io.tessera.master.signalling.ClientConnection.Answered;
import io.tessera.master.signalling.ClientConnection.JoinCompleted;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.wire.jsonrpc.JsonRpc;
import io.tessera.wire.jsonrpc.JsonRpc.Invalid;
import io.tessera.wire.jsonrpc.JsonRpc.Request;
import io.tessera.wire.jsonrpc.OpenViduRequest;
import io.tessera.wire.jsonrpc.OpenViduRequest.Connect;
import io.tessera.wire.jsonrpc.OpenViduRequest.Echo;
import io.tessera.wire.jsonrpc.OpenViduRequest.OnIceCandidate;
import io.tessera.wire.jsonrpc.OpenViduRequest.PrepareReceiveVideoFrom;
import io.tessera.wire.jsonrpc.OpenViduRequest.VideoData;
import io.tessera.wire.jsonrpc.OpenViduRequest.JoinRoom;
import io.tessera.wire.jsonrpc.OpenViduRequest.LeaveRoom;
import io.tessera.wire.jsonrpc.OpenViduRequest.Ping;
import io.tessera.wire.jsonrpc.OpenViduRequest.PublishVideo;
import io.tessera.wire.jsonrpc.OpenViduRequest.ReconnectStream;
import io.tessera.wire.jsonrpc.OpenViduRequest.ReceiveVideoFrom;
import io.tessera.wire.jsonrpc.OpenViduRequest.SendMessage;
import io.tessera.wire.jsonrpc.OpenViduRequest.SessionStatus;
import io.tessera.wire.jsonrpc.OpenViduRequest.StreamPropertyChanged;
import io.tessera.wire.jsonrpc.OpenViduRequest.UnpublishVideo;
import io.tessera.wire.jsonrpc.OpenViduRequest.UnsubscribeFromVideo;
import io.tessera.wire.jsonrpc.OpenViduResult;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The JSON-RPC requests of one {@link ClientConnection}: reads a client's text into a typed request (the wire module
 * does the reading), checks that the socket's state allows it, and serves it, asking the session's media node through
 * the {@link MediaNodeClient}. Answers come back to the connection as {@link Answered} or {@link JoinCompleted} and
 * are sent from there; a new method is a record in the wire module's {@link OpenViduRequest} and a method here.
 */
final class SignallingHandler {

    /** Where the socket stands, as far as requests care. */
    enum Standing {
        /** Not in a session. */
        FREE,
        /** A join or resume is in flight. */
        JOINING,
        /** In a session. */
        IN_SESSION
    }

    /** A join's answer and the ticket (route) it was finally sent through. */
    private record RoutedJoin(SessionService.JoinTicket ticket, MediaNodeClient.Reply<JoinReply> reply) {
    }

    private final ClientConnection connection;
    private final SessionService sessions;
    private final MediaNodeClient mediaNodes;
    private final Outbox out;
    private final SignallingSettings settings;
    private final SignallingMeters meters;
    private final ActorContext<ToSignalling> ctx;
    /** The client's address as its socket sees it; null when unknown. */
    private final String clientIp;

    SignallingHandler(ClientConnection connection, SessionService sessions, MediaNodeClient mediaNodes, Outbox out,
                      SignallingSettings settings, SignallingMeters meters, ActorContext<ToSignalling> ctx,
                      String clientIp) {
        this.clientIp = clientIp;
        this.connection = connection;
        this.sessions = sessions;
        this.mediaNodes = mediaNodes;
        this.out = out;
        this.settings = settings;
        this.meters = meters;
        this.ctx = ctx;
    }

    MediaNodeClient mediaNodes() {
        return mediaNodes;
    }

    /** Serves one text message; the connection's next behaviour (joining, for a join or resume). */
    Behavior<ToSignalling> onText(String text, Standing standing, Participation participation) {
        try {
            Request request = JsonRpc.parse(text);
            switch (OpenViduRequest.precondition(request.method())) {
                case NOT_IN_SESSION -> {
                    if (standing != Standing.FREE) {
                        if (request.method().equals(JoinRoom.METHOD)) {
                            meters.joinFailed(ErrorCode.ALREADY_JOINED.code());
                        }
                        throw request.refuse(ErrorCode.ALREADY_JOINED,
                                "this socket has already joined a session; leaveRoom first");
                    }
                }
                case IN_SESSION -> {
                    if (standing != Standing.IN_SESSION) {
                        throw request.refuse(ErrorCode.NOT_JOINED, "not in a session: joinRoom first");
                    }
                }
                case NONE -> {
                }
            }
            return OpenViduRequest.read(request).accept(request.id(), new Serving(participation));
        } catch (Invalid invalid) {
            error(invalid.id(), invalid.code(), invalid.getMessage());
            return Behaviors.same();
        }
    }

    void refuseOverRate(String text) {
        error(idOf(text), ErrorCode.TOO_MANY_REQUESTS.code(), "too many requests: the limit is " + settings.messagesPerSecond()
                + " messages a second per connection (bursts of " + 2 * settings.messagesPerSecond() + ")");
    }

    /** A request that arrived while this master may not serve: refused with 503 and {@code message}, never relayed. */
    void refuseUnavailable(String text, String message) {
        error(idOf(text), ErrorCode.UNAVAILABLE.code(), message);
    }

    /** The id of a request that is refused without being read further (null when it has none or is not JSON-RPC). */
    private static JsonNode idOf(String text) {
        try {
            return JsonRpc.parse(text).id();
        } catch (Invalid invalid) {
            return invalid.id();
        }
    }

    void answer(Answered answered) {
        if (answered.error() != null) {
            error(answered.id(), answered.error().code().code(), answered.error().message());
        } else {
            reply(answered.id(), answered.result().json());
        }
    }

    void reply(JsonNode id, JsonNode result) {
        if (id != null) { // notifications get no answer
            out.tell(JsonRpc.result(id, result));
        }
    }

    void error(JsonNode id, int code, String message) {
        meters.rpcError(code);
        out.tell(JsonRpc.error(id, code, message));
    }

    /** Ids are checked before use, so that no error message or log line echoes arbitrary client text. */
    private static void requireValidId(JsonNode id, String field, String value) throws Invalid {
        if (!Ids.isValidId(value)) {
            throw new Invalid(id, ErrorCode.INVALID_PARAMS, "invalid params: '" + field + "' is not a valid id: use "
                    + Ids.VALID_ID_RULE);
        }
    }

    /** Serves requests for a socket in one state; {@code p} is its participation, null outside a session. */
    private final class Serving implements OpenViduRequest.Handler<Behavior<ToSignalling>> {
        private final Participation p;

        Serving(Participation p) {
            this.p = p;
        }

        @Override
        public Behavior<ToSignalling> ping(JsonNode id, Ping request) {
            reply(id, new OpenViduResult.Pong().json());
            return Behaviors.same();
        }

        @Override
        public Behavior<ToSignalling> joinRoom(JsonNode id, JoinRoom request) throws Invalid {
            long started = System.nanoTime();
            String session = request.session();
            requireValidId(id, "session", session);
            if (request.metadata() != null && request.metadata().length() > settings.maxMetadataLength()) {
                throw new Invalid(id, ErrorCode.INVALID_PARAMS, "invalid params: 'metadata' is longer than "
                        + settings.maxMetadataLength() + " characters");
            }
            String metadata = request.metadata() == null ? "" : request.metadata();
            String platform = request.platform() == null ? "" : OpenViduRequest.abbreviate(request.platform());
            PendingJoin pending = PendingJoin.join(id, metadata, PendingJoin.Attempt.join(session, request.token()),
                    started);
            ActorRef<ParticipantEvent> events = ctx.getSelf().narrow();
            CompletionStage<JoinCompleted> joined = sessions.authorizeJoin(session, request.token())
                    .thenCompose(ticket -> {
                        ParticipantInfo info = new ParticipantInfo(ticket.connection().connectionId(),
                                ticket.connection().createdAt(), metadata, ticket.connection().serverData(),
                                ticket.connection().role(), platform, clientIp);
                        return joinThroughRoute(ticket, info, events, true)
                                .thenApply(done -> {
                                    detachIfLate(pending, done.ticket(), done.reply(), info.connectionId(), events);
                                    return new JoinCompleted(pending, done.ticket(), done.reply(), null);
                                });
                    });
            ctx.pipeToSelf(joined, (done, error) -> error != null ? new JoinCompleted(pending, null, null, error) : done);
            return connection.joining(pending);
        }

        /** An accepted join or resume whose socket closed before the answer is handled still detaches (LateAnswer). */
        private void detachIfLate(PendingJoin pending, SessionService.JoinTicket ticket, MediaNodeClient.Reply<JoinReply> reply,
                                  String connectionId, ActorRef<ParticipantEvent> events) {
            if (reply instanceof Accepted<JoinReply>) {
                pending.lateAnswer().accepted(() -> mediaNodes.signallingClosed(ticket.mediaNode(),
                        ticket.session().sessionId(), connectionId, events));
            }
        }

        /**
         * Joins on the node {@code ticket}'s route names, with its epoch; a node that says the route is stale (this
         * master's replica lags behind a move, ARCHITECTURE.md "Joins carry the route's epoch") makes it read the route
         * again from the majority and join there, once.
         */
        private CompletionStage<RoutedJoin> joinThroughRoute(SessionService.JoinTicket ticket, ParticipantInfo info,
                                                             ActorRef<ParticipantEvent> events, boolean retry) {
            String session = ticket.session().sessionId();
            return mediaNodes.join(ticket.mediaNode(), session, info, events, ticket.session().epoch())
                    .thenCompose(reply -> {
                        if (retry && reply instanceof Rejected<JoinReply> refused
                                && MediaNodeProtocol.isStaleRoute(refused.code().code(), refused.message())) {
                            return sessions.rereadRoute(ticket)
                                    .thenCompose(fresh -> joinThroughRoute(fresh, info, events, false));
                        }
                        return CompletableFuture.completedFuture(new RoutedJoin(ticket, reply));
                    });
        }

        /**
         * {@code connect}: a client whose master died (or whose socket broke) takes its participation back, through
         * this master. The media node checks the resume secret, re-attaches the participant to this actor and
         * replays the events after {@code lastSeq} (openvidu-browser sends none: {@link Connect#LAST_DELIVERED}, after
         * the last event a master confirmed it handed to the client's socket); they may arrive before its answer.
         */
        @Override
        public Behavior<ToSignalling> connect(JsonNode id, Connect request) throws Invalid {
            String session = request.sessionId();
            String connectionId = request.connectionId();
            requireValidId(id, "sessionId", session);
            requireValidId(id, "connectionId", connectionId);
            PendingJoin pending = PendingJoin.resume(id, connectionId, PendingJoin.Attempt.resume(session, connectionId));
            ActorRef<ParticipantEvent> events = ctx.getSelf().narrow();
            CompletionStage<JoinCompleted> resumed = sessions.locateForResume(session, connectionId)
                    .thenCompose(ticket -> mediaNodes.resume(ticket.mediaNode(), session, connectionId,
                                    request.resumeSecret(), request.lastSeq(), events)
                            .thenApply(reply -> {
                                detachIfLate(pending, ticket, reply, connectionId, events);
                                return new JoinCompleted(pending, ticket, reply, null);
                            }));
            ctx.pipeToSelf(resumed, (done, error) -> error != null ? new JoinCompleted(pending, null, null, error) : done);
            return connection.joining(pending);
        }

        @Override
        public Behavior<ToSignalling> leaveRoom(JsonNode id, LeaveRoom request) {
            String leaving = p.connectionId();
            return answerWith(id, mediaNodes.leave(p.mediaNode(), p.sessionId(), leaving, p.attachment()),
                    ack -> new OpenViduResult.Empty(), leaving);
        }

        @Override
        public Behavior<ToSignalling> sendMessage(JsonNode id, SendMessage request) {
            OpenViduResult sent = new OpenViduResult.MessageSent(p.sessionId(), request.to(), request.type(),
                    request.data());
            return answerWith(id, mediaNodes.signal(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment(), request.to(),
                    request.type(), request.data()), ack -> sent, null);
        }

        @Override
        public Behavior<ToSignalling> publishVideo(JsonNode id, PublishVideo request) {
            StreamInfo stream = new StreamInfo(null, 0, request.hasAudio(), request.hasVideo(), request.audioActive(),
                    request.videoActive(), request.typeOfVideo(), request.frameRate(), request.videoDimensions());
            return answerWith(id, mediaNodes.publish(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment(), stream,
                    request.sdpOffer()), SignallingHandler::sdpAnswer, null);
        }

        @Override
        public Behavior<ToSignalling> unpublishVideo(JsonNode id, UnpublishVideo request) {
            return answerWith(id, mediaNodes.unpublish(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment()),
                    ack -> new OpenViduResult.Empty(), null);
        }

        @Override
        public Behavior<ToSignalling> receiveVideoFrom(JsonNode id, ReceiveVideoFrom request) {
            if (request.answersServerOffer()) {
                return answerWith(id, mediaNodes.startSubscribe(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment(),
                        request.sender(), request.sdpAnswer()), ack -> new OpenViduResult.Empty(), null);
            }
            return answerWith(id, mediaNodes.subscribe(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment(),
                    request.sender(), request.sdpOffer()), SignallingHandler::sdpAnswer, null);
        }

        @Override
        public Behavior<ToSignalling> prepareReceiveVideoFrom(JsonNode id, PrepareReceiveVideoFrom request) {
            return answerWith(id, mediaNodes.prepareSubscribe(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment(),
                    request.sender(), request.reconnect()),
                    reply -> new OpenViduResult.SdpOffer(reply.sdpAnswer()), null);
        }

        @Override
        public Behavior<ToSignalling> onIceCandidate(JsonNode id, OnIceCandidate request) throws Invalid {
            requireValidId(id, "endpointName", request.endpointName());
            if (connection.reconnects().holdCandidate(p, request)) {
                return answerWith(id, java.util.concurrent.CompletableFuture.completedFuture(
                        new Accepted<>(io.tessera.common.protocol.MediaNodeProtocol.Ack.success())),
                        ack -> new OpenViduResult.Empty(), null);
            }
            return answerWith(id, mediaNodes.iceCandidate(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment(),
                    request.endpointName(), request.candidate(), request.sdpMid(), request.sdpMLineIndex()),
                    ack -> new OpenViduResult.Empty(), null);
        }

        /** Only reported for OpenVidu's session info; nothing here needs it. */
        @Override
        public Behavior<ToSignalling> videoData(JsonNode id, VideoData request) {
            reply(id, new OpenViduResult.Empty().json());
            return Behaviors.same();
        }

        /** Answered from the routing table: whether the session exists; {@code life} never changes (see the result). */
        @Override
        public Behavior<ToSignalling> sessionStatus(JsonNode id, SessionStatus request) throws Invalid {
            requireValidId(id, "sessionId", request.sessionId());
            CompletionStage<OpenViduResult> status = sessions.session(request.sessionId())
                    .handle((found, error) -> new OpenViduResult.SessionStatusResult(request.sessionId(), error == null));
            ctx.pipeToSelf(status, (result, error) -> new Answered(id, result, error == null ? null
                    : Rejected.silence("the routing table did not answer"), null));
            return Behaviors.same();
        }

        @Override
        public Behavior<ToSignalling> echo(JsonNode id, Echo request) {
            reply(id, new OpenViduResult.Empty().json());
            return Behaviors.same();
        }

        /**
         * openvidu-browser rebuilds a stream: its own (a new offer, answered as publishVideo under the same stream
         * id) or a subscription (its answer to the node's offer); the media node tells which by the stream's owner.
         * Held while the participant's session is moving off a dead node ({@link StreamReconnects}).
         */
        @Override
        public Behavior<ToSignalling> reconnectStream(JsonNode id, ReconnectStream request) throws Invalid {
            requireValidId(id, "stream", request.stream());
            connection.reconnects().request(p, id, request);
            return Behaviors.same();
        }

        /** The media node keeps the new value and tells the others; the caller gets {@code {}}, as from OpenVidu. */
        @Override
        public Behavior<ToSignalling> streamPropertyChanged(JsonNode id, StreamPropertyChanged request)
                throws Invalid {
            requireValidId(id, "streamId", request.streamId());
            return answerWith(id, mediaNodes.changeStreamProperty(p.mediaNode(), p.sessionId(), p.connectionId(),
                    p.attachment(), request.streamId(), request.property().wireName(), request.newValue(), request.reason()),
                    ack -> new OpenViduResult.Empty(), null);
        }

        @Override
        public Behavior<ToSignalling> unsubscribeFromVideo(JsonNode id, UnsubscribeFromVideo request) {
            return answerWith(id, mediaNodes.unsubscribe(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment(),
                    request.sender()), ack -> new OpenViduResult.Empty(), null);
        }
    }

    private static OpenViduResult sdpAnswer(SdpReply reply) {
        StreamInfo stream = reply.stream(); // set for publishVideo only
        return stream != null ? new OpenViduResult.SdpAnswer(stream.streamId(), stream.createdAt(), reply.sdpAnswer())
                : new OpenViduResult.SdpAnswer(null, 0, reply.sdpAnswer());
    }

    /** A publisher's reconnection answers as publishVideo; a subscriber's answer to the node's offer gets {}. */
    static OpenViduResult sdpAnswerOrEmpty(SdpReply reply) {
        return reply.sdpAnswer() == null ? new OpenViduResult.Empty() : sdpAnswer(reply);
    }

    /**
     * Answers request {@code id} once the media node did: {@code result} of its answer, or its refusal. With
     * {@code leaving} set, the participant is out of its session once the node accepted.
     */
    private <T> Behavior<ToSignalling> answerWith(JsonNode id, CompletionStage<MediaNodeClient.Reply<T>> asked,
                                                  Function<T, OpenViduResult> result, String leaving) {
        ctx.pipeToSelf(asked, (reply, error) -> {
            if (reply instanceof Accepted<T> accepted) {
                return new Answered(id, result.apply(accepted.value()), null, leaving);
            }
            Rejected<T> rejected = reply instanceof Rejected<T> r ? r
                    : Rejected.<T>silence("the session's media node did not answer in time");
            return new Answered(id, null, rejected, null);
        });
        return Behaviors.same();
    }
}
