package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import org.apache.pekko.actor.typed.ActorRef;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** One participant of a {@link Session}, as its actor keeps it; touched only on that actor's thread. */
final class Participant {
    private static final SecureRandom RANDOM = new SecureRandom();

    final ParticipantInfo info;
    ActorRef<ParticipantEvent> signalling; // null while detached
    /** The fencing token of the signalling path it is served through: one more at each resume (AttachmentFence). */
    long attachment = MediaNodeProtocol.FIRST_ATTACHMENT;
    long seq;
    /** The last events, sent or not, for a resume; bounded by {@code replayBuffer}. */
    final ArrayDeque<ParticipantEvent> recent = new ArrayDeque<>();
    long seqAtDetach;
    /** The last seq a master confirmed it handed to the client's socket (EventsDelivered); a browser resumes after it. */
    long delivered;
    /**
     * What its client proves itself with on a resume. Kept when it moves with its session to another node (the
     * moved Join carries it): a browser's resume handle holds it and is never renewed.
     */
    final String resumeSecret;
    StreamInfo published; // null when not publishing
    /** The offer of {@link #published} when it is plain RTP (its medium and codec), else null. */
    io.tessera.wire.sdp.PlainRtpOffer plainOffer;
    /** What the WebRTC engine's answer to {@link #published} accepted (empty for plain RTP), for {@link RtpBridges}. */
    java.util.List<io.tessera.wire.sdp.NegotiatedMedia> webrtcMedia = java.util.List.of();
    /** Whether {@link #published} goes through the WebRTC engine (else the plain RTP engine). */
    boolean publishedWebRtc;
    /**
     * Whether the others may know of {@link #published}: at once for plain RTP, once its PeerConnection is up for
     * WebRTC (Janus refuses subscriptions before).
     */
    boolean live;
    /** Set while {@link #published} is a stream rebuilt under its old id ({@link StreamRebuild}); else null. */
    StreamRebuild.Rebuild rebuild;
    /**
     * Whether it came with its session from another media node (failover, drain): it knew the session's streams
     * there, under the ids they are rebuilt with here.
     */
    boolean movedIn;
    final Set<String> subscriptions = new LinkedHashSet<>(); // stream ids it receives
    /** Subscriptions whose current offer it answered (media flows or is about to); a subset of subscriptions. */
    final Set<String> answered = new HashSet<>();
    /** When each subscription started (UTC ms), for the REST view; trimmed to {@link #subscriptions} on change. */
    final Map<String, Long> subscribedAt = new HashMap<>();

    Participant(ParticipantInfo info, ActorRef<ParticipantEvent> signalling) {
        this(info, signalling, null);
    }

    /** {@code keptSecret}: the secret it had on the node it moved from; null for a new one. */
    Participant(ParticipantInfo info, ActorRef<ParticipantEvent> signalling, String keptSecret) {
        this.info = info;
        this.signalling = signalling;
        this.resumeSecret = keptSecret != null && isSecretShaped(keptSecret) ? keptSecret : newSecret();
    }

    /** A secret this node could have made (24 bytes, unpadded base64url): anything else is not kept. */
    static boolean isSecretShaped(String secret) {
        return secret.length() == 32 && secret.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9') || c == '-' || c == '_');
    }

    String connectionId() {
        return info.connectionId();
    }

    /** Starts receiving a stream: remembered with its start time (older entries of ended subscriptions dropped). */
    void subscribe(String streamId) {
        subscriptions.add(streamId);
        subscribedAt.keySet().retainAll(subscriptions);
        subscribedAt.put(streamId, System.currentTimeMillis());
        answered.retainAll(subscriptions);
        answered.remove(streamId); // a new offer, not answered yet
    }

    /** The stream the others may see, or null. */
    StreamInfo visibleStream() {
        return live ? published : null;
    }

    private static String newSecret() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
