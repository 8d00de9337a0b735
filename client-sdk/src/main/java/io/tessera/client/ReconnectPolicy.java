package io.tessera.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link SignallingClient} retries after losing its socket while joined: exponential backoff with full jitter
 * (the delay before attempt {@code n} is uniform in {@code [0, min(maxBackoff, initialBackoff * multiplier^(n-1))]},
 * which spreads the clients of a dead master over time and over the other masters), bounded in total time.
 *
 * @param initialBackoff the backoff ceiling before the first attempt (default 100 ms)
 * @param multiplier     how much the ceiling grows per attempt, at least 1 (default 2.0)
 * @param maxBackoff     the highest ceiling (default 2 s)
 * @param maxTotalTime   after this long without success the client gives up and closes (default 30 s); should not
 *                       exceed the server's grace window (20 s by default), after which resuming cannot succeed
 * @param attemptTimeout how long one attempt may take: opening the socket and the {@code connect} answer (default 2 s)
 */
public record ReconnectPolicy(Duration initialBackoff, double multiplier, Duration maxBackoff, Duration maxTotalTime,
                              Duration attemptTimeout) {

    /** Validates: durations positive, {@code multiplier >= 1}, {@code maxBackoff >= initialBackoff}. */
    public ReconnectPolicy {
        positive(initialBackoff, "initialBackoff");
        positive(maxBackoff, "maxBackoff");
        positive(maxTotalTime, "maxTotalTime");
        positive(attemptTimeout, "attemptTimeout");
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1, got " + multiplier);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below initialBackoff " + initialBackoff);
        }
    }

    /** The defaults: 100 ms, x2.0, 2 s cap, 30 s in total, 2 s per attempt. */
    public static ReconnectPolicy defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The upper bound of the delay before attempt {@code attempt} (1-based): grows geometrically, capped. */
    public Duration backoffCeiling(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based, got " + attempt);
        }
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, attempt - 1);
        return Duration.ofMillis((long) Math.min(millis, maxBackoff.toMillis()));
    }

    /** The full-jitter delay before {@code attempt}: {@code unitRandom} (in [0, 1]) times the ceiling. */
    public Duration delayBefore(int attempt, double unitRandom) {
        double r = Math.max(0.0, Math.min(1.0, unitRandom));
        return Duration.ofMillis(Math.round(backoffCeiling(attempt).toMillis() * r));
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }

    /** Builds a {@link ReconnectPolicy}; unset values keep their defaults. */
    public static final class Builder {
        private Duration initialBackoff = Duration.ofMillis(100);
        private double multiplier = 2.0;
        private Duration maxBackoff = Duration.ofSeconds(2);
        private Duration maxTotalTime = Duration.ofSeconds(30);
        private Duration attemptTimeout = Duration.ofSeconds(2);

        private Builder() {
        }

        /** The backoff ceiling before the first attempt. */
        public Builder initialBackoff(Duration d) {
            this.initialBackoff = d;
            return this;
        }

        /** The growth of the ceiling per attempt (at least 1). */
        public Builder multiplier(double m) {
            this.multiplier = m;
            return this;
        }

        /** The cap of the ceiling. */
        public Builder maxBackoff(Duration d) {
            this.maxBackoff = d;
            return this;
        }

        /** How long to keep trying in total before giving up. */
        public Builder maxTotalTime(Duration d) {
            this.maxTotalTime = d;
            return this;
        }

        /** How long one attempt (open the socket, get the {@code connect} answer) may take. */
        public Builder attemptTimeout(Duration d) {
            this.attemptTimeout = d;
            return this;
        }

        /** The policy; throws {@link IllegalArgumentException} on invalid values. */
        public ReconnectPolicy build() {
            return new ReconnectPolicy(initialBackoff, multiplier, maxBackoff, maxTotalTime, attemptTimeout);
        }
    }
}
