package io.tessera.master.signalling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
        for (String result : new String[]{"ok", "not_found", "wrong_secret", "bad_seq", "events_lost", "unavailable"}) {
            resumes(result);
        }
        // The usual failure codes exist from the start, so that rate() and alerts see them before the first failure.
        for (int code : new int[]{401, 404, 429, 503}) {
            joinFailure(code);
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

    void resumed(int errorCode) {
        resumes(switch (errorCode) {
            case 0 -> "ok";
            case 404 -> "not_found";
            case 401 -> "wrong_secret";
            case 400 -> "bad_seq";
            case 409 -> "events_lost";
            case 503 -> "unavailable";
            default -> "other";
        }).increment();
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
