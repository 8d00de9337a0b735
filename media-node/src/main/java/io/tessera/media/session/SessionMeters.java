package io.tessera.media.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the session actors of a media node count: the node's sessions, participants and streams (set by the
 * {@link SessionManager}, read by scrapes), resumes and evictions of detached participants. Thread-safe.
 */
public final class SessionMeters {
    /** Resume outcomes; the failure reasons follow the media node's error codes. */
    public enum ResumeResult { OK, UNKNOWN_CONNECTION, WRONG_SECRET, BAD_SEQ, EVENTS_LOST }

    final AtomicInteger sessions = new AtomicInteger();
    final AtomicInteger participants = new AtomicInteger();
    final AtomicInteger streams = new AtomicInteger();
    /** Browser streams' media forwarded to the plain RTP engine for plain RTP subscribers ({@link RtpBridges}). */
    final AtomicInteger bridges = new AtomicInteger();
    private final Counter bridgesOpened;
    private final MeterRegistry registry;
    private final Counter graceExpired;
    private final Counter replayOverflow;
    private final Counter sessionsRefused;
    private final Counter webrtcPublishersNeverUp;
    private final Counter staleAttachments;
    private final Counter fencedCommands;
    private final Counter staleRouteJoins;
    private final Counter describes;
    private final Map<ResumeResult, Counter> resumes;

    public SessionMeters(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("tessera.media.rtp.bridges", bridges, AtomicInteger::get)
                .description("Browser streams' audio or video forwarded by the WebRTC engine to the plain RTP engine, "
                        + "for plain RTP subscribers (one per stream and medium)").register(registry);
        bridgesOpened = Counter.builder("tessera.media.rtp.bridges.opened")
                .description("Browser streams' media forwarded to the plain RTP engine since start").register(registry);
        Gauge.builder("tessera.media.sessions", sessions, AtomicInteger::get)
                .description("Sessions hosted on this media node").register(registry);
        Gauge.builder("tessera.media.participants", participants, AtomicInteger::get)
                .description("Participants in the sessions of this media node (detached ones included)")
                .register(registry);
        Gauge.builder("tessera.media.streams", streams, AtomicInteger::get)
                .description("Streams published on this media node").register(registry);
        String evictions = "tessera.media.detached.evictions";
        String evictionsHelp = "Participants removed after losing their signalling: the grace window passed, or more "
                + "events were missed than the replay buffer keeps";
        graceExpired = Counter.builder(evictions).description(evictionsHelp).tag("reason", "grace_expired")
                .register(registry);
        replayOverflow = Counter.builder(evictions).description(evictionsHelp).tag("reason", "replay_overflow")
                .register(registry);
        sessionsRefused = Counter.builder("tessera.media.sessions.refused")
                .description("Sessions refused because the node hosts its maximum (tessera.media.max-sessions)")
                .register(registry);
        webrtcPublishersNeverUp = Counter.builder("tessera.media.webrtc.publishers.timed.out")
                .description("WebRTC publishers released because their PeerConnection did not come up in time")
                .register(registry);
        staleAttachments = Counter.builder("tessera.media.fencing.stale.attachment")
                .description("Participant commands refused because they came through a signalling path that a resume "
                        + "had replaced (a master frozen or cut off relaying what queued up there)")
                .register(registry);
        staleRouteJoins = Counter.builder("tessera.media.fencing.stale.route")
                .description("Joins refused because the route the master joined through had another epoch than the "
                        + "copy here, or named a copy this node released (the master reads the route again)")
                .register(registry);
        describes = Counter.builder("tessera.media.describes")
                .description("Masters' requests for the live media of sessions here (REST views of sessions with "
                        + "their streams); a session create needs none")
                .register(registry);
        fencedCommands = Counter.builder("tessera.media.fencing.refused")
                .description("Masters' commands refused because this media node was fenced (cut off from the masters, "
                        + "or downed)")
                .register(registry);
        java.util.EnumMap<ResumeResult, Counter> byResult = new java.util.EnumMap<>(ResumeResult.class);
        for (ResumeResult r : ResumeResult.values()) {
            byResult.put(r, Counter.builder("tessera.media.resumes")
                    .description("Resume attempts (connect) that reached this node, by result")
                    .tag("result", r.name().toLowerCase()).register(registry));
        }
        this.resumes = Map.copyOf(byResult);
    }

    /** Meters nobody scrapes, for tests and tools that run sessions without a node. */
    public static SessionMeters unscraped() {
        return new SessionMeters(new SimpleMeterRegistry());
    }

    void resumed(ResumeResult result) {
        resumes.get(result).increment();
    }

    void evicted(boolean graceExpiredNotOverflow) {
        (graceExpiredNotOverflow ? graceExpired : replayOverflow).increment();
    }

    void webrtcPublisherNeverUp() {
        webrtcPublishersNeverUp.increment();
    }

    void staleAttachmentRefused() {
        staleAttachments.increment();
    }

    void staleRouteJoinRefused() {
        staleRouteJoins.increment();
    }

    void fencedCommandRefused() {
        fencedCommands.increment();
    }

    void bridgeOpened() {
        bridges.incrementAndGet();
        bridgesOpened.increment();
    }

    void bridgeClosed() {
        bridges.decrementAndGet();
    }

    /** A plain RTP subscription to a browser's stream refused: {@code codec}, {@code no_media}, {@code engine}... */
    void bridgeRefused(String reason) {
        Counter.builder("tessera.media.rtp.bridges.refused")
                .description("Plain RTP subscriptions to browser streams refused, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    void described() {
        describes.increment();
    }

    void sessionRefused() {
        sessionsRefused.increment();
    }
}
