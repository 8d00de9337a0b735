package io.tessera.loadtest.harness;

import io.tessera.loadtest.harness.report.BaselineComparison;
import io.tessera.loadtest.harness.report.BrowserResult;
import io.tessera.loadtest.harness.report.HtmlReport;
import io.tessera.loadtest.harness.report.ResultJson;
import io.tessera.loadtest.harness.report.RunResult;
import io.tessera.loadtest.harness.scenario.HarnessConfig;
import io.tessera.loadtest.harness.scenario.LoadRun;
import io.tessera.loadtest.harness.scenario.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The harness as a library: runs a configuration, writes {@code result.json} and {@code report.html} into its
 * output directory and prints a summary (and the comparison with a baseline, if one is given). Tests call this
 * with their own chaos executor.
 */
public final class Harness {
    public static final String RESULT_FILE = "result.json";
    public static final String REPORT_FILE = "report.html";

    private Harness() {
    }

    public static RunResult run(HarnessConfig cfg, Progress progress, Path baseline, PrintStream out) throws Exception {
        if (cfg.chaosExecutor() != null) {
            cfg.chaosExecutor().checkCanRun(cfg.chaos()); // before any load: a fault that cannot run wastes the run
        }
        RunResult result;
        try (progress) {
            result = new LoadRun(cfg, progress).run();
        }
        Files.createDirectories(cfg.outputDir());
        List<BaselineComparison.Row> rows = List.of();
        if (baseline != null) {
            rows = BaselineComparison.compare(ResultJson.read(baseline), result);
        }
        ResultJson.write(result, cfg.outputDir().resolve(RESULT_FILE));
        HtmlReport.write(result, rows, cfg.outputDir().resolve(REPORT_FILE));
        out.print(summary(result, cfg.outputDir()));
        if (!rows.isEmpty()) {
            out.println("against " + baseline + ":");
            out.print(BaselineComparison.format(rows, 0.1));
        }
        return result;
    }

    private static String browserLine(BrowserResult b) {
        if (b.planned() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "chromium: joined %d/%d, frames %d, stalls (n=%d) p99 %.0f ms, longest per "
                        + "subscription max %.0f ms, fault to first new frame p99 %.0f ms, sessionDisconnected %d%n",
                b.joined(), b.planned(), b.framesDecoded(), b.stallMs().count(), b.stallMs().p99(),
                b.longestStallMs().max(), b.recoveryAfterFaultMs().p99(), b.sessionsLost());
    }

    static String summary(RunResult r, Path dir) throws IOException {
        var c = r.counts();
        var join = r.latencies().get("join");
        var resume = r.latencies().get("resume");
        return String.format(Locale.ROOT, "%nrun %s: joined %d/%d, subscriptions %d/%d, errors %d%n"
                        + "joins/s %.2f %s%njoin ms p50 %.1f p95 %.1f p99 %.1f max %.1f%n"
                        + "resume ms (n=%d) p50 %.1f p99 %.1f max %.1f%n"
                        + "media: loss %.4f %%, jitter p99 %.2f ms, recovery (n=%d, not recovered %d) p99 %.0f ms%n"
                        + "%sload average %s%nreport: %s%nresult: %s%n",
                r.runName(), c.joined(), r.plan().plannedParticipants(), c.subscribed(),
                r.plan().plannedSubscriptions(), c.errors(), r.throughput().joinsPerSecond(),
                r.throughput().joinsPerSecondPerMaster(), join.p50(), join.p95(), join.p99(), join.max(),
                resume.count(), resume.p50(), resume.p99(), resume.max(), r.media().lossPercent(),
                r.media().jitterMs().p99(), r.media().recovered(), r.media().unrecovered(), r.media().recoveryMs().p99(),
                browserLine(r.browsers()), r.loadAverage(), dir.resolve(REPORT_FILE).toAbsolutePath(), dir.resolve(RESULT_FILE).toAbsolutePath());
    }
}
