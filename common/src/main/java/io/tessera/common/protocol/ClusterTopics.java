package io.tessera.common.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Cluster-wide publish/subscribe topics: media nodes publish, masters subscribe.
 */
public final class ClusterTopics {
    private ClusterTopics() {
    }

    public static final String MEDIA_LOAD = "tessera-media-load";
    public static final String SESSION_NOTICES = "tessera-session-notices";
    /** Sessions moved to another media node, or closed because theirs failed; every master relays to its clients. */
    public static final String SESSION_RELOCATIONS = "tessera-session-relocations";

    /** Media nodes found dead, before their sessions move: every master gives its clients an early word. */
    public static final String MEDIA_NODE_LOSSES = "tessera-media-node-losses";

    /**
     * Media node {@code mediaNodeId} was found dead (downed) and {@code sessionIds} (at most
     * {@link #MAX_LOST_PER_NOTICE}; a node with more sends several) are about to be placed on other nodes; a
     * {@link SessionRelocated} follows for each once it is. Lets clients start rebuilding during the fence wait.
     */
    public record MediaNodeLost(String mediaNodeId, java.util.List<String> sessionIds) implements ClusterSerializable {
        /** Keeps one notice far below Artery's largest message (256 KiB) with ids of up to 100 characters. */
        public static final int MAX_LOST_PER_NOTICE = 1000;
    }

    /**
     * A session left {@code fromMediaNodeId}: it now runs on {@code mediaNodeId} (whose manager is {@code manager}),
     * or, when {@code mediaNodeId} is null, it was closed. {@code reason}: {@code nodeCrashed}, {@code drain} or
     * {@code placementRace} (the wire names of {@code io.tessera.wire.jsonrpc.RelocationReason}).
     */
    public record SessionRelocated(String sessionId, String fromMediaNodeId, String mediaNodeId,
                                   ActorRef<MediaNodeProtocol.Command> manager, String reason)
            implements ClusterSerializable {
    }

    /**
     * A media node's load and the address of its session manager, published about once a second.
     * {@code status} is a {@link MediaNodeStatus} by its wire name: {@code running}, or {@code draining} once an
     * operator drains the node (placement skips it; the masters move its sessions at the deadline). {@code streams} are
     * published streams, {@code subscriptions} the streams' receivers, {@code mediaPorts} the UDP ports the
     * media engine holds for them, {@code capacity} the sessions it may host at most. {@code drainDeadlineMillis}: while
     * {@code draining}, the deadline the node was given (UTC ms), so that every master shows it; 0 otherwise.
     * {@code protectedSessions}: how many of its sessions have priority {@code protected} (placement spreads them, so
     * that one failure hits as few as possible).
     */
    public record LoadReport(String nodeId, ActorRef<MediaNodeProtocol.Command> manager, String publicAddress,
                             String status, int sessions, int participants, int streams, int subscriptions,
                             int mediaPorts, int capacity, double cpu, long timestampMillis, long drainDeadlineMillis,
                             int protectedSessions, int sentinelPort)
            implements ClusterSerializable {

        /**
         * A report without a process sentinel ({@code sentinelPort} 0: the node's host, as in its cluster address,
         * has none bound; see the media node's {@code ProcessSentinel}).
         */
        public LoadReport(String nodeId, ActorRef<MediaNodeProtocol.Command> manager, String publicAddress,
                          String status, int sessions, int participants, int streams, int subscriptions,
                          int mediaPorts, int capacity, double cpu, long timestampMillis, long drainDeadlineMillis,
                          int protectedSessions) {
            this(nodeId, manager, publicAddress, status, sessions, participants, streams, subscriptions, mediaPorts,
                    capacity, cpu, timestampMillis, drainDeadlineMillis, protectedSessions, 0);
        }

        /** A report without a drain deadline or protected sessions. */
        public LoadReport(String nodeId, ActorRef<MediaNodeProtocol.Command> manager, String publicAddress,
                          String status, int sessions, int participants, int streams, int subscriptions,
                          int mediaPorts, int capacity, double cpu, long timestampMillis) {
            this(nodeId, manager, publicAddress, status, sessions, participants, streams, subscriptions, mediaPorts,
                    capacity, cpu, timestampMillis, 0, 0);
        }

        /** The same report with another status and deadline (an operator's change the node has not reported yet). */
        public LoadReport withStatus(String newStatus, long newDrainDeadlineMillis) {
            return new LoadReport(nodeId, manager, publicAddress, newStatus, sessions, participants, streams,
                    subscriptions, mediaPorts, capacity, cpu, timestampMillis, newDrainDeadlineMillis,
                    protectedSessions, sentinelPort);
        }
    }

    /**
     * What crosses the wire on {@link #SESSION_NOTICES}: the notices one media node's sessions gave within one batch
     * window, in the order they gave them (the media node's {@code NoticeBatcher}). One remote message per master for a
     * burst of joins and leaves instead of one per notice: a notice was the largest single line of a join's and a
     * leave's messages (docs/BENCHMARKS.md "Wire census per operation"). At most {@link #MAX_NOTICES} notices and about
     * {@link #MAX_BYTES} of their text, far below Artery's largest message (256 KiB).
     */
    public record SessionNotices(java.util.List<SessionNotice> notices) implements ClusterSerializable {
        public static final int MAX_NOTICES = 64;
        public static final int MAX_BYTES = 128 * 1024;

        public SessionNotices {
            notices = java.util.List.copyOf(notices);
        }

        /** A batch of one (tests, and callers that do not batch). */
        public static SessionNotices of(SessionNotice... notices) {
            return new SessionNotices(java.util.List.of(notices));
        }

        /**
         * An upper estimate of {@code notice}'s share of a batch on the wire: its free-form strings (metadata can be up
         * to the client data limit) plus a fixed allowance for the ids and numbers.
         */
        public static int estimatedBytes(SessionNotice notice) {
            int fixed = 1024; // four ids of up to 100 characters, numbers, short names, the type tag
            if (notice instanceof ParticipantActivated a) {
                return fixed + length(a.metadata()) + length(a.platform());
            }
            if (notice instanceof ParticipantRemoved r) {
                return fixed + length(r.reason());
            }
            return fixed;
        }

        private static int length(String s) {
            // UTF-8: at most 3 bytes per UTF-16 unit.
            return s == null ? 0 : 3 * s.length();
        }
    }

    /** What happened in a media node's session that the routing table on the masters must reflect. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
    @JsonSubTypes({
            @JsonSubTypes.Type(value = ParticipantActivated.class, name = "activated"),
            @JsonSubTypes.Type(value = ParticipantRemoved.class, name = "removed"),
            @JsonSubTypes.Type(value = SessionEnded.class, name = "ended"),
            @JsonSubTypes.Type(value = StreamChanged.class, name = "stream")})
    public sealed interface SessionNotice extends ClusterSerializable
            permits ParticipantActivated, ParticipantRemoved, SessionEnded, StreamChanged {
        String sessionId();
    }

    /**
     * {@code mediaNodeId}: where it joined, so that a join on the losing node of a placement race is noticed.
     * {@code ip}: the client's address (null when unknown). {@code movedFrom}: null for a join; the node it came
     * from when the participant followed its session to another node (not a new participant: no webhook).
     */
    public record ParticipantActivated(String sessionId, String connectionId, long activeAt, String metadata,
                                       String platform, String mediaNodeId, String ip, String movedFrom)
            implements SessionNotice {
    }

    public record ParticipantRemoved(String sessionId, String connectionId, String reason) implements SessionNotice {
    }

    /**
     * A media connection opened ({@code created}) or closed: a participant's published stream ({@code receivingFrom}
     * null) or its subscription to another's. The masters turn it into OpenVidu's webrtcConnection* webhooks.
     */
    public record StreamChanged(String sessionId, String connectionId, String streamId, String receivingFrom,
                                boolean created, long startTime, String reason, boolean audio, boolean video,
                                String typeOfVideo, int frameRate, String videoDimensions) implements SessionNotice {
    }

    /** The last participant left (OpenVidu closes a session then) or it was closed. */
    public record SessionEnded(String sessionId, String reason) implements SessionNotice {
    }
}
