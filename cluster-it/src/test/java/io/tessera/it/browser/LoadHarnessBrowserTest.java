package io.tessera.it.browser;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.it.ClusterProcesses;
import io.tessera.it.JanusEnvironment;
import io.tessera.loadtest.browser.BrowserProcesses;
import io.tessera.loadtest.harness.Harness;
import io.tessera.loadtest.harness.chaos.ChaosAction;
import io.tessera.loadtest.harness.chaos.ChaosSchedule;
import io.tessera.loadtest.harness.report.BrowserResult;
import io.tessera.loadtest.harness.report.ResultJson;
import io.tessera.loadtest.harness.report.RunResult;
import io.tessera.loadtest.harness.scenario.BrowserPlan;
import io.tessera.loadtest.harness.scenario.HarnessConfig;
import io.tessera.loadtest.harness.scenario.MediaProfile;
import io.tessera.loadtest.harness.scenario.Progress;
import io.tessera.loadtest.harness.scenario.Topology;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The load harness with real browsers ({@code --clients chromium:2}) beside its synthetic clients, against 3 masters
 * and a media node running Janus: the two pages (through master-1 and master-2) publish their fake cameras to each other through
 * openvidu-browser, master-2 is killed mid-run, and the result must count both pages, their video, and no lost
 * session or participant; the report charts them. Runs in the browser execution's network namespace (tag
 * {@code browser}).
 */
@Tag("browser")
class LoadHarnessBrowserTest {
    private static ClusterProcesses cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterProcesses.start("LoadHarnessBrowserTest", 3, 1, JanusEnvironment.of(20400, 20499,
                Map.of("TESSERA_GRACE_WINDOW", "8s")));
        cluster.awaitReady(Duration.ofSeconds(150));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void chromiumPagesRunBesideTheSyntheticLoadAndTheirVideoIsChartedThroughAMasterKill() throws Exception {
        Path out = Path.of("target", "loadtest-chromium");
        HarnessConfig cfg = new HarnessConfig("chromium", cluster.masters().stream()
                .map(ClusterProcesses.Node::httpBase).toList(), cluster.secret(), 1, 2, 1, Topology.ONE_N,
                new MediaProfile(200, 500), 10, Duration.ofSeconds(40), ChaosSchedule.parse("kill:master-2@28s"),
                (verb, node) -> {
                    assertEquals(ChaosAction.Verb.KILL, verb);
                    cluster.kill(cluster.node(node));
                }, out, "127.0.0.1", 8, null, cluster::pids, new BrowserPlan(2, false));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        RunResult r = Harness.run(cfg, Progress.NONE, null, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String summary = printed.toString(StandardCharsets.UTF_8);

        BrowserResult b = r.browsers();
        String html = Files.readString(out.resolve(Harness.REPORT_FILE));
        List<long[]> frames = b.framesPerSecond();
        assertAll(summary,
                () -> assertEquals(Map.of(), r.errors(), "no errors at all: " + r.errorExamples()),
                () -> assertEquals(2, b.planned()),
                () -> assertEquals(2, b.joined(), "both pages joined"),
                () -> assertEquals(2, b.subscriptions(), "each page receives the other's video"),
                () -> assertTrue(b.framesDecoded() > 100, "the pages decoded video: " + b.framesDecoded()),
                () -> assertTrue(frames.get(frames.size() - 1)[1] > 0, "video still decoded at the end: " + summary),
                () -> assertEquals(0, b.sessionsLost(), "no page lost its session to the master's death"),
                () -> assertEquals(0, b.participantsLost(), "no page saw the other leave"),
                () -> assertEquals(2, b.longestStallMs().count(), "a longest stall per subscription"),
                () -> assertEquals(1, r.faults().size()),
                () -> assertNull(r.faults().get(0).error()),
                () -> assertEquals(2, r.counts().joined(), "the synthetic clients ran beside the pages"),
                () -> assertTrue(summary.contains("chromium: joined 2/2"), summary),
                () -> assertTrue(html.contains("<h2>Chromium pages</h2>")),
                () -> assertTrue(html.contains("Chromium: video frames decoded per second")),
                () -> assertEquals(b.framesDecoded(),
                        ResultJson.read(out.resolve(Harness.RESULT_FILE)).browsers().framesDecoded()),
                () -> assertEquals(List.of(), BrowserProcesses.running(), "the harness quit every browser"));
        cluster.assertAllAlive(Set.of("master-2"));
    }
}
