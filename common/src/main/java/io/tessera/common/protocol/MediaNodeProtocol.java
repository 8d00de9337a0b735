package io.tessera.common.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.tessera.wire.jsonrpc.ErrorCode;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.List;

/**
 * What masters say to a media node's session manager, and what it answers. Masters find the manager
 * in the media node's {@link LoadReport}; events for one participant go to that participant's
 * signalling actor on whichever master it is connected through.
 */
public final class MediaNodeProtocol {
    private MediaNodeProtocol() {
    }

    /** Commands handled by a media node's session manager. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes({
            @JsonSubTypes.Type(value = HostSession.class, name = "host"),
            @JsonSubTypes.Type(value = Join.class, name = "join"),
            @JsonSubTypes.Type(value = Leave.class, name = "leave"),
            @JsonSubTypes.Type(value = Signal.class, name = "signal"),
            @JsonSubTypes.Type(value = Evict.class, name = "evict"),
            @JsonSubTypes.Type(value = CloseSession.class, name = "close"),
            @JsonSubTypes.Type(value = Publish.class, name = "publish"),
            @JsonSubTypes.Type(value = Unpublish.class, name = "unpublish"),
            @JsonSubTypes.Type(value = Subscribe.class, name = "subscribe"),
            @JsonSubTypes.Type(value = Unsubscribe.class, name = "unsubscribe"),
            @JsonSubTypes.Type(value = PrepareSubscribe.class, name = "prepareSubscribe"),
            @JsonSubTypes.Type(value = StartSubscribe.class, name = "startSubscribe"),
            @JsonSubTypes.Type(value = ReconnectStream.class, name = "reconnectStream"),
            @JsonSubTypes.Type(value = AddIceCandidate.class, name = "iceCandidate"),
            @JsonSubTypes.Type(value = ChangeStreamProperty.class, name = "changeStreamProperty"),
            @JsonSubTypes.Type(value = Resume.class, name = "resume"),
            @JsonSubTypes.Type(value = ReleaseSession.class, name = "release"),
            @JsonSubTypes.Type(value = SetNodeStatus.class, name = "status"),
            @JsonSubTypes.Type(value = DescribeSessions.class, name = "describeSessions"),
            @JsonSubTypes.Type(value = DescribeSession.class, name = "describeSession"),
            @JsonSubTypes.Type(value = ReportInventory.class, name = "inventory"),
            @JsonSubTypes.Type(value = EventsDelivered.class, name = "delivered"),
            @JsonSubTypes.Type(value = SignallingClosed.class, name = "signallingClosed"),
            @JsonSubTypes.Type(value = Attached.class, name = "attached"),
            @JsonSubTypes.Type(value = SupersedeSession.class, name = "supersede")})
    public sealed interface Command extends ClusterSerializable
            permits HostSession, Join, Leave, Signal, Evict, CloseSession, Publish, Unpublish, Subscribe, Unsubscribe,
            PrepareSubscribe, StartSubscribe, ReconnectStream, AddIceCandidate, ChangeStreamProperty, Resume,
            ReleaseSession, SetNodeStatus, DescribeSessions, DescribeSession, ReportInventory, EventsDelivered, Attached,
            SupersedeSession, SignallingClosed {
        String sessionId();

        /** Answers the sender that the command failed; codes as in docs/CONTRACT.md. */
        void reject(int code, String error);

        /** Answers the sender that the command failed with a code of the contract. */
        default void reject(ErrorCode code, String error) {
            reject(code.code(), error);
        }
    }

    /**
     * Start hosting a session that a master just placed here. Idempotent. {@code descriptor}: what the session was
     * created with and its route's epoch here, kept by the node for {@link ReportInventory} (null from an older master).
     */
    public record HostSession(String sessionId, ActorRef<Ack> replyTo, SessionDescriptor descriptor) implements Command {

        public HostSession(String sessionId, ActorRef<Ack> replyTo) {
            this(sessionId, replyTo, null);
        }

        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /**
     * A participant joins; its events will be sent to {@code signalling}. After its session moved to this node
     * (its media node failed, or was drained) {@code movedFrom} names the old node: the participant comes back
     * with its sequence at {@code lastSeq}, the others are not told it joined, its first event is
     * {@link MediaNodeFailed}, and it keeps {@code resumeSecret}, the secret it had there: its client's resume handle
     * (openvidu-browser's joinRoom {@code sessionId}, which it never updates) must still work after the move. A fresh
     * join, or a moved one without it (an older master), gets a new secret.
     *
     * <p>{@code routeEpoch}: the epoch of the route the master read to send the join here (0: not judged, from an
     * older master or a moved participant). The node refuses the join with {@link ErrorCode#CONFLICT} and an error
     * that starts with {@link #STALE_ROUTE} when its copy of the session has another epoch, or when it released the
     * copy that route names (the session moved away): the master reads the route again and joins where it says.
     */
    public record Join(String sessionId, ParticipantInfo participant, ActorRef<ParticipantEvent> signalling,
                       ActorRef<JoinReply> replyTo, String movedFrom, long lastSeq, String reason,
                       String resumeSecret, long routeEpoch) implements Command {

        public Join(String sessionId, ParticipantInfo participant, ActorRef<ParticipantEvent> signalling,
                    ActorRef<JoinReply> replyTo) {
            this(sessionId, participant, signalling, replyTo, null, 0, null, null, 0);
        }

        /** A fresh join through a route at {@code routeEpoch}. */
        public Join(String sessionId, ParticipantInfo participant, ActorRef<ParticipantEvent> signalling,
                    ActorRef<JoinReply> replyTo, long routeEpoch) {
            this(sessionId, participant, signalling, replyTo, null, 0, null, null, routeEpoch);
        }

        /** A participant following its session here (not judged by epoch). */
        public Join(String sessionId, ParticipantInfo participant, ActorRef<ParticipantEvent> signalling,
                    ActorRef<JoinReply> replyTo, String movedFrom, long lastSeq, String reason, String resumeSecret) {
            this(sessionId, participant, signalling, replyTo, movedFrom, lastSeq, reason, resumeSecret, 0);
        }

        @Override
        public void reject(int code, String error) {
            replyTo.tell(JoinReply.failure(code, error));
        }

        /** The secret stays out of logs and dead-letter messages. */
        @Override
        public String toString() {
            return "Join[" + sessionId + ", " + participant.connectionId() + ", routeEpoch=" + routeEpoch
                    + (movedFrom == null ? ""
                    : ", movedFrom=" + movedFrom + ", lastSeq=" + lastSeq + ", reason=" + reason) + "]";
        }
    }

    /**
     * A participant's client came back through a master (maybe another one) after its signalling path broke:
     * from now on its events go to {@code signalling}, starting with every event after {@code lastSeq}
     * ({@link #LAST_DELIVERED}: after the last one a master confirmed it delivered).
     */
    public record Resume(String sessionId, String connectionId, String resumeSecret, long lastSeq,
                         ActorRef<ParticipantEvent> signalling, ActorRef<JoinReply> replyTo) implements Command {
        /** {@code lastSeq} unknown to the client: go on after the last event its master confirmed ({@link EventsDelivered}). */
        public static final long LAST_DELIVERED = -1;

        @Override
        public void reject(int code, String error) {
            replyTo.tell(JoinReply.failure(code, error));
        }

        /** The secret stays out of logs and dead-letter messages. */
        @Override
        public String toString() {
            return "Resume[" + sessionId + ", " + connectionId + ", lastSeq=" + lastSeq + "]";
        }
    }

    /**
     * How a join refused for its route's epoch begins its error ({@link ErrorCode#CONFLICT}): the master read a route
     * that is not the session's current one (its replica lags, or the session moved meanwhile); it reads the route
     * again from the majority and joins there.
     */
    public static final String STALE_ROUTE = "stale route: ";

    /** Whether a join's refusal says its route was stale ({@link #STALE_ROUTE}). */
    public static boolean isStaleRoute(int code, String error) {
        return code == ErrorCode.CONFLICT.code() && error != null && error.startsWith(STALE_ROUTE);
    }

    /** The attachment a participant has after its join: every resume gives it the next one. */
    public static final long FIRST_ATTACHMENT = 1;

    /**
     * A participant's own command ({@link Leave}, {@link Signal} from it, {@link Publish} and the other media commands)
     * as sent through its attachment number {@code attachment}: the fencing token of the signalling path it came
     * through ({@link JoinReply#attachment()}). The media node serves {@code command} only while that is still the
     * participant's attachment; a command sent through a path that a resume has since replaced (a master that was
     * frozen or cut off, relaying what queued up meanwhile) is refused with {@link ErrorCode#CONFLICT} and counted.
     * A participant command that comes without this wrapper counts as sent through {@link #FIRST_ATTACHMENT}.
     */
    public record Attached(String sessionId, String connectionId, long attachment, Command command) implements Command {
        @Override
        public void reject(int code, String error) {
            command.reject(code, error);
        }
    }

    /**
     * Told by a media node to the signalling actor of a participant's attachment that a resume replaced: the
     * participant is served through attachment {@code attachment} now, so this path is closed (its socket too).
     */
    public record AttachmentSuperseded(String sessionId, String connectionId, long attachment)
            implements ClusterSerializable, ToSignalling {
    }

    /**
     * Fire-and-forget from the participant's master: every event up to {@code seq} was handed to the client's socket.
     * A resume without {@code lastSeq} (openvidu-browser's, {@code Resume.LAST_DELIVERED}) goes on after it, so the
     * browser never gets an event twice that this confirmed (docs/CONTRACT.md, "connect").
     */
    public record EventsDelivered(String sessionId, String connectionId, long seq) implements Command {
        @Override
        public void reject(int code, String error) {
            // nothing waits for it: a session or participant that is gone needs no confirmation
        }
    }

    /**
     * Fire-and-forget from a participant's master: its signalling actor {@code signalling} stopped while the participant
     * was still in the session (its socket closed or went silent without a leave, or closed before its join's answer
     * came). The node detaches the participant if it is still served through that actor, and keeps it for the grace
     * window. A master that dies sends nothing: the node learns that from cluster membership (the master's removal),
     * which is why the node no longer watches each participant's actor (remote DeathWatch cost 6 of the 24 messages on
     * the wire of a join plus a leave: docs/BENCHMARKS.md, "Wire census").
     */
    public record SignallingClosed(String sessionId, String connectionId, ActorRef<ParticipantEvent> signalling)
            implements Command {
        @Override
        public void reject(int code, String error) {
            // nothing waits for it: a participant that is gone, or served through another actor, needs no detaching
        }
    }

    /** A participant leaves by its own will (reason {@code disconnect}). */
    public record Leave(String sessionId, String connectionId, ActorRef<Ack> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /**
     * A signal to the session. {@code from} is null when it comes from the REST API; an empty {@code to}
     * means every participant.
     */
    public record Signal(String sessionId, String from, List<String> to, String type, String data,
                         ActorRef<Ack> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /** The server removes a participant (REST connection delete). */
    public record Evict(String sessionId, String connectionId, String reason, ActorRef<Ack> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /** The session is closed (REST session delete): every participant is evicted. */
    public record CloseSession(String sessionId, String reason, ActorRef<Ack> replyTo) implements Command {
        /** Closing a session that is not there (any more) is already done. */
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.success());
        }
    }

    /**
     * A participant publishes its stream (one per participant, as OpenVidu). {@code stream} carries the client's
     * description; the media node fills in the stream id and creation time.
     */
    public record Publish(String sessionId, String connectionId, StreamInfo stream, String sdpOffer,
                          ActorRef<SdpReply> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(SdpReply.failure(code, error));
        }
    }

    /** A participant stops publishing; its subscribers stop receiving it. */
    public record Unpublish(String sessionId, String connectionId, ActorRef<Ack> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /** A participant starts receiving another participant's stream. */
    public record Subscribe(String sessionId, String connectionId, String streamId, String sdpOffer,
                            ActorRef<SdpReply> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(SdpReply.failure(code, error));
        }
    }

    /**
     * A participant asks the media node to offer it a stream (WebRTC, server offer): the reply's {@code sdpAnswer}
     * field carries the node's <em>offer</em>; the participant answers it with {@link StartSubscribe}.
     */
    public record PrepareSubscribe(String sessionId, String connectionId, String streamId, boolean reconnect,
                                   ActorRef<SdpReply> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(SdpReply.failure(code, error));
        }
    }

    /** The participant's answer to the offer of {@link PrepareSubscribe}: media starts flowing. */
    public record StartSubscribe(String sessionId, String connectionId, String streamId, String sdpAnswer,
                                 ActorRef<Ack> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /**
     * A participant rebuilds one of its WebRTC streams with a new PeerConnection (openvidu-browser's
     * {@code reconnectStream}). Its own stream ({@code streamId} is the one it published, or, after its session moved
     * here, the one it published on the old node): {@code sdp} is its new offer, published again under the same id;
     * the reply carries the stream and the answer, and the stream's subscribers are offered it again once it is up.
     * Another's stream: {@code sdp} answers the offer the node made for the subscription (the reply has no SDP).
     */
    public record ReconnectStream(String sessionId, String connectionId, String streamId, String sdp,
                                  ActorRef<SdpReply> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(SdpReply.failure(code, error));
        }
    }

    /**
     * A trickled ICE candidate of participant {@code connectionId} for the WebRTC endpoint of {@code endpointName}'s
     * stream: its own publisher when {@code endpointName} is its own connection id, else its subscription to that
     * participant's stream. An empty {@code candidate} ends its candidates.
     */
    public record AddIceCandidate(String sessionId, String connectionId, String endpointName, String candidate,
                                  String sdpMid, int sdpMLineIndex, ActorRef<Ack> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /**
     * A publisher changed a property of its stream {@code streamId} ({@code streamPropertyChanged}): the node keeps it
     * in the stream's description (REST, later joiners) and tells the others. {@code property}: the wire name of a
     * {@code StreamProperty}; {@code newValue} in its plain form.
     */
    public record ChangeStreamProperty(String sessionId, String connectionId, String streamId, String property,
                                       String newValue, String reason, ActorRef<Ack> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /** A participant stops receiving a stream. */
    public record Unsubscribe(String sessionId, String connectionId, String streamId, ActorRef<Ack> replyTo)
            implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /**
     * A published stream as OpenVidu 2 describes it to the other participants.
     *
     * @param videoDimensions JSON text, e.g. {@code {"width":640,"height":480}}, as openvidu-browser sends it
     */
    public record StreamInfo(String streamId, long createdAt, boolean hasAudio, boolean hasVideo, boolean audioActive,
                             boolean videoActive, String typeOfVideo, int frameRate, String videoDimensions)
            implements ClusterSerializable {

        public StreamInfo withIdentity(String id, long created) {
            return new StreamInfo(id, created, hasAudio, hasVideo, audioActive, videoActive, typeOfVideo, frameRate,
                    videoDimensions);
        }

        /** The same stream with its mutable properties ({@code streamPropertyChanged}) set. */
        public StreamInfo withActive(boolean audio, boolean video, String dimensions) {
            return new StreamInfo(streamId, createdAt, hasAudio, hasVideo, audio, video, typeOfVideo, frameRate,
                    dimensions);
        }
    }

    /** Answer to {@link Publish} and {@link Subscribe}: the stream (publish only) and the media node's SDP answer. */
    public record SdpReply(boolean ok, int errorCode, String error, StreamInfo stream, String sdpAnswer)
            implements ClusterSerializable {
        public static SdpReply failure(int code, String error) {
            return new SdpReply(false, code, error, null, null);
        }

        public static SdpReply failure(ErrorCode code, String error) {
            return failure(code.code(), error);
        }
    }

    /** A participant already in the session, with the stream it publishes (if any), as a joiner sees it. */
    public record PeerInfo(ParticipantInfo participant, List<StreamInfo> streams) implements ClusterSerializable {
    }

    /**
     * The session moved to another node (drain): stop it here without a word to anyone, its participants have
     * followed it. Unlike {@link CloseSession}, the masters' routing table is not touched.
     */
    public record ReleaseSession(String sessionId, ActorRef<Ack> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.success()); // nothing left to release
        }
    }

    /**
     * Fire-and-forget: the session moved to another node at route epoch {@code epoch} (a drain), but its copy here
     * keeps forwarding until its streams are up there (make before break) and is released after. Meanwhile the copy
     * takes no join through a route older than {@code epoch}: a master whose replica still names this node is sent to
     * read the route again ({@link #STALE_ROUTE}), as for a released copy.
     */
    public record SupersedeSession(String sessionId, long epoch) implements Command {
        @Override
        public void reject(int code, String error) {
            // nobody waits: a node that cannot take it (fenced, gone) takes no join either
        }
    }

    /**
     * Node-wide: {@code running} or {@code draining} (no new sessions are placed here); no session id.
     * {@code drainDeadlineMillis}: when the masters move the sessions still there (UTC ms), 0 with {@code running}.
     * The node keeps it and puts it in its load reports, so that every master knows it, not only the one that set it.
     */
    public record SetNodeStatus(String status, long drainDeadlineMillis, ActorRef<Ack> replyTo) implements Command {
        public SetNodeStatus(String status, ActorRef<Ack> replyTo) {
            this(status, 0, replyTo);
        }

        @Override
        public String sessionId() {
            return "";
        }

        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /**
     * Node-wide: what the media node's sessions hold right now (participants, published streams, subscriptions), for
     * the REST views. The media node is the ground truth of streams; masters ask it when they build a session's view.
     * {@code sessionIds}: the sessions wanted (at most {@link #MAX_DESCRIBED}); sessions not hosted here are left
     * out of the answer.
     */
    public record DescribeSessions(List<String> sessionIds, ActorRef<SessionsMedia> replyTo) implements Command {
        /** More ids than a node hosts sessions by default would only be a mistake (or an abuse). */
        public static final int MAX_DESCRIBED = 10_000;

        @Override
        public String sessionId() {
            return "";
        }

        @Override
        public void reject(int code, String error) {
            replyTo.tell(new SessionsMedia(null, List.of(), error));
        }
    }

    /** One session's part of {@link DescribeSessions}, asked of the session itself on its node. */
    public record DescribeSession(String sessionId, ActorRef<SessionMedia> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(new SessionMedia(sessionId, false, List.of()));
        }
    }

    /**
     * Answer to {@link DescribeSessions}: the described sessions that are hosted here. {@code error} is null, or why
     * the node could not answer for every session (then {@code sessions} holds those that answered).
     */
    public record SessionsMedia(String mediaNodeId, List<SessionMedia> sessions, String error)
            implements ClusterSerializable {
    }

    /** A session's participants as its media node sees them; {@code hosted} false when the node has no such session. */
    public record SessionMedia(String sessionId, boolean hosted, List<ConnectionMedia> connections)
            implements ClusterSerializable {
    }

    /** A participant's media: the stream it publishes (OpenVidu allows one; empty when none) and what it receives. */
    public record ConnectionMedia(String connectionId, List<StreamInfo> published, List<Subscription> subscriptions)
            implements ClusterSerializable {
    }

    /** A stream a participant receives: the stream, the connection publishing it, and since when (UTC ms). */
    public record Subscription(String streamId, String publisherConnectionId, long createdAt)
            implements ClusterSerializable {
    }

    /** The priority whose sessions are placed again first after a failure, and spread over the nodes at creation. */
    public static final String PROTECTED = "protected";

    /**
     * A session's properties as its master created it, and the epoch of its route to the node that keeps this copy:
     * what a master needs to write the session's record again when every master was lost (docs/ARCHITECTURE.md
     * "Losing every master").
     */
    public record SessionDescriptor(long createdAt, long epoch, String priority, String customSessionId,
                                    String mediaMode, String recordingMode, String forcedVideoCodec,
                                    boolean allowTranscoding, String defaultRecordingProperties)
            implements ClusterSerializable {
    }

    /**
     * Node-wide: report every session hosted here, with its participants, in {@link InventoryPage}s (several when
     * large: a page stays far below Artery's frame limit).
     */
    public record ReportInventory(ActorRef<InventoryPage> replyTo) implements Command {
        @Override
        public String sessionId() {
            return "";
        }

        @Override
        public void reject(int code, String error) {
            replyTo.tell(new InventoryPage("", 0, true, List.of(), error));
        }
    }

    /**
     * One page of a node's inventory; {@code last} on the final one. A session with many participants may span pages
     * (its entries are merged by id). {@code error} is set (and the page empty) when the node could not report.
     */
    public record InventoryPage(String mediaNodeId, int page, boolean last, List<HostedSession> sessions, String error)
            implements ClusterSerializable {
    }

    /**
     * A session as its media node has it: the descriptor (null when the node never got one: hosted at a first join
     * whose placement message was lost) and its participants, each resumable with the secret its client holds.
     */
    public record HostedSession(String sessionId, SessionDescriptor descriptor, List<ParticipantInfo> participants)
            implements ClusterSerializable {
    }

    /**
     * A participant as the other participants see it. {@code ip}: the client's address as its master saw it (for
     * webhooks; null when unknown); never sent to other clients.
     */
    public record ParticipantInfo(String connectionId, long createdAt, String metadata, String serverData,
                                  String role, String platform, String ip) implements ClusterSerializable {
    }

    /** Outcome of a command; {@code errorCode} follows the JSON-RPC error codes in docs/CONTRACT.md. */
    public record Ack(boolean ok, int errorCode, String error) implements ClusterSerializable {
        public static Ack success() {
            return new Ack(true, 0, null);
        }

        public static Ack failure(int code, String error) {
            return new Ack(false, code, error);
        }

        public static Ack failure(ErrorCode code, String error) {
            return failure(code.code(), error);
        }
    }

    /**
     * Outcome of a join or a resume: the other participants, the participant's current sequence number (after a
     * resume: before the replayed events) and the secret that lets its client resume later. {@code webrtcEngine}
     * names the node's WebRTC engine ({@code janus}), null when it has none: with Janus, browsers must subscribe by
     * server offer ({@code prepareReceiveVideoFrom}), which the master asks for in joinRoom's {@code mediaServer}.
     * {@code attachment}: the participant's fencing token for this signalling path, to be sent with its commands
     * ({@link Attached}); a resume gets a higher one than any before it.
     */
    public record JoinReply(boolean ok, int errorCode, String error, String mediaNodeId,
                            List<PeerInfo> others, long seq, String resumeSecret, String webrtcEngine,
                            long attachment)
            implements ClusterSerializable {

        /** A reply to a first join (its attachment is {@link #FIRST_ATTACHMENT}). */
        public JoinReply(boolean ok, int errorCode, String error, String mediaNodeId, List<PeerInfo> others, long seq,
                         String resumeSecret, String webrtcEngine) {
            this(ok, errorCode, error, mediaNodeId, others, seq, resumeSecret, webrtcEngine, FIRST_ATTACHMENT);
        }

        /** A reply of a node without a WebRTC engine to a first join. */
        public JoinReply(boolean ok, int errorCode, String error, String mediaNodeId, List<PeerInfo> others, long seq,
                         String resumeSecret) {
            this(ok, errorCode, error, mediaNodeId, others, seq, resumeSecret, null);
        }

        public static JoinReply failure(int code, String error) {
            return new JoinReply(false, code, error, null, List.of(), 0, null, null, 0);
        }

        public static JoinReply failure(ErrorCode code, String error) {
            return failure(code.code(), error);
        }

        @Override
        public String toString() {
            return "JoinReply[ok=" + ok + ", " + errorCode + ", " + error + ", " + mediaNodeId + ", seq=" + seq
                    + ", attachment=" + attachment + "]";
        }
    }

    /**
     * What a media node sends to a participant's signalling actor on its master. Not sealed: that actor's own
     * protocol extends it, so the actor's own reference is the one the node keeps and compares (a resume replaces it;
     * {@link SignallingClosed} names it).
     */
    public interface ToSignalling {
    }

    /** One server event for one participant, numbered by that participant's own sequence. */
    public record ParticipantEvent(String sessionId, String recipient, long seq, Event event)
            implements ClusterSerializable, ToSignalling {
    }

    /** The events a participant can receive. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes({
            @JsonSubTypes.Type(value = ParticipantJoined.class, name = "participantJoined"),
            @JsonSubTypes.Type(value = ParticipantLeft.class, name = "participantLeft"),
            @JsonSubTypes.Type(value = ParticipantEvicted.class, name = "participantEvicted"),
            @JsonSubTypes.Type(value = MessageReceived.class, name = "sendMessage"),
            @JsonSubTypes.Type(value = ParticipantPublished.class, name = "participantPublished"),
            @JsonSubTypes.Type(value = ParticipantUnpublished.class, name = "participantUnpublished"),
            @JsonSubTypes.Type(value = StreamPropertyChanged.class, name = "streamPropertyChanged"),
            @JsonSubTypes.Type(value = MediaNodeFailed.class, name = "mediaNodeFailed"),
            @JsonSubTypes.Type(value = ForciblyReconnectSubscriber.class, name = "forciblyReconnectSubscriber")})
    public sealed interface Event extends ClusterSerializable
            permits ParticipantJoined, ParticipantLeft, ParticipantEvicted, MessageReceived, ParticipantPublished,
            ParticipantUnpublished, StreamPropertyChanged, MediaNodeFailed, ForciblyReconnectSubscriber {
    }

    /**
     * The node rebuilt its side of the recipient's subscription to {@code streamId} (published by
     * {@code connectionId}) and offers it {@code sdpOffer}; the recipient answers with {@link ReconnectStream}.
     */
    public record ForciblyReconnectSubscriber(String connectionId, String streamId, String sdpOffer) implements Event {
    }

    /**
     * The participant's session now runs on {@code mediaNodeId}: its streams and subscriptions are gone and must be
     * made again (the SDK does it by itself). {@code reason}: {@code nodeCrashed}, {@code drain} or
     * {@code placementRace}. {@code resumeSecret}: the secret for resuming there, the one the participant had before
     * (carried in the moved {@link Join}; a new one only when the master that moved it did not carry it).
     */
    public record MediaNodeFailed(String failedMediaNodeId, String mediaNodeId, String reason, String resumeSecret)
            implements Event {
        /** The secret stays out of logs. */
        @Override
        public String toString() {
            return "MediaNodeFailed[" + failedMediaNodeId + " -> " + mediaNodeId + ", " + reason + "]";
        }
    }

    public record ParticipantPublished(String connectionId, StreamInfo stream) implements Event {
    }

    public record ParticipantUnpublished(String connectionId, String streamId, String reason) implements Event {
    }

    /** Publisher {@code connectionId} changed a property of its stream; {@code newValue} in its plain form. */
    public record StreamPropertyChanged(String connectionId, String streamId, String property, String newValue,
                                        String reason) implements Event {
    }

    public record ParticipantJoined(ParticipantInfo participant) implements Event {
    }

    public record ParticipantLeft(String connectionId, String reason) implements Event {
    }

    /** Sent to the participant that was removed by the server; it is no longer in the session. */
    public record ParticipantEvicted(String connectionId, String reason) implements Event {
    }

    public record MessageReceived(String from, String type, String data) implements Event {
    }
}
