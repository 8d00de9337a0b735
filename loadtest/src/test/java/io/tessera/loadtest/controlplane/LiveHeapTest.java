package io.tessera.loadtest.controlplane;

import org.junit.jupiter.api.Test;

import java.lang.ref.Reference;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live heap reading: jcmd's heap_info of each collector, a real reading of this JVM, and the per-unit table. */
class LiveHeapTest {

    private static final String SERIAL = """
            25808:
             def new generation   total 116160K, used 18593K [0x0000000687400000, 0x000000068f200000, 0x0000000704d50000)
              eden space 103296K,  18% used [0x0000000687400000, 0x00000006886286a8, 0x000000068d8e0000)
              from space 12864K,   0% used [0x000000068d8e0000, 0x000000068d8e0000, 0x000000068e570000)
              to   space 12864K,   0% used [0x000000068e570000, 0x000000068e570000, 0x000000068f200000)
             tenured generation   total 258048K, used 4000K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
               the space 258048K,   1% used [0x0000000704d50000, 0x0000000704d50000, 0x0000000704d50200, 0x0000000714950000)
             Metaspace       used 8928K, committed 9088K, reserved 1114112K
              class space    used 1062K, committed 1152K, reserved 1048576K
            """;

    private static final String G1 = """
            25810:
             garbage-first heap   total 397312K, used 17946K [0x0000000687400000, 0x0000000800000000)
              region size 4096K, 4 young (16384K), 0 survivors (0K)
             Metaspace       used 8930K, committed 9088K, reserved 1114112K
              class space    used 1062K, committed 1152K, reserved 1048576K
            """;

    @Test
    void theHeapInUseIsEveryGenerationAndNotMetaspace() {
        assertEquals((18593L + 4000L) * 1024, LiveHeap.usedBytes(SERIAL));
        assertEquals(17946L * 1024, LiveHeap.usedBytes(G1));
    }

    @Test
    void anOutputWithoutAHeapIsRefusedWithWhatItSaid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LiveHeap.usedBytes("1234:\ncom.sun.tools.attach.AttachNotSupportedException: no such process"));
        assertTrue(e.getMessage().contains("AttachNotSupportedException"), e.getMessage());
    }

    @Test
    void thisJvmsLiveHeapIsReadAndGrowsWithWhatItHolds() throws Exception {
        long pid = ProcessHandle.current().pid();
        long empty = LiveHeap.byRole(Map.of("master-1", pid)).get("master");
        byte[][] held = new byte[64][];
        for (int i = 0; i < held.length; i++) {
            held[i] = new byte[1024 * 1024];
        }
        // HAProxy's pid file sits beside the nodes' (bin/cluster): it is no JVM and is left out, not an error.
        Map<String, Long> holding = LiveHeap.byRole(Map.of("master-1", pid, "media-1", pid, "haproxy", Long.MAX_VALUE));
        // 64 MiB held, read after a full collection: the reading rises by at least that (other threads allocate too).
        assertTrue(holding.get("master") - empty >= 60L * 1024 * 1024, empty + " -> " + holding);
        assertEquals(holding.keySet(), java.util.Set.of("master", "media"));
        // Keeps the arrays reachable until after the reading (the JIT could otherwise drop them before it).
        Reference.reachabilityFence(held);
    }

    @Test
    void aNodeThatCannotBeReadFailsTheReadingWithItsName() {
        Exception e = assertThrows(Exception.class, () -> LiveHeap.byRole(Map.of("media-2", Long.MAX_VALUE)));
        assertTrue(e.getMessage().contains("media-2"), e.getMessage());
    }

    @Test
    void theTableGivesWhatEachSessionTokenAndJoinAdded() {
        long mib = 1024 * 1024;
        Map<String, Map<String, Long>> heap = Map.of(
                "before", Map.of("master", 100 * mib),
                "sessions", Map.of("master", 100 * mib + 10 * 1024 * 100),   // 100 sessions x 10 KiB
                "tokens", Map.of("master", 100 * mib + 10 * 1024 * 100 + 2 * 1024 * 500),   // 500 tokens x 2 KiB
                "joined", Map.of("master", 100 * mib + 10 * 1024 * 100 + 2 * 1024 * 500 + 30 * 1024 * 500),
                "closed", Map.of("master", 101 * mib));
        ControlPlaneResult.Level level = new ControlPlaneResult.Level(32, 100, 500, List.of(), heap);
        String line = ControlPlaneTable.liveHeap(level);
        assertTrue(line.contains("per session 10.0 KiB, per token 2.0 KiB, per joined participant 30.0 KiB"), line);
        assertTrue(line.contains("after the deletes and closes +1.0 MiB"), line);
        assertEquals("", ControlPlaneTable.liveHeap(new ControlPlaneResult.Level(32, 100, 500, List.of(), null)));
    }
}
