package io.tessera.master.signalling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.common.metrics.NodeMetrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * What this master's WebSocket signalling counts: sockets, participants joined through it, joins and their latency
 * (joinRoom received to its answer sent), join failures and JSON-RPC errors by code, and resumes by result.
 * Codes are the server's own (JSON-RPC and OpenVidu codes, HTTP-like statuses), so their number is bounded.
 */
public final class SignallingMeters {
    private final MeterRegistry registry;
    private final Counter joins;
    private final Timer joinLatency;
    private final Counter refusedSockets;
    private final AtomicInteger participants = new AtomicInteger();
    private final AtomicInteger reconnectsHeld = new AtomicInteger();

    public SignallingMeters(MeterRegistry registry) {
        this.registry = registry;
        joins = Counter.builder("tessera.master.joins").description("Successful joinRoom requests on this master")
                .register(registry);
        joinLatency = Timer.builder("tessera.master.join.latency")
                .description("Successful joinRoom requests: from the request's arrival to the answer being sent")
                .serviceLevelObjectives(NodeMetrics.LATENCY_BUCKETS)
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        refusedSockets = Counter.builder("tessera.master.websocket.refused")
                .description("WebSocket upgrades refused (503) because this master serves its maximum")
                .register(registry);
        Gauge.builder("tessera.master.signalling.participants", participants, AtomicInteger::get)
                .description("Participants joined through this master's WebSockets now").register(registry);
        Gauge.builder("tessera.master.reconnect.stream.held", reconnectsHeld, AtomicInteger::get)
                .description("reconnectStream requests held on this master now: their session's media node is gone"
                        + " or unreachable and the session has not moved yet").register(registry);
        for (String outcome : new String[]{MOVED, TIMED_OUT}) {
            reconnectHolds(outcome);
        }
        for (String result : new String[]{"ok", "not_found", "wrong_secret", "bad_seq", "events_lost", "unavailable"}) {
            resumes(result);
        }
        // The usual failure codes exist from the start, so that rate() and alerts see them before the first failure.
        for (ErrorCode code : new ErrorCode[]{ErrorCode.UNAUTHORIZED, ErrorCode.NOT_FOUND,
                ErrorCode.TOO_MANY_REQUESTS, ErrorCode.UNAVAILABLE}) {
            joinFailure(code.code());
        }
    }

    /** Meters nobody scrapes, for tests. */
    public static SignallingMeters unscraped() {
        return new SignallingMeters(new SimpleMeterRegistry());
    }

    /** The open sockets and their limit, read at scrape time. */
    void bindSockets(IntSupplier open, int limit) {
        Gauge.builder("tessera.master.websocket.connections", open, IntSupplier::getAsInt).strongReference(true)
                .description("WebSocket connections open on this master").register(registry);
        Gauge.builder("tessera.master.websocket.connections.limit", () -> limit)
                .description("WebSocket connections this master accepts (tessera.master.websocket.max-connections)")
                .register(registry);
    }

    void socketRefused() {
        refusedSockets.increment();
    }

    void joined(long nanos) {
        joins.increment();
        joinLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void joinFailed(int code) {
        joinFailure(code).increment();
    }

    private Counter joinFailure(int code) {
        return Counter.builder("tessera.master.join.failures")
                .description("joinRoom requests answered with an error, by code")
                .tag("code", Integer.toString(code)).register(registry);
    }

    /** A reconnectStream held for its session's move went to the new node. */
    static final String MOVED = "moved";
    /** A reconnectStream held for its session's move was answered 503: the session did not move within the hold. */
    static final String TIMED_OUT = "timed_out";

    /** {@code delta}: +1 when a request starts waiting for its session's move, -1 when it stops waiting. */
    void reconnectsHeld(int delta) {
        reconnectsHeld.addAndGet(delta);
    }

    /** A request that was held, or asked of a node that turned out gone, ended: {@link #MOVED} or {@link #TIMED_OUT}. */
    void reconnectHoldEnded(String outcome) {
        reconnectHolds(outcome).increment();
    }

    private Counter reconnectHolds(String outcome) {
        return Counter.builder("tessera.master.reconnect.stream.holds")
                .description("reconnectStream requests held for their session's move (or asked of its dead node), by"
                        + " how they ended: sent to the new node (moved), or 503 at the hold's bound (timed_out)")
                .tag("outcome", outcome).register(registry);
    }

    /** {@code errorCode} 0: resumed. */
    void resumed(int errorCode) {
        resumes(errorCode == 0 ? "ok" : ErrorCode.of(errorCode).map(code -> switch (code) {
            case NOT_FOUND -> "not_found";
            case UNAUTHORIZED -> "wrong_secret";
            case BAD_REQUEST -> "bad_seq";
            case CONFLICT -> "events_lost";
            case UNAVAILABLE -> "unavailable";
            default -> "other";
        }).orElse("other")).increment();
    }

    private Counter resumes(String result) {
        return Counter.builder("tessera.master.resumes")
                .description("Resumes (connect with a resume secret) handled by this master, by result")
                .tag("result", result).register(registry);
    }

    void rpcError(int code) {
        Counter.builder("tessera.master.jsonrpc.errors").description("JSON-RPC error answers sent, by code")
                .tag("code", Integer.toString(code)).register(registry).increment();
    }

    void participantJoined() {
        participants.incrementAndGet();
    }

    void participantGone() {
        participants.decrementAndGet();
    }
}
