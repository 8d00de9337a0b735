package io.tessera.media.session;

import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.ClusterTopics.StreamChanged;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.Event;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantPublished;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantUnpublished;
import io.tessera.common.protocol.MediaNodeProtocol.Publish;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Unpublish;
import io.tessera.media.engine.MediaEngine;
import io.tessera.media.engine.MediaException;
import io.tessera.media.webrtc.WebRtcEngine;
import io.tessera.wire.jsonrpc.ErrorCode;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The media side of one {@link Session}, run on its actor: publishing through the plain RTP {@link MediaEngine}
 * (synchronous, in-process) or the {@link WebRtcEngine} (Janus, asynchronous), chosen by the publisher's offer, and
 * releasing; subscribing is {@link SessionSubscriptions}'. WebRTC calls never block the actor: their outcome comes back as {@link EngineDone} and is
 * applied on the actor's thread, after checking that what it concerns still exists.
 *
 * <p>A WebRTC stream is announced to the others ({@code participantPublished}, joinRoom's {@code value}) only once
 * its publisher's PeerConnection is up: Janus refuses subscriptions before. A publisher whose PeerConnection is not
 * up within the session's {@code publisherUpTimeout} ({@link Session.Settings}) is released and counted.
 */
final class SessionMedia {
    /** The outcome of an engine call, applied on the session's thread. */
    record EngineDone(Runnable apply) implements Session.Message {
    }

    /** A WebRTC publisher's PeerConnection is up. */
    record PublisherUp(String connectionId, String streamId) implements Session.Message {
    }

    /** A WebRTC publisher's PeerConnection did not come up in time. */
    record PublisherUpTimedOut(String connectionId, String streamId) implements Session.Message {
    }

    /** What the media side needs of its session. */
    interface Room {
        Map<String, Participant> participants();

        void deliver(Participant recipient, Event event);

        /** The counts of participants and streams changed. */
        void changed();
    }

    private final String sessionId;
    private final MediaEngine engine;
    private final WebRtcEngine webrtc; // null: this node has none
    /** How long a WebRTC publisher may take from its answer to a working PeerConnection. */
    private final Duration publisherUpTimeout;
    private final ActorRef<SessionNotice> notices;
    private final SessionMeters meters;
    private final ActorContext<Session.Message> ctx;
    private final TimerScheduler<Session.Message> timers;
    private final Room room;
    private final StreamRebuild rebuilds = new StreamRebuild(this);
    private final RtpBridges bridges; // null without a WebRTC engine
    private final RemoteFeeds feeds; // null without a WebRTC engine
    private final SessionSubscriptions subscriptions;
    private final HeldSubscriptions held;

    SessionMedia(String sessionId, MediaEngine engine, WebRtcEngine webrtc, Duration publisherUpTimeout,
                 int maxParticipants, ActorRef<SessionNotice> notices, SessionMeters meters, ActorContext<Session.Message> ctx,
                 TimerScheduler<Session.Message> timers, Room room) {
        this.sessionId = sessionId;
        this.engine = engine;
        this.webrtc = webrtc;
        this.publisherUpTimeout = publisherUpTimeout;
        this.notices = notices;
        this.meters = meters;
        this.ctx = ctx;
        this.timers = timers;
        this.room = room;
        this.bridges = webrtc == null ? null : new RtpBridges(this, engine, meters);
        this.feeds = webrtc == null ? null : new RemoteFeeds(this, engine);
        this.subscriptions = new SessionSubscriptions(this, engine);
        this.held = new HeldSubscriptions(this, maxParticipants);
    }

    /** Offers held after a move until their publisher's stream is back. */
    HeldSubscriptions held() {
        return held;
    }

    /** Subscribing to the session's streams. */
    SessionSubscriptions subscriptions() {
        return subscriptions;
    }

    /** Browsers receiving plain RTP streams; null when the node runs no WebRTC engine. */
    RemoteFeeds feeds() {
        return feeds;
    }

    /** Plain RTP subscribers of browsers' streams; null when the node runs no WebRTC engine. */
    RtpBridges bridges() {
        return bridges;
    }

    /** openvidu-browser's {@code reconnectStream} for this session's WebRTC streams. */
    StreamRebuild rebuilds() {
        return rebuilds;
    }

    WebRtcEngine webrtc() {
        return webrtc;
    }

    String sessionId() {
        return sessionId;
    }

    Room room() {
        return room;
    }

    ActorContext<Session.Message> ctx() {
        return ctx;
    }

    TimerScheduler<Session.Message> timers() {
        return timers;
    }

    /** The WebRTC engine's name, for joinRoom's answer; null when the node has none. */
    String webrtcEngine() {
        return webrtc == null ? null : webrtc.name();
    }

    // --- publishing -------------------------------------------------------------------------------------------

    void onPublish(Publish publish) {
        Participant p = room.participants().get(publish.connectionId());
        if (p == null) {
            publish.replyTo().tell(SdpReply.failure(ErrorCode.NOT_JOINED, notIn(publish.connectionId())));
            return;
        }
        if (p.published != null) {
            publish.replyTo().tell(SdpReply.failure(ErrorCode.CONFLICT, "connection " + publish.connectionId()
                    + " already publishes stream " + p.published.streamId() + "; unpublishVideo first"));
            return;
        }
        StreamInfo stream = publish.stream().withIdentity(streamId(publish), System.currentTimeMillis());
        if (WebRtcEngine.isWebRtc(publish.sdpOffer())) {
            publishWebRtc(p, stream, publish.sdpOffer(), publish.replyTo()::tell);
            return;
        }
        String answer;
        try {
            answer = engine.publish(stream.streamId(), publish.sdpOffer());
        } catch (MediaException e) {
            publish.replyTo().tell(SdpReply.failure(e.kind().errorCode, e.getMessage()));
            return;
        }
        p.published = stream;
        p.publishedWebRtc = false;
        p.plainOffer = io.tessera.wire.sdp.PlainRtpOffer.parse(publish.sdpOffer()); // the engine read it already
        publish.replyTo().tell(new SdpReply(true, 0, null, stream, answer));
        announce(p);
    }

    /** Publishes {@code stream} through the WebRTC engine; also how a rebuilt stream is published again. */
    void publishWebRtc(Participant p, StreamInfo stream, String sdpOffer, Consumer<SdpReply> reply) {
        if (webrtc == null) {
            reply.accept(SdpReply.failure(ErrorCode.UNSUPPORTED_MEDIA, "this media node runs no WebRTC "
                    + "engine (TESSERA_WEBRTC_ENGINE): offer plain RTP (RTP/AVP) instead"));
            return;
        }
        String connectionId = p.connectionId();
        p.published = stream; // taken now, so a second publishVideo meanwhile is refused
        p.publishedWebRtc = true;
        p.live = false;
        ActorRef<Session.Message> self = ctx.getSelf();
        CompletionStage<String> answered = webrtc.publish(sessionId, connectionId, stream.streamId(),
                sdpOffer, () -> self.tell(new PublisherUp(connectionId, stream.streamId())));
        whenDone(answered, (answer, error) -> {
            boolean current = p == room.participants().get(connectionId) && p.published == stream;
            if (error != null) {
                if (current) {
                    p.published = null;
                    p.publishedWebRtc = false;
                    p.rebuild = null;
                }
                reply.accept(failure(error, SdpReply::failure));
            } else if (!current) {
                // it unpublished or left meanwhile; its unpublish released the endpoint already
                reply.accept(SdpReply.failure(ErrorCode.NOT_FOUND, "stream " + stream.streamId()
                        + " ended before it was set up"));
            } else {
                p.webrtcMedia = negotiated(answer);
                reply.accept(new SdpReply(true, 0, null, stream, answer));
                timers.startSingleTimer("up-" + stream.streamId(),
                        new PublisherUpTimedOut(connectionId, stream.streamId()), publisherUpTimeout);
            }
        });
    }

    private java.util.List<io.tessera.wire.sdp.NegotiatedMedia> negotiated(String answer) {
        try {
            return io.tessera.wire.sdp.NegotiatedMedia.read(answer);
        } catch (io.tessera.wire.sdp.SdpException e) {
            ctx.getLog().warn("the WebRTC engine's answer in session {} could not be read ({}): its stream cannot be "
                    + "forwarded to plain RTP subscribers", sessionId, e.getMessage());
            return java.util.List.of();
        }
    }

    void onPublisherUp(PublisherUp up) {
        Participant p = room.participants().get(up.connectionId());
        if (p != null && p.published != null && p.published.streamId().equals(up.streamId()) && !p.live) {
            timers.cancel("up-" + up.streamId());
            ctx.getLog().info("WebRTC publisher {} of session {} is up", up.streamId(), sessionId);
            announce(p);
        }
    }

    void onPublisherUpTimedOut(PublisherUpTimedOut timedOut) {
        Participant p = room.participants().get(timedOut.connectionId());
        if (p != null && p.published != null && p.published.streamId().equals(timedOut.streamId()) && !p.live) {
            ctx.getLog().warn("WebRTC publisher {} of session {} did not connect within {}: released",
                    timedOut.streamId(), sessionId, publisherUpTimeout);
            meters.webrtcPublisherNeverUp();
            webrtc.unpublish(sessionId, p.connectionId());
            p.published = null;
            p.publishedWebRtc = false;
            p.rebuild = null;
        }
    }

    /**
     * The others learn of the participant's stream: {@code participantPublished}, except, for a stream rebuilt under
     * an id they know, to those who know it (openvidu-browser would take a second {@code participantPublished} of
     * that id for a new stream and lose its subscriber); those who received it are offered it again.
     */
    private void announce(Participant p) {
        p.live = true;
        if (p.publishedWebRtc && bridges != null) {
            bridges.streamUp(p); // a rebuilt stream feeds the relays its plain RTP subscribers receive
        }
        streamNotice(p.connectionId(), p.published, null, true, "publish");
        StreamRebuild.Rebuild rebuild = p.rebuild;
        for (Participant other : room.participants().values()) {
            if (other == p) {
                continue;
            }
            if (rebuild == null || !rebuild.knownBy(other)) {
                room.deliver(other, new ParticipantPublished(p.connectionId(), p.published));
            } else if (rebuild.received(other)) {
                rebuilds.offerAgain(other, p);
            }
        }
        held.streamUp(p);
        room.changed();
    }

    /** OpenVidu's form: {@code str_CAM_<4 random letters>_<connection id>}. */
    private static String streamId(Publish publish) {
        String type = "SCREEN".equals(publish.stream().typeOfVideo()) ? "SCR" : "CAM";
        String letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        StringBuilder random = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            random.append(letters.charAt(ThreadLocalRandom.current().nextInt(letters.length())));
        }
        return "str_" + type + "_" + random + "_" + publish.connectionId();
    }

    void onUnpublish(Unpublish unpublish) {
        Participant p = room.participants().get(unpublish.connectionId());
        if (p == null) {
            unpublish.replyTo().tell(Ack.failure(ErrorCode.NOT_JOINED, notIn(unpublish.connectionId())));
            return;
        }
        if (p.published == null) {
            unpublish.replyTo().tell(Ack.failure(ErrorCode.NOT_FOUND, "connection " + unpublish.connectionId()
                    + " does not publish"));
            return;
        }
        String streamId = p.published.streamId();
        boolean wasLive = p.live;
        endStream(p, "unpublish");
        unpublish.replyTo().tell(Ack.success());
        if (wasLive) {
            for (Participant other : room.participants().values()) {
                if (other != p) {
                    room.deliver(other, new ParticipantUnpublished(p.connectionId(), streamId, "unpublish"));
                }
            }
        }
        room.changed();
    }

    /** Ends the participant's stream in its engine; its subscribers' records follow. */
    private void endStream(Participant p, String reason) {
        String streamId = p.published.streamId();
        if (p.publishedWebRtc) {
            timers.cancel("up-" + streamId);
            webrtc.unpublish(sessionId, p.connectionId()); // its subscriptions end with it
            bridges.streamEnded(streamId); // and its plain RTP subscriptions with their relays
        } else {
            engine.unpublish(streamId);
            if (feeds != null) {
                feeds.streamEnded(p, streamId); // browsers receiving it lose it
            }
        }
        if (p.live) {
            streamNotice(p.connectionId(), p.published, null, false, reason);
        }
        for (Participant other : room.participants().values()) {
            other.subscriptions.remove(streamId);
        }
        p.published = null;
        p.publishedWebRtc = false;
        p.webrtcMedia = java.util.List.of();
        p.plainOffer = null;
        p.live = false;
        p.rebuild = null;
    }

    // --- release ----------------------------------------------------------------------------------------------

    /** Gives back everything a participant holds in the engines. Idempotent. */
    void release(Participant p) {
        held.gone(p.connectionId());
        for (String streamId : java.util.List.copyOf(p.subscriptions)) {
            publisherOf(streamId).ifPresent(publisher -> subscriptions.drop(p, publisher, "participantLeft"));
        }
        p.subscriptions.clear();
        if (p.published != null) {
            endStream(p, "participantLeft");
        }
    }

    /** The session ends: everything of it in the engines goes. */
    void releaseAll() {
        room.participants().values().forEach(this::release);
        if (bridges != null) {
            bridges.releaseAll();
        }
        if (webrtc != null) {
            webrtc.closeRoom(sessionId);
        }
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    Optional<Participant> publisherOf(String streamId) {
        return room.participants().values().stream()
                .filter(o -> o.published != null && o.published.streamId().equals(streamId)).findFirst();
    }

    /** Applies an engine's outcome on the session's thread. */
    <T> void whenDone(CompletionStage<T> stage, BiConsumer<T, Throwable> apply) {
        ctx.pipeToSelf(stage, (value, error) -> new EngineDone(() -> apply.accept(value, error)));
    }

    interface Failure<R> {
        R of(int code, String message);
    }

    /** An engine failure as the reply the master relays: the engine's kind, or 503 for anything unforeseen. */
    <R> R failure(Throwable error, Failure<R> reply) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof MediaException media) {
            return reply.of(media.kind().errorCode.code(), media.getMessage());
        }
        ctx.getLog().warn("WebRTC engine failure in session {}: {}", sessionId, cause.toString());
        return reply.of(ErrorCode.UNAVAILABLE.code(), "the WebRTC engine failed: " + cause.getMessage());
    }

    /** Tells the masters a media connection opened or closed (for OpenVidu's webrtcConnection* webhooks). */
    void streamNotice(String connectionId, StreamInfo stream, String receivingFrom, boolean created,
                              String reason) {
        notices.tell(new StreamChanged(sessionId, connectionId, stream.streamId(), receivingFrom, created,
                stream.createdAt(), created ? null : reason, stream.hasAudio(), stream.hasVideo(),
                stream.typeOfVideo(), stream.frameRate(), stream.videoDimensions()));
    }

    String notIn(String connectionId) {
        return "connection " + connectionId + " is not in session " + sessionId;
    }

    String notPublished(String streamId) {
        return "stream " + streamId + " is not published in session " + sessionId;
    }
}
