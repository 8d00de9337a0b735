package io.tessera.loadtest.harness.report;

import java.util.List;
import java.util.Locale;

/** Small inline SVG charts: no script, no external file, so the report opens offline in any browser. */
final class Svg {
    static final int W = 760;
    static final int H = 260;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    /** A named series of (x, y) points drawn as a polyline. */
    record Series(String name, String color, List<double[]> points) {
    }

    /** A vertical marker (a fault instant). */
    record Marker(double x, String label) {
    }

    private Svg() {
    }

    static String lines(String title, String xLabel, String yLabel, List<Series> series, List<Marker> markers,
                        double xMax) {
        double yMax = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                yMax = Math.max(yMax, p[1]);
            }
        }
        yMax = niceCeil(yMax);
        double xm = Math.max(1, xMax);
        StringBuilder sb = frame(title, xLabel, yLabel, xm, yMax);
        for (Marker mk : markers) {
            double x = sx(mk.x(), xm);
            sb.append(f("<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#d62728' stroke-dasharray='4 3'/>",
                    x, TOP, x, H - BOTTOM));
            sb.append(f("<text x='%.1f' y='%d' font-size='10' fill='#d62728' transform='rotate(-90 %.1f %d)' "
                    + "text-anchor='end'>%s</text>", x + 10, TOP + 2, x + 10, TOP + 2, esc(mk.label())));
        }
        int legend = 0;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                pts.append(f("%.1f,%.1f ", sx(p[0], xm), sy(p[1], yMax)));
            }
            sb.append(f("<polyline fill='none' stroke='%s' stroke-width='1.5' points='%s'/>", s.color(), pts));
            sb.append(f("<text x='%d' y='%d' font-size='11' fill='%s'>%s</text>", LEFT + 10 + legend * 140, TOP - 8,
                    s.color(), esc(s.name())));
            legend++;
        }
        return sb.append("</svg>").toString();
    }

    /** A histogram of values into {@code bins} equal bins. */
    static String histogram(String title, String xLabel, List<Double> values, int bins, String color) {
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double xMax = niceCeil(Math.max(max, 1e-9));
        long[] counts = new long[bins];
        for (double v : values) {
            counts[(int) Math.min(bins - 1, Math.floor(v / xMax * bins))]++;
        }
        long cMax = 0;
        for (long c : counts) {
            cMax = Math.max(cMax, c);
        }
        double yMax = niceCeil(Math.max(1, cMax));
        StringBuilder sb = frame(title + " (n=" + values.size() + ")", xLabel, "count", xMax, yMax);
        double bw = (W - LEFT - RIGHT) / (double) bins;
        for (int i = 0; i < bins; i++) {
            double h = counts[i] / yMax * (H - TOP - BOTTOM);
            sb.append(f("<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'/>", LEFT + i * bw + 1,
                    H - BOTTOM - h, Math.max(1, bw - 2), h, color));
        }
        return sb.append("</svg>").toString();
    }

    private static StringBuilder frame(String title, String xLabel, String yLabel, double xMax, double yMax) {
        StringBuilder sb = new StringBuilder(f("<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "font-family='sans-serif'>", W, H));
        sb.append(f("<text x='%d' y='14' font-size='13' font-weight='bold'>%s</text>", LEFT, esc(title)));
        sb.append(f("<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#999'/>", LEFT, TOP,
                W - LEFT - RIGHT, H - TOP - BOTTOM));
        for (int i = 0; i <= 4; i++) {
            double yv = yMax * i / 4;
            double y = sy(yv, yMax);
            sb.append(f("<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#eee'/>", LEFT, y, W - RIGHT, y));
            sb.append(f("<text x='%d' y='%.1f' font-size='10' text-anchor='end'>%s</text>", LEFT - 4, y + 3, num(yv)));
            double xv = xMax * i / 4;
            sb.append(f("<text x='%.1f' y='%d' font-size='10' text-anchor='middle'>%s</text>", sx(xv, xMax),
                    H - BOTTOM + 14, num(xv)));
        }
        sb.append(f("<text x='%d' y='%d' font-size='11' text-anchor='middle'>%s</text>", (W + LEFT) / 2, H - 6,
                esc(xLabel)));
        sb.append(f("<text x='12' y='%d' font-size='11' transform='rotate(-90 12 %d)' text-anchor='middle'>%s</text>",
                H / 2, H / 2, esc(yLabel)));
        return sb;
    }

    private static double sx(double x, double xMax) {
        return LEFT + x / xMax * (W - LEFT - RIGHT);
    }

    private static double sy(double y, double yMax) {
        return H - BOTTOM - y / yMax * (H - TOP - BOTTOM);
    }

    /** 1, 2 or 5 times a power of ten, at least v. */
    static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : f("%.2f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
                .replace("\"", "&quot;");
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
