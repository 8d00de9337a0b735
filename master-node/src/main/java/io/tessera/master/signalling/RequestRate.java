package io.tessera.master.signalling;

/**
 * A token bucket per WebSocket connection: {@code perSecond} requests a second on average, bursts of up to
 * {@code burst}. Requests over it are answered with error 429 instead of being served, so one chatty client
 * cannot take a master's time from the others and learns why it is refused. Used by one actor: not thread-safe.
 */
final class RequestRate {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    RequestRate(int perSecond, int burst, long nowNanos) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("messages-per-second must be > 0 and the burst >= 1");
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes one token if there is one. */
    boolean tryAcquire(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - last) * perNano);
        last = nowNanos;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
