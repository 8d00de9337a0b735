package io.tessera.common.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
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
            @JsonSubTypes.Type(value = CloseSession.class, name = "close")})
    public sealed interface Command extends ClusterSerializable
            permits HostSession, Join, Leave, Signal, Evict, CloseSession {
        String sessionId();

        /** Answers the sender that the command failed; codes as in docs/CONTRACT.md. */
        void reject(int code, String error);
    }

    /** Start hosting a session that a master just placed here. Idempotent. */
    public record HostSession(String sessionId, ActorRef<Ack> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(Ack.failure(code, error));
        }
    }

    /** A participant joins; its events will be sent to {@code signalling}. */
    public record Join(String sessionId, ParticipantInfo participant, ActorRef<ParticipantEvent> signalling,
                       ActorRef<JoinReply> replyTo) implements Command {
        @Override
        public void reject(int code, String error) {
            replyTo.tell(JoinReply.failure(code, error));
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

    /** A participant as the other participants see it. */
    public record ParticipantInfo(String connectionId, long createdAt, String metadata, String serverData,
                                  String role, String platform) implements ClusterSerializable {
    }

    /** Outcome of a command; {@code errorCode} follows the JSON-RPC error codes in docs/CONTRACT.md. */
    public record Ack(boolean ok, int errorCode, String error) implements ClusterSerializable {
        public static Ack success() {
            return new Ack(true, 0, null);
        }

        public static Ack failure(int code, String error) {
            return new Ack(false, code, error);
        }
    }

    /** Outcome of a join: the participants already there and the joiner's current sequence number. */
    public record JoinReply(boolean ok, int errorCode, String error, String mediaNodeId,
                            List<ParticipantInfo> others, long seq) implements ClusterSerializable {
        public static JoinReply failure(int code, String error) {
            return new JoinReply(false, code, error, null, List.of(), 0);
        }
    }

    /** One server event for one participant, numbered by that participant's own sequence. */
    public record ParticipantEvent(String sessionId, String recipient, long seq, Event event)
            implements ClusterSerializable {
    }

    /** The events a participant can receive. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes({
            @JsonSubTypes.Type(value = ParticipantJoined.class, name = "participantJoined"),
            @JsonSubTypes.Type(value = ParticipantLeft.class, name = "participantLeft"),
            @JsonSubTypes.Type(value = ParticipantEvicted.class, name = "participantEvicted"),
            @JsonSubTypes.Type(value = MessageReceived.class, name = "sendMessage")})
    public sealed interface Event extends ClusterSerializable
            permits ParticipantJoined, ParticipantLeft, ParticipantEvicted, MessageReceived {
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
