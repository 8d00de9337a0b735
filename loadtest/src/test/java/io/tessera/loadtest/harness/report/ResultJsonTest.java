package io.tessera.loadtest.harness.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.loadtest.harness.measure.FaultLog;
import io.tessera.loadtest.harness.measure.LatencyMeter;
import io.tessera.loadtest.harness.measure.Percentiles;
import io.tessera.loadtest.harness.measure.ProcessSampler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultJsonTest {

    /** A small but complete result; {@code scale} multiplies the latencies, {@code rate} is joins/s. */
    static RunResult sample(double scale, double rate, double loss) {
        Map<String, Percentiles> lat = new LinkedHashMap<>();
        lat.put("sessionCreate", new Percentiles(10, 20 * scale, 40 * scale, 60 * scale, 70 * scale, 25 * scale));
        lat.put("join", new Percentiles(40, 15 * scale, 30 * scale, 100 * scale, 120 * scale, 18 * scale));
        lat.put("firstPacket", new Percentiles(30, 12, 20, 25, 30, 13));
        lat.put("resume", new Percentiles(13, 400 * scale, 500 * scale, 550 * scale, 560 * scale, 420 * scale));
        return new RunResult(RunResult.FORMAT_VERSION, "t", "2026-11-25T10:00:00Z", "1.0 1.0 1.0",
                new RunResult.Plan(10, 4, 1, "1:n", 300, 1000, 38, 20, 60, "kill:master-2@20s",
                        List.of("http://127.0.0.1:4443"), 40, 30),
                new RunResult.Counts(10, 40, 10, 30, 0, 0, 13, 0, 0, 0), lat,
                new RunResult.Throughput(2, rate, Map.of("127.0.0.1:4443", 40L), Map.of("127.0.0.1:4443", rate)),
                new RunResult.Media(30, 1000, 0, loss, Percentiles.EMPTY, new Percentiles(30, 1, 2, 3, 4, 1),
                        Percentiles.EMPTY, 0, 0, 0, Percentiles.EMPTY, 0, 0),
                List.of(new FaultLog.Fault("kill:master-2@20s", "kill", "master-2", 20_001, 15, null)),
                Map.of(), Map.of(),
                List.of(new ProcessSampler.NodeUsage("master-1", 10, 20, 200_000,
                        List.of(new ProcessSampler.Sample(1000, 10, 200_000)))),
                new RunResult.Timeline(List.of(new LatencyMeter.SecondPoint(1, 5, 10, 20, 30)),
                        List.of(new long[] {1, 380}), List.of(new long[] {1, 20}), List.of(400.0, 550.0), List.of(),
                        List.of(12.0)), null);
    }

    /** {@link #sample} with the pages of {@code --clients chromium:2}: one stall at the fault. */
    static RunResult withBrowsers(RunResult r) {
        BrowserResult b = new BrowserResult(2, 2, true, 2, 900, new Percentiles(1, 3200, 3200, 3200, 3200, 3200),
                new Percentiles(1, 3500, 3500, 3500, 3500, 3500), new Percentiles(2, 120, 3200, 3200, 3200, 1660), 0, 0,
                List.of(new BrowserResult.Stall("con_a", "con_b", 20_300, 23_500)),
                List.of(new long[] {1, 30}, new long[] {2, 60}));
        return new RunResult(r.formatVersion(), r.runName(), r.startedAt(), r.loadAverage(), r.plan(), r.counts(),
                r.latencies(), r.throughput(), r.media(), r.faults(), r.errors(), r.errorExamples(), r.processes(),
                r.timeline(), b);
    }

    @Test
    void resultSurvivesAJsonRoundTrip() throws Exception {
        RunResult r = sample(1, 20, 0.01);
        String json = ResultJson.toJson(r);
        RunResult back = ResultJson.fromJson(json);
        assertEquals(r.latencies(), back.latencies());
        assertEquals(r.counts(), back.counts());
        assertEquals(r.plan(), back.plan());
        assertEquals(r.faults(), back.faults());
        assertEquals(r.timeline().mediaPacketsPerSecond().get(0)[1], back.timeline().mediaPacketsPerSecond().get(0)[1]);
        assertEquals(json, ResultJson.toJson(back));
        assertFalse(json.contains("MY_SECRET"));
        assertEquals(BrowserResult.NONE, back.browsers(), "no browsers: an empty browser result");

        RunResult pages = withBrowsers(r);
        RunResult pagesBack = ResultJson.fromJson(ResultJson.toJson(pages));
        assertEquals(pages.browsers().stalls(), pagesBack.browsers().stalls());
        assertEquals(pages.browsers().longestStallMs(), pagesBack.browsers().longestStallMs());
        assertEquals(60, pagesBack.browsers().framesPerSecond().get(1)[1]);
    }

    @Test
    void aResultWrittenBeforeBrowsersExistedStillReads() throws Exception {
        String json = ResultJson.toJson(sample(1, 20, 0)).replaceFirst(",\\s*\"browsers\"\\s*:\\s*\\{[\\s\\S]*\\}\\s*\\}\\s*$", "}");
        assertFalse(json.contains("\"browsers\""), "the field is gone from the old result");
        RunResult old = ResultJson.fromJson(json);
        assertEquals(BrowserResult.NONE, old.browsers());
        assertTrue(Double.isNaN(old.figure("browserStall.max")), "no browser figure to compare");
        assertEquals(3200, withBrowsers(old).figure("browserStall.max"));
    }

    @Test
    void exactPercentilesOfPlainValues() {
        Percentiles p = ResultBuilder.ofValues(java.util.stream.IntStream.rangeClosed(1, 200)
                .mapToObj(i -> (double) i).toList());
        assertEquals(new Percentiles(200, 100, 190, 198, 200, 100.5), p);
    }

    @Test
    void aGapIsAttributedToTheFaultItBeganNear() {
        List<FaultLog.Fault> faults = List.of(new FaultLog.Fault("kill:media-1@10s", "kill", "media-1", 10_000, 5, null));
        assertEquals("media-1", ResultBuilder.faultNear(faults, 9_500).node());
        assertEquals(null, ResultBuilder.faultNear(faults, 20_000));
    }

    @Test
    void htmlReportIsSelfContainedWithChartsAndFaultMarks() throws Exception {
        String html = HtmlReport.render(sample(1, 20, 0), List.of());
        // Kept for a look in a browser (target/ is not committed).
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "report-sample.html"), html);
        // The charting library is inlined (one file, opens offline) and draws every chart container.
        assertTrue(html.contains(".uplot"), "the charting library's style is in the page");
        assertTrue(html.contains("TesseraReportCharts="), "the charting library is in the page");
        assertTrue(html.contains("TesseraReportCharts.renderAll()"));
        assertEquals(7, html.split("class='tessera-chart'", -1).length - 1, "3 line charts, 3 histograms, CPU per node");
        assertTrue(html.contains("\"label\":\"kill master-2\""), "the fault is a marker on the charts");
        assertFalse(html.contains("<script src"));
        assertFalse(html.contains("<link"));
        assertFalse(html.contains("http://cdn"));
        assertFalse(html.contains("Chromium pages"), "no browser section without browsers");
    }

    @Test
    void htmlReportChartsTheBrowsersFramesAndStalls() {
        String html = HtmlReport.render(withBrowsers(sample(1, 20, 0)), List.of());
        assertTrue(html.contains("<h2>Chromium pages</h2>"));
        assertTrue(html.contains("2 / 2 (with the add-on)"));
        assertTrue(html.contains("<td>con_a</td><td>con_b</td><td>20.30</td><td>23.50</td><td>3200</td>"), html);
        assertEquals(9, html.split("class='tessera-chart'", -1).length - 1, "plus frames/s and stalls");
        assertTrue(html.contains("Chromium: video frames decoded per second"));
    }
}
