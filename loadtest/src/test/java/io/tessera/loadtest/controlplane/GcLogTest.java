package io.tessera.loadtest.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.loadtest.harness.measure.Percentiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The nodes' GC logs: the lines of two collectors, a real JVM's log, the pauses of a phase by role, and the table. */
class GcLogTest {

    private static final String SERIAL = """
            [2026-12-07T04:03:30.294+0000][0.504s][1765080210294ms][info][gc    ] GC(12) Pause Young (Allocation Failure) 27M->16M(61M) 120.500ms
            [2026-12-07T04:03:30.294+0000][0.504s][1765080210294ms][info][gc,cpu] GC(12) User=0.02s Sys=0.01s Real=0.12s
            [2026-12-07T04:03:30.299+0000][0.510s][1765080210299ms][info][gc    ] GC(13) Pause Full (System.gc()) 17M->10M(61M) 5.448ms
            [2026-12-07T04:03:30.299+0000][0.510s][1765080210299ms][info][gc,cpu] GC(13) User=0.01s Sys=0.00s Real=0.00s
            """;

    /** G1: a concurrent cycle (not a pause) with two pauses under its id, and a pause whose CPU line is missing. */
    private static final String G1 = """
            [2026-12-07T04:03:31.000+0000][1.000s][1765080211000ms][info][gc] Using G1
            [2026-12-07T04:03:31.100+0000][1.100s][1765080211100ms][info][gc] GC(5) Pause Young (Concurrent Start) (G1 Humongous Allocation) 24M->4M(256M) 3.456ms
            [2026-12-07T04:03:31.100+0000][1.100s][1765080211100ms][info][gc,cpu] GC(5) User=0.01s Sys=0.00s Real=0.00s
            [2026-12-07T04:03:31.101+0000][1.101s][1765080211101ms][info][gc] GC(6) Concurrent Mark Cycle
            [2026-12-07T04:03:31.150+0000][1.150s][1765080211150ms][info][gc] GC(6) Pause Remark 20M->20M(256M) 1.234ms
            [2026-12-07T04:03:31.150+0000][1.150s][1765080211150ms][info][gc,cpu] GC(6) User=0.00s Sys=0.00s Real=0.00s
            [2026-12-07T04:03:31.160+0000][1.160s][1765080211160ms][info][gc] GC(6) Pause Cleanup 20M->20M(256M) 0.050ms
            [2026-12-07T04:03:31.160+0000][1.160s][1765080211160ms][info][gc,cpu] GC(6) User=0.03s Sys=0.00s Real=0.00s
            [2026-12-07T04:03:31.170+0000][1.170s][1765080211170ms][info][gc] GC(6) Concurrent Mark Cycle 69.123ms
            [2026-12-07T04:03:31.200+0000][1.200s][1765080211200ms][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 30M->5M(256M) 2.000ms
            """;

    @Test
    void theSerialCollectorsPausesComeWithTheirCpu() {
        assertEquals(List.of(new GcLog.Pause("Young", 1765080210294L, 120.5, 30),
                        new GcLog.Pause("Full", 1765080210299L, 5.448, 10)),
                GcLog.parse(SERIAL.lines().toList()));
    }

    @Test
    void eachOfG1sPausesGetsItsOwnCpuLineAndConcurrentPhasesAreNoPauses() {
        assertEquals(List.of(new GcLog.Pause("Young", 1765080211100L, 3.456, 10),
                        new GcLog.Pause("Remark", 1765080211150L, 1.234, 0),
                        new GcLog.Pause("Cleanup", 1765080211160L, 0.05, 30),
                        new GcLog.Pause("Young", 1765080211200L, 2.0, -1)),
                GcLog.parse(G1.lines().toList()));
    }

    @Test
    void aRealJvmsLogIsReadWithThePausesItMade(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("master-1" + GcLog.FILE_SUFFIX);
        long before = System.currentTimeMillis();
        Process jvm = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx64m", GcLog.jvmOption(log), "-cp", System.getProperty("java.class.path"),
                Collect.class.getName()).inheritIO().start();
        assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the JVM did not exit");
        long after = System.currentTimeMillis();
        assertEquals(0, jvm.exitValue());

        List<GcLog.Pause> pauses = GcLog.read(log);
        List<GcLog.Pause> full = pauses.stream().filter(p -> p.kind().equals("Full")).toList();
        assertEquals(Collect.FULL_COLLECTIONS, full.size(), pauses.toString());
        assertTrue(pauses.stream().allMatch(p -> p.endMillis() >= before && p.endMillis() <= after
                && p.wallMs() > 0 && p.cpuMs() >= 0), pauses.toString());
        assertEquals(Map.of("master-1", log), GcLog.inDirectory(dir));
    }

    @Test
    void aPhaseGetsThePausesThatEndedInItByRoleAndEveryRoleWithALog() {
        Map<String, List<GcLog.Pause>> byNode = Map.of(
                "master-1", List.of(new GcLog.Pause("Young", 999, 50, 10), new GcLog.Pause("Young", 1000, 120, 30),
                        new GcLog.Pause("Young", 1500, 80, -1)),
                "master-2", List.of(new GcLog.Pause("Full", 2000, 200, 150), new GcLog.Pause("Young", 2001, 9, 9)),
                "media-1", List.of(new GcLog.Pause("Young", 2500, 5, 5)));

        Map<String, ControlPlaneResult.GcPauses> phase = GcLog.byRole(byNode, 1000, 2000);

        // From the phase's start to its end, both included; a pause without a CPU line adds no CPU.
        assertEquals(Map.of("master", new ControlPlaneResult.GcPauses(3, 200, 400, 180),
                "media", ControlPlaneResult.GcPauses.NONE), phase);
    }

    @Test
    void theTableHasAPauseRowPerPhaseAndRoleOnlyWhenTheRunReadGcLogs() {
        Histogram h = new Histogram(3);
        h.recordValue(1000);
        ControlPlaneResult.Phase join = new ControlPlaneResult.Phase("joinRoom", 1, 0, 1.0, 1, 0,
                Percentiles.ofMicros(h), Percentiles.ofMicros(h), Map.of(), Map.of(), null, 1000, null);
        ControlPlaneResult run = new ControlPlaneResult("cp-test", List.of(), 0, 0, 0, IdleFloor.NONE,
                "0", "0", List.of(new ControlPlaneResult.Level(32, 1, 1, List.of(join), null)),
                ControlPlaneResult.Background.NONE, false);
        assertEquals("", ControlPlaneTable.gcPauses(run));

        String table = run.withGcPauses(Map.of("master-1", List.of(new GcLog.Pause("Young", 1500, 341.5, 230),
                new GcLog.Pause("Young", 2001, 1, 1)))).table();

        // The phase ran from 1000 to 2000 ms: the second pause came after it.
        assertTrue(table.contains("| 32 | joinRoom | master | 1 | 341.5 | 341.5 | 230.0 |"), table);
    }

    @Test
    void aGcLogDirectoryWithoutLogsIsRefusedBeforeTheRun(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new ControlPlaneCommand()).setErr(new PrintWriter(err, true))
                .execute("--gc-logs", dir.toString(), "-o", dir.resolve("out").toString(), "--no-progress");
        assertEquals(CommandLine.ExitCode.USAGE, exit);
        assertTrue(err.toString().contains("--gc-logs " + dir + ": no <node>.gc.log there"), err.toString());
        assertFalse(Files.exists(dir.resolve("out").resolve(ControlPlaneCommand.RESULT_FILE)));
    }

    /** Allocates enough for young collections, then forces full ones. */
    public static final class Collect {
        static final int FULL_COLLECTIONS = 2;

        public static void main(String[] args) {
            byte[][] kept = new byte[32][];
            for (int i = 0; i < 2000; i++) {
                kept[i % kept.length] = new byte[100_000];
            }
            for (int i = 0; i < FULL_COLLECTIONS; i++) {
                System.gc();
            }
            System.out.println(kept.length);
        }
    }
}
