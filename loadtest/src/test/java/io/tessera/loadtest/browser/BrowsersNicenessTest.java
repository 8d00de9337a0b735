package io.tessera.loadtest.browser;

import io.tessera.client.os.ProcStat;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrowsersNicenessTest {
    @Test
    void aNicenessFromZeroToNineteenIsTaken() {
        assertEquals(0, Browsers.niceness("0"));
        assertEquals(10, Browsers.niceness(" 10 "));
        assertEquals(19, Browsers.niceness("19"));
    }

    @Test
    void anythingElseIsRefusedNamingTheVariable() {
        for (String bad : new String[]{"-1", "20", "ten", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Browsers.niceness(bad));
            assertTrue(e.getMessage().contains("TESSERA_BROWSER_NICE"), e.getMessage());
        }
    }

    /**
     * A real Chromium: every thread of every process it started runs at least at the configured niceness, although
     * Chromium sets its own threads' priorities (as root it had raised some to -8).
     */
    @Test
    void everyThreadOfARealChromiumRunsNiced() throws Exception {
        try (Browsers browsers = new Browsers(1)) {
            browsers.open("niceness").run("return 1;");
            List<String> tooHigh = new ArrayList<>();
            int threads = 0;
            for (ProcessHandle process : BrowserProcesses.running()) {
                String command = process.info().command().orElse("");
                if (command.contains("chromedriver")) {
                    continue; // the driver is not the browser; it runs as this JVM does
                }
                try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
                    for (Path task : tasks.toList()) {
                        java.util.Optional<ProcStat> stat = ProcStat.read(task.resolve("stat"));
                        if (stat.isEmpty()) {
                            continue; // the thread exited since the listing
                        }
                        int nice = stat.get().nice();
                        threads++;
                        if (nice < Browsers.NICENESS) {
                            tooHigh.add(process.pid() + "/" + task.getFileName() + " at " + nice);
                        }
                    }
                }
            }
            assertTrue(threads > 10, "a browser has many threads; seen " + threads);
            assertEquals(List.of(), tooHigh, "threads running ahead of niceness " + Browsers.NICENESS);
        }
    }
}
