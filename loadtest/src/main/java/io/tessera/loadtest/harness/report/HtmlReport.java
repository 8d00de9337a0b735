package io.tessera.loadtest.harness.report;

import io.tessera.loadtest.harness.measure.FaultLog;
import io.tessera.loadtest.harness.measure.LatencyMeter;
import io.tessera.loadtest.harness.measure.Percentiles;
import io.tessera.loadtest.harness.measure.ProcessSampler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page for one run: tables of the figures and charts (the console's charting library,
 * inlined) with the faults marked.
 */
public final class HtmlReport {
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"};

    private HtmlReport() {
    }

    public static void write(RunResult r, List<BaselineComparison.Row> baseline, Path file) throws IOException {
        Files.writeString(file, render(r, baseline), StandardCharsets.UTF_8);
    }

    static String render(RunResult r, List<BaselineComparison.Row> baseline) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Tessera load test "
                + Charts.esc(r.runName()) + "</title><style>body{font-family:sans-serif;margin:2em;max-width:1000px}"
                + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
                + "text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}.bad{color:#c00}</style>"
                + Charts.style() + "</head><body>");
        RunResult.Plan p = r.plan();
        h.append("<h1>Tessera load test: ").append(Charts.esc(r.runName())).append("</h1>");
        h.append(String.format(Locale.ROOT, "<p>Started %s; load average at the end %s. %d sessions x %d participants "
                        + "(%d publishing, topology %s), %d kbit/s in %d-byte packets (%d packets/s), ramp %.1f joins/s, "
                        + "duration %.0f s, chaos <code>%s</code>, masters %s.</p>",
                Charts.esc(r.startedAt()), Charts.esc(r.loadAverage()), p.sessions(), p.participants(), p.publishers(),
                p.topology(), p.bitrateKbps(), p.packetSize(), p.packetsPerSecond(), p.joinsPerSecond(),
                p.durationSeconds(), Charts.esc(p.chaos().isEmpty() ? "none" : p.chaos()),
                Charts.esc(String.join(", ", p.masters()))));

        RunResult.Counts c = r.counts();
        h.append("<h2>Counts</h2><table><tr><th>what</th><th>planned</th><th>done</th></tr>");
        row(h, "sessions created", p.sessions(), c.sessionsCreated());
        row(h, "participants joined", p.plannedParticipants(), c.joined());
        row(h, "streams published", (long) p.sessions() * p.publishers(), c.published());
        row(h, "subscriptions", p.plannedSubscriptions(), c.subscribed());
        h.append(String.format(Locale.ROOT, "<tr><td>join retries / REST failovers / resumes / resumes without a "
                + "fault / gave up</td><td colspan='2'>%d / %d / %d / %d / %d</td></tr></table>", c.joinRetries(),
                c.restFailovers(), c.resumes(), c.resumesWithoutFault(), c.disconnected()));

        h.append("<h2>Latency (ms)</h2><table><tr><th>measure</th><th>n</th><th>p50</th><th>p95</th><th>p99</th>"
                + "<th>max</th><th>mean</th></tr>");
        r.latencies().forEach((name, pc) -> pct(h, name, pc));
        pct(h, "media recovery after a media-node fault", r.media().recoveryMs());
        h.append("</table><p>Resume: from the master fault's instant to the SDK's onReconnected. First packet: from the "
                + "subscribe request to the first RTP packet. Media recovery: from the fault to the first packet after "
                + "a gap, at each subscriber whose media stopped within 1 s before to 5 s after it.</p>");

        RunResult.Throughput t = r.throughput();
        h.append(String.format(Locale.ROOT, "<h2>Throughput</h2><p>%.2f joins/s over a join window of %.1f s.</p>"
                + "<table><tr><th>master</th><th>joins</th><th>joins/s</th></tr>", t.joinsPerSecond(),
                t.joinWindowSeconds()));
        t.joinsPerMaster().forEach((k, v) -> h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%.2f</td>"
                + "</tr>", Charts.esc(k), v, t.joinsPerSecondPerMaster().getOrDefault(k, 0.0))));
        h.append("</table>");

        RunResult.Media m = r.media();
        h.append("<h2>Media at the subscribers</h2><table><tr><th>what</th><th>value</th></tr>");
        kv(h, "subscribers (receivers)", m.subscribers());
        kv(h, "packets received / lost", m.received() + " / " + m.lost());
        kv(h, "loss over all packets", m.lossPercent() + " %");
        kv(h, "subscribers without any packet", m.withoutMedia());
        kv(h, "gaps (all / at master faults)", m.gaps() + " / " + m.gapsAtMasterFaults());
        kv(h, "recovered / not recovered after media faults", m.recovered() + " / " + m.unrecovered());
        h.append("</table><table><tr><th>per subscriber</th><th>n</th><th>p50</th><th>p95</th><th>p99</th><th>max</th>"
                + "<th>mean</th></tr>");
        pct(h, "loss %", m.lossPercentPerSubscriber());
        pct(h, "jitter ms (RFC 3550)", m.jitterMs());
        pct(h, "one-way latency ms", m.oneWayLatencyMs());
        h.append("</table>");

        browsers(h, r.browsers());

        h.append("<h2>Faults</h2><table><tr><th>action</th><th>at (s)</th><th>took (ms)</th><th>result</th></tr>");
        for (FaultLog.Fault f : r.faults()) {
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.2f</td><td>%d</td><td>%s</td></tr>",
                    Charts.esc(f.action()), f.atMillis() / 1000.0, f.tookMillis(),
                    f.error() == null ? "ok" : "<span class='bad'>" + Charts.esc(f.error()) + "</span>"));
        }
        h.append("</table>");

        h.append("<h2>Charts</h2><p>Drag across a chart to zoom in (double-click to zoom out); the legend shows "
                + "the values under the cursor.</p>");
        List<Charts.Marker> markers = r.faults().stream()
                .map(f -> new Charts.Marker(f.atMillis() / 1000.0, f.verb() + " " + f.node())).toList();
        double xMax = p.durationSeconds() + 5;
        List<LatencyMeter.SecondPoint> jl = r.timeline().joinLatency();
        h.append(Charts.lines("Join latency over time (per second)", "seconds since start", "ms", List.of(
                new Charts.Series("p50", COLORS[0], jl.stream().map(s -> new double[] {s.second(), s.p50()}).toList()),
                new Charts.Series("p99", COLORS[1], jl.stream().map(s -> new double[] {s.second(), s.p99()}).toList()),
                new Charts.Series("max", COLORS[3], jl.stream().map(s -> new double[] {s.second(), s.max()}).toList())),
                markers, xMax));
        h.append(Charts.lines("RTP packets received per second, all subscribers", "seconds since start", "packets/s",
                List.of(new Charts.Series("packets/s", COLORS[2], series(r.timeline().mediaPacketsPerSecond()))),
                markers, xMax));
        h.append(Charts.lines("Participants joined", "seconds since start", "participants",
                List.of(new Charts.Series("joined", COLORS[0], series(r.timeline().participantsPerSecond()))),
                markers, xMax));
        h.append(Charts.histogram("Resume time after a master fault", "ms", r.timeline().resumeMillis(), 30, COLORS[1]));
        h.append(Charts.histogram("Media recovery after a media-node fault", "ms", r.timeline().recoveryMillis(), 30,
                COLORS[2]));
        h.append(Charts.histogram("Time to first media packet", "ms", r.timeline().firstPacketMillis(), 30, COLORS[0]));

        if (r.browsers().planned() > 0) {
            h.append(Charts.lines("Chromium: video frames decoded per second, all pages", "seconds since start",
                    "frames/s", List.of(new Charts.Series("frames/s", COLORS[4],
                            series(r.browsers().framesPerSecond()))), markers, xMax));
            h.append(Charts.lines("Chromium: video stalls (each from its last frame to the first new one)",
                    "seconds since start", "stall ms", stallSeries(r.browsers()), markers, xMax));
        }

        if (!r.processes().isEmpty()) {
            h.append("<h2>Node processes</h2><table><tr><th>node</th><th>CPU avg %</th><th>CPU max %</th>"
                    + "<th>RSS max MiB</th></tr>");
            List<Charts.Series> cpu = new ArrayList<>();
            int i = 0;
            for (ProcessSampler.NodeUsage u : r.processes()) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.1f</td><td>%.1f</td><td>%.1f</td></tr>",
                        Charts.esc(u.node()), u.cpuAvgPercent(), u.cpuMaxPercent(), u.rssMaxKiB() / 1024.0));
                cpu.add(new Charts.Series(u.node(), COLORS[i++ % COLORS.length], u.samples().stream()
                        .map(s -> new double[] {s.atMillis() / 1000.0, s.cpuPercent()}).toList()));
            }
            h.append("</table>").append(Charts.lines("CPU per node (% of one core)", "seconds since start", "%", cpu,
                    markers, xMax));
        }

        h.append("<h2>Errors</h2>");
        if (r.errors().isEmpty()) {
            h.append("<p>None.</p>");
        } else {
            h.append("<table><tr><th>kind</th><th>count</th><th>first example</th></tr>");
            r.errors().forEach((k, v) -> h.append("<tr><td>").append(Charts.esc(k)).append("</td><td>").append(v)
                    .append("</td><td style='text-align:left'>")
                    .append(Charts.esc(r.errorExamples().getOrDefault(k, ""))).append("</td></tr>"));
            h.append("</table>");
        }
        if (baseline != null && !baseline.isEmpty()) {
            h.append("<h2>Against the baseline</h2><table><tr><th>figure</th><th>baseline</th><th>now</th>"
                    + "<th>ratio</th></tr>");
            for (BaselineComparison.Row b : baseline) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.2f</td><td>%.2f</td><td%s>%s</td></tr>",
                        b.figure(), b.baseline(), b.current(), b.regressed(0.1) ? " class='bad'" : "",
                        Double.isNaN(b.ratio()) ? "n/a" : String.format(Locale.ROOT, "%.3f", b.ratio())));
            }
            h.append("</table>");
        }
        return h.append(Charts.script()).append("</body></html>\n").toString();
    }

    /** The real browsers' section: counts, stall figures and the longest stalls; nothing when there were none. */
    private static void browsers(StringBuilder h, BrowserResult b) {
        if (b.planned() == 0) {
            return;
        }
        h.append("<h2>Chromium pages</h2><table><tr><th>what</th><th>value</th></tr>");
        kv(h, "pages joined / asked", b.joined() + " / " + b.planned() + (b.addon() ? " (with the add-on)" : ""));
        kv(h, "subscriptions", b.subscriptions());
        kv(h, "video frames decoded", b.framesDecoded());
        kv(h, "sessionDisconnected / connectionDestroyed", b.sessionsLost() + " / " + b.participantsLost());
        h.append("</table><table><tr><th>per stall or subscription (ms)</th><th>n</th><th>p50</th><th>p95</th>"
                + "<th>p99</th><th>max</th><th>mean</th></tr>");
        pct(h, "stall (over " + BrowserResult.MIN_STALL_MS + " ms)", b.stallMs());
        pct(h, "fault to first new frame", b.recoveryAfterFaultMs());
        pct(h, "longest stall per subscription", b.longestStallMs());
        h.append("</table>");
        List<BrowserResult.Stall> longest = b.stalls().stream()
                .sorted(java.util.Comparator.comparingLong(BrowserResult.Stall::millis).reversed()).limit(20).toList();
        if (!longest.isEmpty()) {
            h.append("<table><tr><th>page</th><th>video of</th><th>from (s)</th><th>to (s)</th><th>ms</th></tr>");
            for (BrowserResult.Stall s : longest) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.2f</td><td>%.2f</td><td>%d</td></tr>",
                        Charts.esc(s.page()), Charts.esc(s.remote()), s.fromMillis() / 1000.0, s.toMillis() / 1000.0,
                        s.millis()));
            }
            h.append("</table>");
        }
    }

    /** One series per subscription: 0 while frames come, the stall's length across each stall. */
    private static List<Charts.Series> stallSeries(BrowserResult b) {
        java.util.Map<String, List<double[]>> bySubscription = new java.util.LinkedHashMap<>();
        for (BrowserResult.Stall s : b.stalls()) {
            List<double[]> points = bySubscription.computeIfAbsent(s.page() + " <- " + s.remote(), k -> new ArrayList<>());
            points.add(new double[] {s.fromMillis() / 1000.0, 0});
            points.add(new double[] {s.fromMillis() / 1000.0, s.millis()});
            points.add(new double[] {s.toMillis() / 1000.0, s.millis()});
            points.add(new double[] {s.toMillis() / 1000.0, 0});
        }
        List<Charts.Series> series = new ArrayList<>();
        int i = 0;
        for (var e : bySubscription.entrySet()) {
            series.add(new Charts.Series(e.getKey(), COLORS[i++ % COLORS.length], e.getValue()));
        }
        return series;
    }

    private static List<double[]> series(List<long[]> points) {
        return points.stream().map(a -> new double[] {a[0], a[1]}).toList();
    }

    private static void row(StringBuilder h, String what, long planned, long done) {
        h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td%s>%d</td></tr>", what, planned,
                done < planned ? " class='bad'" : "", done));
    }

    private static void kv(StringBuilder h, String k, Object v) {
        h.append("<tr><td>").append(Charts.esc(k)).append("</td><td>").append(Charts.esc(String.valueOf(v)))
                .append("</td></tr>");
    }

    private static void pct(StringBuilder h, String name, Percentiles p) {
        h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>"
                        + "<td>%.2f</td><td>%.2f</td></tr>", Charts.esc(name), p.count(), p.p50(), p.p95(), p.p99(),
                p.max(), p.mean()));
    }

}
