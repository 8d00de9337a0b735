package io.tessera.loadtest.harness.report;

import java.util.ArrayList;
import java.util.List;

/** The main figures of a run next to a baseline run's, with their ratio (new / old). */
public final class BaselineComparison {
    /** One figure; {@code higherIsBetter} says which way the ratio should go. */
    public record Row(String figure, double baseline, double current, double ratio, boolean higherIsBetter) {
        /** Worse than the baseline by more than {@code tolerance} (0.1 = 10 %). */
        public boolean regressed(double tolerance) {
            if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
                return false;
            }
            return higherIsBetter ? ratio < 1 - tolerance : ratio > 1 + tolerance;
        }
    }

    /** Figure names (see {@link RunResult#figure(String)}) and whether higher is better. */
    static final List<Object[]> FIGURES = List.of(
            new Object[] {"joinsPerSecond", true},
            new Object[] {"join.p50", false},
            new Object[] {"join.p99", false},
            new Object[] {"sessionCreate.p99", false},
            new Object[] {"firstPacket.p99", false},
            new Object[] {"resume.p99", false},
            new Object[] {"mediaRecovery.p99", false},
            new Object[] {"media.lossPercent", false},
            new Object[] {"media.jitterMs.p99", false},
            new Object[] {"errors", false},
            new Object[] {"browserStall.max", false});

    private BaselineComparison() {
    }

    public static List<Row> compare(RunResult baseline, RunResult current) {
        List<Row> rows = new ArrayList<>();
        for (Object[] f : FIGURES) {
            String name = (String) f[0];
            double old = baseline.figure(name);
            double now = current.figure(name);
            if (Double.isNaN(old) && Double.isNaN(now)) {
                continue; // a figure neither run has (browser stalls of runs without browsers)
            }
            rows.add(new Row(name, old, now, ratio(old, now), (Boolean) f[1]));
        }
        return rows;
    }

    /** new / old; 1 when both are 0; NaN when only the baseline is 0 (no ratio means anything then). */
    static double ratio(double old, double now) {
        if (old == 0) {
            return now == 0 ? 1 : Double.NaN;
        }
        return Math.round(now / old * 1000) / 1000.0;
    }

    /** A plain-text table for the console. */
    public static String format(List<Row> rows, double tolerance) {
        StringBuilder sb = new StringBuilder(String.format("%-20s %12s %12s %8s%n", "figure", "baseline", "now", "ratio"));
        for (Row r : rows) {
            sb.append(String.format("%-20s %12.2f %12.2f %8s%s%n", r.figure(), r.baseline(), r.current(),
                    Double.isNaN(r.ratio()) ? "n/a" : String.format("%.3f", r.ratio()),
                    r.regressed(tolerance) ? "  worse" : ""));
        }
        return sb.toString();
    }
}
