package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.loadtest.harness.Harness;
import io.tessera.loadtest.harness.chaos.ChaosAction;
import io.tessera.loadtest.harness.chaos.ChaosSchedule;
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
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A short run of the load-test harness (issue 6) against real node JVMs: 3 masters + 1 media node, 2 sessions x 3
 * participants (one publisher each, 1:n), and master-2 killed halfway through by a chaos executor of the test's own.
 */
class LoadHarnessSmokeTest {
    private static ClusterProcesses cluster;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterProcesses.start("LoadHarnessSmokeTest", 3, 1, Map.of("TESSERA_GRACE_WINDOW", "8s"));
        cluster.awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aShortRunWithAMasterKillJoinsEveryoneResumesThemAndWritesTheReport() throws Exception {
        Path out = Path.of("target", "loadtest-smoke");
        HarnessConfig cfg = new HarnessConfig("smoke", cluster.masters().stream().map(ClusterProcesses.Node::httpBase)
                .toList(), cluster.secret(), 2, 3, 1, Topology.ONE_N, new MediaProfile(200, 500), 10,
                Duration.ofSeconds(12), ChaosSchedule.parse("kill:master-2@6s"),
                (verb, node) -> {
                    assertEquals(ChaosAction.Verb.KILL, verb);
                    cluster.kill(cluster.node(node));
                }, out, "127.0.0.1", 8, null, cluster::pids, BrowserPlan.NONE);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        RunResult r = Harness.run(cfg, Progress.NONE, null, new PrintStream(printed, true, StandardCharsets.UTF_8));
        String summary = printed.toString(StandardCharsets.UTF_8);

        assertTrue(Files.size(out.resolve(Harness.REPORT_FILE)) > 1000, summary);
        assertEquals(r.counts(), ResultJson.read(out.resolve(Harness.RESULT_FILE)).counts());
        RunResult.Counts c = r.counts();
        assertAll(summary,
                () -> assertEquals(Map.of(), r.errors(), "no errors at all: " + r.errorExamples()),
                () -> assertEquals(2, c.sessionsCreated()),
                () -> assertEquals(6, c.joined(), "participants joined = planned"),
                () -> assertEquals(2, c.published()),
                () -> assertEquals(4, c.subscribed(), "1:n: two subscribers per session"),
                () -> assertEquals(6, r.throughput().joinsPerMaster().values().stream().mapToLong(Long::longValue).sum()),
                () -> assertEquals(1, r.faults().size()),
                () -> assertNull(r.faults().get(0).error()),
                // Participants 1 and 4 (round-robin) joined through master-2; its kill resumes them elsewhere.
                () -> assertEquals(2, c.resumes(), "both clients of master-2 resumed"),
                () -> assertEquals(0, c.resumesWithoutFault()),
                () -> assertEquals(0, c.disconnected()),
                () -> assertTrue(r.latencies().get("resume").max() < 5_000, "resumed within 5 s"),
                () -> assertEquals(4, r.media().subscribers()),
                () -> assertEquals(0, r.media().withoutMedia()),
                () -> assertEquals(0, r.media().lost(), "media never goes through a master"),
                () -> assertEquals(0, r.media().gapsAtMasterFaults()),
                () -> assertTrue(r.processes().size() >= 3, "CPU/RSS of the node processes"));
        cluster.assertAllAlive(Set.of("master-2"));
    }
}
