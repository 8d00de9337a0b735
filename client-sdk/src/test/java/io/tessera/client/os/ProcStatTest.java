package io.tessera.client.os;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcStatTest {

    @Test
    void fieldsAreCountedAfterACommandNameWithSpacesAndParentheses() {
        String line = "4242 (C2 (x) Thre) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 7 1 0 98765 1000 50";
        ProcStat stat = ProcStat.parse(line).orElseThrow();
        assertEquals(new ProcStat(150, 25, 7, 98765), stat);
        assertEquals(175, stat.cpuTicks());
        assertEquals(Optional.empty(), ProcStat.parse("garbage"));
        assertEquals(Optional.empty(), ProcStat.parse("1 (x) S 1 2"));
        assertEquals(Optional.empty(), ProcStat.parse(null));
    }

    @Test
    void thisProcessAndThreadAreReadAndAGoneOneIsEmpty() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "Linux /proc only");
        ProcStat self = ProcStat.ofProcess(ProcessHandle.current().pid()).orElseThrow();
        assertTrue(self.cpuTicks() > 0, "a JVM that ran tests has used CPU: " + self);
        assertTrue(self.startTime() > 0);
        ProcStat thread = ProcStat.ofThisThread().orElseThrow();
        assertTrue(thread.nice() >= -20 && thread.nice() <= 19, "niceness " + thread.nice());
        assertEquals(Optional.empty(), ProcStat.ofProcess(Long.MAX_VALUE));
    }
}
