package io.tessera.loadtest.harness.measure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GapLogTest {
    @Test
    void writesEveryGapInStartOrderWithOpenOnesAsMinusOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(GapLog.FILE);
        GapLog.write(List.of(new MediaWatch.Gap("s2-p1<0", 900, -1), new MediaWatch.Gap("s1-p1<0", 500, 700),
                new MediaWatch.Gap("s0-p1<0", 500, 650)), file);
        assertEquals(List.of("subscriber,startMs,endMs", "s0-p1<0,500,650", "s1-p1<0,500,700", "s2-p1<0,900,-1"),
                Files.readAllLines(file));
    }
}
