package io.tessera.loadtest.harness.measure;

import org.HdrHistogram.Histogram;

/** Summary of one measure, in milliseconds (or the unit the measure names). */
public record Percentiles(long count, double p50, double p95, double p99, double max, double mean) {
    public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0, 0);

    /** From a histogram of microseconds, to milliseconds. */
    public static Percentiles ofMicros(Histogram h) {
        return of(h, 1000.0);
    }

    /** From a histogram whose values are {@code scale} units per reported unit. */
    public static Percentiles of(Histogram h, double scale) {
        if (h.getTotalCount() == 0) {
            return EMPTY;
        }
        return new Percentiles(h.getTotalCount(), round(h.getValueAtPercentile(50) / scale),
                round(h.getValueAtPercentile(95) / scale), round(h.getValueAtPercentile(99) / scale),
                round(h.getMaxValue() / scale), round(h.getMean() / scale));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
