package io.tessera.loadtest.harness.measure;

import java.time.Duration;
import org.HdrHistogram.Histogram;

/**
 * One latency measure: an HdrHistogram of microseconds (1 µs to 10 min, 3 digits) for the whole run, plus one
 * coarse histogram per second of the run for the latency-over-time chart. Thread-safe; memory is bounded by
 * {@link #MAX_SECONDS}.
 */
public final class LatencyMeter {
    /** The chart keeps at most this many seconds; later samples still count in the totals. */
    public static final int MAX_SECONDS = 7200;
    private static final long HIGHEST_MICROS = Duration.ofMinutes(10).toNanos() / 1000;

    private final String name;
    private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
    private final Histogram[] perSecond = new Histogram[MAX_SECONDS];

    public LatencyMeter(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Records one sample that ended {@code atMillis} after the run started. */
    public synchronized void record(long atMillis, Duration latency) {
        long micros = Math.max(0, Math.min(HIGHEST_MICROS, latency.toNanos() / 1000));
        total.recordValue(micros);
        int second = (int) (atMillis / 1000);
        if (second >= 0 && second < MAX_SECONDS) {
            if (perSecond[second] == null) {
                perSecond[second] = new Histogram(HIGHEST_MICROS, 2);
            }
            perSecond[second].recordValue(micros);
        }
    }

    public synchronized Percentiles summary() {
        return Percentiles.ofMicros(total);
    }

    public synchronized long count() {
        return total.getTotalCount();
    }

    /** A copy of the whole-run histogram (microseconds), e.g. for a histogram chart. */
    public synchronized Histogram histogram() {
        return total.copy();
    }

    /** Per second that had samples: second, count, p50, p99, max (ms). */
    public synchronized java.util.List<SecondPoint> timeline() {
        java.util.List<SecondPoint> points = new java.util.ArrayList<>();
        for (int s = 0; s < MAX_SECONDS; s++) {
            Histogram h = perSecond[s];
            if (h != null) {
                Percentiles p = Percentiles.ofMicros(h);
                points.add(new SecondPoint(s, p.count(), p.p50(), p.p99(), p.max()));
            }
        }
        return points;
    }

    /** One second of a latency timeline. */
    public record SecondPoint(int second, long count, double p50, double p99, double max) {
    }
}
