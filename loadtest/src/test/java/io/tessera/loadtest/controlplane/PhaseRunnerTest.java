package io.tessera.loadtest.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closed and open loop over a step that does no I/O: every item runs once, skips and errors are counted apart. */
class PhaseRunnerTest {
    private final NodeCpu noNodes = new NodeCpu(Map::of);

    @Test
    void closedLoopRunsEveryItemOnceAndCountsSkipsAndErrorsApart() throws Exception {
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger progress = new AtomicInteger();
        PhaseRunner runner = new PhaseRunner(noNodes, Duration.ofSeconds(10), 0, progress::incrementAndGet);

        long before = System.currentTimeMillis();
        ControlPlaneResult.Phase p = runner.run("op", 4, 100, IdleFloor.NONE, i -> {
            assertTrue(seen.add(i), "item " + i + " ran twice");
            if (i % 10 == 0) {
                throw new IllegalStateException("boom " + i);
            }
            return i % 10 != 1; // 1, 11, 21...: skipped
        });

        assertEquals(100, seen.size());
        assertEquals(80, p.ok());
        assertEquals(10, p.errors());
        assertEquals(80, p.latencyMs().count());
        assertTrue(p.firstError().contains("boom"), p.firstError());
        assertEquals(0, p.offeredPerSecond());
        assertEquals(p.latencyMs(), p.serviceMs(), "closed loop: latency is the service time");
        assertTrue(p.cpuMsPerOpByRole().isEmpty());
        assertTrue(p.startedAtMillis() >= before && p.startedAtMillis() <= System.currentTimeMillis(),
                "the phase's start, in epoch ms: " + p.startedAtMillis());
    }

    @Test
    void aTracedPhaseWritesEveryItemsStartEndAndOutcome(@TempDir Path dir) throws Exception {
        PhaseRunner runner = new PhaseRunner(noNodes, Duration.ofSeconds(10), 0, () -> { }, dir);

        ControlPlaneResult.Phase p = runner.run("op", 3, 30, IdleFloor.NONE, i -> {
            if (i % 10 == 0) {
                throw new IllegalStateException("boom " + i);
            }
            Thread.sleep(i == 7 ? 30 : 1); // simulated work: item 7 is the slow one
            return i % 10 != 1;
        });

        List<String> lines = Files.readAllLines(dir.resolve("op-" + p.startedAtMillis() + ".csv"));
        assertEquals("index,startMs,endMs,outcome", lines.get(0));
        assertEquals(31, lines.size());
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        double slowest = 0;
        int slowestIndex = -1;
        for (int i = 0; i < 30; i++) {
            String[] f = lines.get(i + 1).split(",");
            assertEquals(Integer.toString(i), f[0]);
            outcomes.merge(f[3], 1, Integer::sum);
            double start = Double.parseDouble(f[1]);
            double end = Double.parseDouble(f[2]);
            if (!f[3].equals("not run")) {
                assertTrue(start >= 0 && end >= start, lines.get(i + 1));
                if (end - start > slowest) {
                    slowest = end - start;
                    slowestIndex = i;
                }
            }
        }
        assertEquals(Map.of("failed", 3, "not run", 3, "ok", 24), outcomes);
        assertEquals(7, slowestIndex, "the trace says which item was slow");
        assertTrue(slowest >= 30, "item 7 slept 30 ms: " + slowest);
    }

    @Test
    void openLoopRunsEveryItemAndCountsLatencyFromTheDueTime() throws Exception {
        AtomicInteger progress = new AtomicInteger();
        // One worker, items due every 5 ms, each taking ~20 ms: they fall behind schedule, so the latency from the
        // due time grows past the service time (what a closed loop would hide).
        PhaseRunner runner = new PhaseRunner(noNodes, Duration.ofSeconds(10), 200, progress::incrementAndGet);

        ControlPlaneResult.Phase p = runner.run("op", 1, 20, IdleFloor.NONE, i -> {
            Thread.sleep(20);
            return true;
        });

        assertEquals(20, p.ok());
        assertNull(p.firstError());
        assertEquals(20, progress.get());
        assertEquals(200, p.offeredPerSecond());
        assertTrue(p.latencyMs().max() > p.serviceMs().max(), p.latencyMs() + " vs " + p.serviceMs());
    }
}
