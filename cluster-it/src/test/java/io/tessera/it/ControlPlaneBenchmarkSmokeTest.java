package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.loadtest.controlplane.ControlPlaneBenchmark;
import io.tessera.loadtest.controlplane.ControlPlaneConfig;
import io.tessera.loadtest.controlplane.ControlPlaneResult;
import io.tessera.loadtest.controlplane.GcLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The control-plane benchmark end to end against real node JVMs (2 masters + 1 media node): two warm-up rounds, an
 * idle window and two short levels, beside a background of held sessions and tokens, complete every operation
 * through both masters and see the CPU of both roles (the fresh joins included); a short run at a fixed offered rate completes too; no session
 * is left behind (the background's included).
 * No timing is asserted: the figures belong in docs/BENCHMARKS.md.
 */
class ControlPlaneBenchmarkSmokeTest {

    @Test
    void aShortRunCompletesEveryOperationAndCountsCpuPerRole() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.start("ControlPlaneBenchmarkSmokeTest", 2, 1)) {
            cluster.awaitReady(Duration.ofSeconds(120));
            ControlPlaneConfig cfg = new ControlPlaneConfig("cp-smoke", cluster.masters().stream()
                    .map(ClusterProcesses.Node::httpBase).toList(), cluster.secret(), List.of(1, 3), 4, 2, 2, 2,
                    Duration.ofSeconds(1), 0, Duration.ofSeconds(10), cluster::pids,
                    new ControlPlaneConfig.Background(3, 2), true, false, false);
            AtomicLong operations = new AtomicLong();

            // Every phase with its nodes' GC pauses, from the GC logs the nodes write beside their logs.
            ControlPlaneResult result = GcLog.withPauses(new ControlPlaneBenchmark(cfg, operations::incrementAndGet)
                    .run(), cluster.logDir());

            Path json = Files.createDirectories(Path.of("target", "control-plane-smoke")).resolve("control-plane.json");
            result.write(json);
            assertEquals(result, ControlPlaneResult.read(json));
            assertEquals(ControlPlaneBenchmark.plannedOperations(cfg), operations.get());
            assertEquals(List.of(1, 3), result.levels().stream().map(ControlPlaneResult.Level::concurrency).toList());
            for (ControlPlaneResult.Level level : result.levels()) {
                for (String op : ControlPlaneBenchmark.OPERATIONS) {
                    ControlPlaneResult.Phase p = level.phase(op);
                    // 4 sessions x 2 participants; the last of each stays until its session's delete.
                    long expected = op.startsWith("session") || op.equals("leave") ? 4 : 8;
                    assertAll(result.table(),
                            () -> assertNull(p.firstError()),
                            () -> assertEquals(expected, p.ok(), op + " at " + level.concurrency()),
                            () -> assertEquals(expected, p.latencyMs().count()),
                            () -> assertTrue(p.perSecond() > 0));
                }
                // --fresh-joins: a session and a token through one master, joined at once through the other.
                ControlPlaneResult.Phase fresh = level.phase("freshJoin");
                assertAll(result.table(), () -> assertNull(fresh.firstError()), () -> assertEquals(8, fresh.ok()),
                        () -> assertTrue(fresh.cpuMsByRole().containsKey("master")));
            }
            // Both roles are measured (the figures can be 0 at the 10 ms resolution of /proc for so few operations).
            assertTrue(result.levels().stream().allMatch(l -> l.phase("sessionCreate").cpuMsByRole()
                    .containsKey("master")), result.table());
            assertTrue(result.levels().stream().allMatch(l -> l.phase("joinRoom").cpuMsByRole().containsKey("media")),
                    result.table());
            assertTrue(result.idle().seconds() > 0 && result.idle().msPerSecond().containsKey("master"), result.table());
            // The background: 3 sessions with 2 pending tokens each, created before the levels and deleted after.
            assertEquals(3, result.background().sessions());
            assertEquals(6, result.background().tokens());
            assertEquals(List.of("backgroundCreate", "backgroundToken", "backgroundDelete"),
                    result.background().phases().stream().map(ControlPlaneResult.Phase::operation).toList());
            assertEquals(List.of(3L, 6L, 3L), result.background().phases().stream()
                    .map(ControlPlaneResult.Phase::ok).toList(), result.table());
            assertTrue(result.background().phases().stream().allMatch(p -> p.errors() == 0), result.table());
            assertTrue(result.table().contains("held through the levels: 3 sessions, 6 pending tokens"), result.table());
            // Both roles' pauses in every phase (a phase can hold none: the count is asserted with the forced ones below).
            assertTrue(java.util.stream.Stream.concat(result.levels().stream().flatMap(l -> l.phases().stream()),
                    result.background().phases().stream()).allMatch(p -> p.gcPausesByRole().keySet()
                    .equals(java.util.Set.of("master", "media"))), result.table());
            assertTrue(result.table().contains("| 1 | joinRoom | master |"), result.table());

            // The same at a fixed offered rate (open loop), with sessions the masters name (--server-named-sessions)
            // and the nodes' live heap read between phases (--live-heap): every operation done, the rate and the
            // naming said in the result, a heap reading of each role at each stage.
            ControlPlaneConfig open = new ControlPlaneConfig("cp-smoke-rate", cfg.masters(), cfg.secret(), List.of(3),
                    4, 2, 0, 0, Duration.ZERO, 20, Duration.ofSeconds(10), cluster::pids,
                    ControlPlaneConfig.Background.NONE, false, true, true);
            ControlPlaneResult atRate = new ControlPlaneBenchmark(open, () -> { }).run();
            assertTrue(atRate.serverNamedSessions() && !result.serverNamedSessions());
            assertTrue(atRate.table().contains("sessions named by the server"), atRate.table());
            Map<String, Map<String, Long>> heap = atRate.levels().get(0).liveHeapBytes();
            assertEquals(List.of("before", "sessions", "tokens", "joined", "closed"), List.copyOf(heap.keySet()));
            assertTrue(heap.values().stream().allMatch(byRole -> byRole.keySet().equals(java.util.Set.of("master",
                    "media")) && byRole.values().stream().allMatch(bytes -> bytes > 1024 * 1024)), heap.toString());
            assertTrue(atRate.table().contains("per joined participant"), atRate.table());
            // Each stage's reading forced a full collection on every node (jcmd GC.run): each node's GC log has them,
            // with their CPU.
            for (ClusterProcesses.Node node : cluster.allNodes()) {
                List<GcLog.Pause> pauses = GcLog.read(cluster.logDir().resolve(node.id() + GcLog.FILE_SUFFIX));
                assertTrue(pauses.stream().filter(p -> p.kind().equals("Full") && p.cpuMs() >= 0).count() >= heap.size(),
                        node.id() + ": " + pauses);
            }
            assertTrue(result.levels().stream().allMatch(l -> l.liveHeapBytes().isEmpty()), "no reading unless asked");
            for (String op : ControlPlaneBenchmark.OPERATIONS) {
                ControlPlaneResult.Phase p = atRate.levels().get(0).phase(op);
                assertAll(atRate.table(), () -> assertNull(p.firstError()), () -> assertEquals(20, p.offeredPerSecond()),
                        () -> assertEquals(op.startsWith("session") || op.equals("leave") ? 4 : 8, p.ok(), op));
            }
            assertTrue(cluster.rest(cluster.masters().get(0)).sessions().isEmpty(), "every session deleted");
            cluster.assertAllAlive();
        }
    }
}
