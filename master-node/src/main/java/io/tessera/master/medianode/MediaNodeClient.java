package io.tessera.master.medianode;

import io.tessera.common.cluster.Asks;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.Command;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.SessionsMedia;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.wire.jsonrpc.ErrorCode;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The one place a master asks a media node something and waits for the answer (signalling, REST through
 * {@code SessionService}, failover). Every call has the same timeout, and every outcome is a {@link Reply}: the
 * node's answer ({@link Accepted}) or why there is none ({@link Rejected}: the node's refusal with its code, or
 * {@link ErrorCode#UNAVAILABLE} when it did not answer in time). The returned stages never fail.
 * <p>
 * Three commands are fire-and-forget ({@link #closeSession}, {@link #evict}, {@link #release}): their callers have
 * already done what decides the outcome (removed the session or the connection from the routing table, or moved the
 * session elsewhere), and a node that is gone has nothing left to close. Their answers go to the ignore reference, so
 * no ask actor and no timeout is spent on them.
 */
public final class MediaNodeClient {
    private static final Logger log = LoggerFactory.getLogger(MediaNodeClient.class);

    /** What a media node answered. */
    public sealed interface Reply<T> permits Accepted, Rejected {
    }

    /** The node did it; {@code value} is its answer. */
    public record Accepted<T>(T value) implements Reply<T> {
    }

    /**
     * The node refused ({@code code} its reason), or did not answer in time ({@code silent}, always
     * {@link ErrorCode#UNAVAILABLE}). A refusal is an answer: the node did not do it. After a silence it may have.
     */
    public record Rejected<T>(ErrorCode code, String message, boolean silent) implements Reply<T> {
        /** The node's refusal. */
        public Rejected(ErrorCode code, String message) {
            this(code, message, false);
        }

        /** No answer in time: the node may have done it or not. */
        public static <T> Rejected<T> silence(String message) {
            return new Rejected<>(ErrorCode.UNAVAILABLE, message, true);
        }

        /** The node answered 503, which a media node does when it hosts its {@code max-sessions}: another may have room. */
        public boolean noRoom() {
            return !silent && code == ErrorCode.UNAVAILABLE;
        }

        /** The same refusal, as the reply of a call with another answer type. */
        @SuppressWarnings("unchecked")
        public <U> Rejected<U> cast() {
            return (Rejected<U>) this;
        }
    }

    private final ActorSystem<?> system;
    private final ActorRef<Ack> noReply;
    private final Duration timeout;

    public MediaNodeClient(ActorSystem<?> system, Duration timeout) {
        this.system = system;
        this.noReply = system.ignoreRef();
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    // ---- node and session placement

    /** Start hosting a session that was just placed on {@code node}; the node keeps {@code descriptor} for inventories. */
    public CompletionStage<Reply<Ack>> hostSession(ActorRef<Command> node, String sessionId,
                                                   MediaNodeProtocol.SessionDescriptor descriptor) {
        return ack(node, replyTo -> new MediaNodeProtocol.HostSession(sessionId, replyTo, descriptor), "media node");
    }

    /** {@code running} (deadline 0) or {@code draining} until {@code drainDeadlineMillis}, which the node reports. */
    public CompletionStage<Reply<Ack>> setStatus(ActorRef<Command> node, String status, long drainDeadlineMillis) {
        return ack(node, replyTo -> new MediaNodeProtocol.SetNodeStatus(status, drainDeadlineMillis, replyTo),
                "media node");
    }

    /**
     * The live media of {@code sessionIds} on {@code node} (sessions it does not host are left out), within
     * {@code within}: REST views ask with a shorter bound than commands, and show what they have without it.
     */
    public CompletionStage<Reply<SessionsMedia>> describe(ActorRef<Command> node, List<String> sessionIds,
                                                          Duration within) {
        return Asks.<Command, SessionsMedia>ask(node, replyTo -> new MediaNodeProtocol.DescribeSessions(
                        sessionIds, replyTo), within, system)
                .handle((media, error) -> error != null
                        ? Rejected.<SessionsMedia>silence("the media node did not answer within "
                                + within.toMillis() + " ms")
                        : media.mediaNodeId() == null ? new Rejected<>(ErrorCode.BAD_REQUEST, media.error())
                        : new Accepted<>(media));
    }

    /**
     * Fire-and-forget: the node ends the session and tells its participants why ({@code reason}). Closing a session
     * the node no longer has is already done, so there is nothing to wait for.
     */
    public void closeSession(ActorRef<Command> node, String sessionId, String reason) {
        node.tell(new MediaNodeProtocol.CloseSession(sessionId, reason, noReply));
    }

    /**
     * Fire-and-forget: the node stops its copy of a session that now lives on another node (drain, or the loser of
     * a placement race); the masters' routing table is not touched.
     */
    public void release(ActorRef<Command> node, String sessionId) {
        node.tell(new MediaNodeProtocol.ReleaseSession(sessionId, noReply));
    }

    /**
     * Fire-and-forget: the session moved away from {@code node} at route epoch {@code epoch}; its copy there keeps
     * forwarding until released, but takes no join through an older route (a master's lagging replica).
     */
    public void supersede(ActorRef<Command> node, String sessionId, long epoch) {
        node.tell(new MediaNodeProtocol.SupersedeSession(sessionId, epoch));
    }

    // ---- participants (their own commands go with their attachment: see attached below)

    /**
     * Fire-and-forget: the node removes the participant and tells it why ({@code reason}). The caller has already
     * revoked its connection; a participant that has left meanwhile is gone either way.
     */
    public void evict(ActorRef<Command> node, String sessionId, String connectionId, String reason) {
        node.tell(new MediaNodeProtocol.Evict(sessionId, connectionId, reason, noReply));
    }

    /**
     * Fire-and-forget: the participant's signalling actor {@code signalling} stopped while it was in the session (or
     * before its join's answer came); the node keeps it for the grace window if that actor still serves it.
     */
    public void signallingClosed(ActorRef<Command> node, String sessionId, String connectionId,
                                 ActorRef<ParticipantEvent> signalling) {
        node.tell(new MediaNodeProtocol.SignallingClosed(sessionId, connectionId, signalling));
    }

    /**
     * Fire-and-forget: the participant's events up to {@code seq} were handed to its client's socket. With its
     * attachment: a replaced path (a thawed master) confirming what it wrote to a socket nobody reads any more would
     * make a later resume without {@code lastSeq} skip those events.
     */
    public void delivered(ActorRef<Command> node, String sessionId, String connectionId, long attachment, long seq) {
        node.tell(attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.EventsDelivered(sessionId, connectionId, seq)));
    }

    /**
     * A participant joins through a route at {@code routeEpoch}; its events go to {@code signalling}. A node whose
     * copy is not that route's refuses it ({@link MediaNodeProtocol#isStaleRoute}).
     */
    public CompletionStage<Reply<JoinReply>> join(ActorRef<Command> node, String sessionId, ParticipantInfo participant,
                                                  ActorRef<ParticipantEvent> signalling, long routeEpoch) {
        return joinReply(node, replyTo -> new MediaNodeProtocol.Join(sessionId, participant, signalling, replyTo,
                routeEpoch));
    }

    /**
     * A participant follows its session from {@code movedFrom} with its sequence at {@code lastSeq}, keeping the
     * {@code resumeSecret} its client holds (null: the new node makes one).
     */
    public CompletionStage<Reply<JoinReply>> rejoinMoved(ActorRef<Command> node, String sessionId,
                                                         ParticipantInfo participant,
                                                         ActorRef<ParticipantEvent> signalling, String movedFrom,
                                                         long lastSeq, String reason, String resumeSecret) {
        return joinReply(node, replyTo -> new MediaNodeProtocol.Join(sessionId, participant, signalling, replyTo,
                movedFrom, lastSeq, reason, resumeSecret));
    }

    /** A participant takes its participation back through another socket; the node checks the secret. */
    public CompletionStage<Reply<JoinReply>> resume(ActorRef<Command> node, String sessionId, String connectionId,
                                                    String resumeSecret, long lastSeq,
                                                    ActorRef<ParticipantEvent> signalling) {
        return joinReply(node, replyTo -> new MediaNodeProtocol.Resume(sessionId, connectionId, resumeSecret, lastSeq,
                signalling, replyTo));
    }

    public CompletionStage<Reply<Ack>> leave(ActorRef<Command> node, String sessionId, String connectionId,
                                             long attachment) {
        return ack(node, replyTo -> attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.Leave(sessionId, connectionId, replyTo)), "session's media node");
    }

    /** A signal to {@code to} (everyone when empty) sent through REST. */
    public CompletionStage<Reply<Ack>> signal(ActorRef<Command> node, String sessionId, List<String> to,
                                              String type, String data) {
        return ack(node, replyTo -> new MediaNodeProtocol.Signal(sessionId, null, to, type, data, replyTo),
                "session's media node");
    }

    /** A participant's signal to {@code to} (everyone when empty), sent through its attachment. */
    public CompletionStage<Reply<Ack>> signal(ActorRef<Command> node, String sessionId, String from, long attachment,
                                              List<String> to, String type, String data) {
        return ack(node, replyTo -> attached(sessionId, from, attachment,
                new MediaNodeProtocol.Signal(sessionId, from, to, type, data, replyTo)), "session's media node");
    }

    // ---- media

    public CompletionStage<Reply<SdpReply>> publish(ActorRef<Command> node, String sessionId, String connectionId,
                                                    long attachment, StreamInfo stream, String sdpOffer) {
        return sdp(node, replyTo -> attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.Publish(sessionId, connectionId, stream, sdpOffer, replyTo)));
    }

    public CompletionStage<Reply<SdpReply>> subscribe(ActorRef<Command> node, String sessionId, String connectionId,
                                                      long attachment, String streamId, String sdpOffer) {
        return sdp(node, replyTo -> attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.Subscribe(sessionId, connectionId, streamId, sdpOffer, replyTo)));
    }

    public CompletionStage<Reply<Ack>> unpublish(ActorRef<Command> node, String sessionId, String connectionId,
                                                 long attachment) {
        return ack(node, replyTo -> attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.Unpublish(sessionId, connectionId, replyTo)), "session's media node");
    }

    public CompletionStage<Reply<Ack>> unsubscribe(ActorRef<Command> node, String sessionId, String connectionId,
                                                   long attachment, String streamId) {
        return ack(node, replyTo -> attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.Unsubscribe(sessionId, connectionId, streamId, replyTo)), "session's media node");
    }

    /** WebRTC, server offer: the reply's {@code sdpAnswer} field holds the media node's offer. */
    public CompletionStage<Reply<SdpReply>> prepareSubscribe(ActorRef<Command> node, String sessionId,
                                                             String connectionId, long attachment, String streamId,
                                                             boolean reconnect) {
        return sdp(node, replyTo -> attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.PrepareSubscribe(sessionId, connectionId, streamId, reconnect, replyTo)));
    }

    public CompletionStage<Reply<Ack>> startSubscribe(ActorRef<Command> node, String sessionId, String connectionId,
                                                      long attachment, String streamId, String sdpAnswer) {
        return ack(node, replyTo -> attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.StartSubscribe(sessionId, connectionId, streamId, sdpAnswer, replyTo)),
                "session's media node");
    }

    public CompletionStage<Reply<SdpReply>> reconnectStream(ActorRef<Command> node, String sessionId,
                                                            String connectionId, long attachment, String streamId,
                                                            String sdp) {
        return sdp(node, replyTo -> attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.ReconnectStream(sessionId, connectionId, streamId, sdp, replyTo)));
    }

    public CompletionStage<Reply<Ack>> iceCandidate(ActorRef<Command> node, String sessionId, String connectionId,
                                                    long attachment, String endpointName, String candidate,
                                                    String sdpMid, int sdpMLineIndex) {
        return ack(node, replyTo -> attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.AddIceCandidate(sessionId, connectionId, endpointName, candidate, sdpMid,
                        sdpMLineIndex, replyTo)), "session's media node");
    }

    /**
     * A participant's own command carries the attachment its signalling path got at its join or resume: the media
     * node refuses it once a resume elsewhere replaced that path (docs/ARCHITECTURE.md "Fencing").
     */
    private static Command attached(String sessionId, String connectionId, long attachment, Command command) {
        return new MediaNodeProtocol.Attached(sessionId, connectionId, attachment, command);
    }

    /** A publisher changed a property of its stream; {@code newValue} in the property's plain form. */
    public CompletionStage<Reply<Ack>> changeStreamProperty(ActorRef<Command> node, String sessionId,
                                                            String connectionId, long attachment, String streamId,
                                                            String property, String newValue, String reason) {
        return ack(node, replyTo -> attached(sessionId, connectionId, attachment,
                new MediaNodeProtocol.ChangeStreamProperty(sessionId, connectionId, streamId, property, newValue,
                        reason, replyTo)), "session's media node");
    }

    // ---- the three answer shapes

    private CompletionStage<Reply<Ack>> ack(ActorRef<Command> node, Function<ActorRef<Ack>, Command> command,
                                            String who) {
        return Asks.ask(node, command::apply, timeout, system).handle((ack, error) -> error != null
                ? silent(who) : ack.ok() ? new Accepted<>(ack) : refused(ack.errorCode(), ack.error()));
    }

    private CompletionStage<Reply<JoinReply>> joinReply(ActorRef<Command> node,
                                                        Function<ActorRef<JoinReply>, Command> command) {
        return Asks.ask(node, command::apply, timeout, system).handle((reply, error) -> error != null
                ? silent("session's media node")
                : reply.ok() ? new Accepted<>(reply) : refused(reply.errorCode(), reply.error()));
    }

    private CompletionStage<Reply<SdpReply>> sdp(ActorRef<Command> node, Function<ActorRef<SdpReply>, Command> command) {
        return Asks.ask(node, command::apply, timeout, system).handle((reply, error) -> error != null
                ? silent("session's media node")
                : reply.ok() ? new Accepted<>(reply) : refused(reply.errorCode(), reply.error()));
    }

    private <T> Rejected<T> silent(String who) {
        return Rejected.silence("the " + who + " did not answer within " + timeout.toMillis() + " ms");
    }

    private static <T> Rejected<T> refused(int code, String message) {
        return new Rejected<>(ErrorCode.of(code).orElseGet(() -> {
            log.warn("a media node refused with code {}, which the contract does not list; answering 503", code);
            return ErrorCode.UNAVAILABLE;
        }), message);
    }
}
