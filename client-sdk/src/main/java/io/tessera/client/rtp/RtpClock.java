package io.tessera.client.rtp;

import java.time.Instant;

/**
 * Epoch microseconds without allocating: {@code Instant.now()} read once, then advanced by {@code System.nanoTime()}.
 *
 * <p>Within one JVM, send and receive times come from the same monotonic source, so latency is exact and never
 * jumps with wall-clock steps. Across processes each JVM anchors to the wall clock ({@code Instant.now()} has µs
 * resolution on Linux, JDK 17) when the class loads, so cross-process latency is only meaningful on one host, and
 * drifts by the clocks' rate difference (a few µs per minute).
 */
final class RtpClock {

    private static final long ANCHOR_NANOS;
    private static final long ANCHOR_EPOCH_MICROS;

    static {
        Instant now = Instant.now();
        ANCHOR_NANOS = System.nanoTime();
        ANCHOR_EPOCH_MICROS = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private RtpClock() {
    }

    static long epochMicros(long nanoTime) {
        return ANCHOR_EPOCH_MICROS + (nanoTime - ANCHOR_NANOS) / 1_000;
    }

    static Instant toInstant(long epochMicros) {
        return Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1_000);
    }

    /** Ticks of a {@code clockRate} Hz clock in {@code nanos}, µs precision, no overflow for days at 90 kHz. */
    static long ticks(long nanos, int clockRate) {
        return nanos / 1_000 * clockRate / 1_000_000L;
    }
}
