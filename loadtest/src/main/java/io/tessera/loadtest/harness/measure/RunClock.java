package io.tessera.loadtest.harness.measure;

import java.time.Instant;

/** The run's time origin: every instant in the results is milliseconds since the load started. */
public final class RunClock {
    private final long startNanos;
    private final Instant startWall;

    public RunClock() {
        this.startNanos = System.nanoTime();
        this.startWall = Instant.now();
    }

    public long nanosNow() {
        return System.nanoTime() - startNanos;
    }

    public long millisNow() {
        return nanosNow() / 1_000_000;
    }

    /** Milliseconds since the start for a {@link System#nanoTime()} reading. */
    public long millisAt(long nanoTime) {
        return (nanoTime - startNanos) / 1_000_000;
    }

    /** Milliseconds since the start for a wall-clock instant (RTP arrival times are wall clock). */
    public long millisAt(Instant wall) {
        return java.time.Duration.between(startWall, wall).toMillis();
    }

    public Instant startWall() {
        return startWall;
    }
}
