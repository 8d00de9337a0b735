package io.tessera.loadtest.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The background a run holds: bounded, absent unless asked for, and refused with a message when out of bounds; the
 * command's values out of their bounds refused as usage errors.
 */
class ControlPlaneConfigTest {

    private static ControlPlaneConfig with(ControlPlaneConfig.Background background) {
        return new ControlPlaneConfig("t", List.of(URI.create("http://127.0.0.1:1")), "s", List.of(4), 10, 2, 0, 0,
                Duration.ZERO, 0, Duration.ofSeconds(1), Map::of, background);
    }

    @Test
    void withoutABackgroundTheClusterHoldsOnlyWhatTheLevelsCreate() {
        ControlPlaneConfig cfg = new ControlPlaneConfig("t", List.of(URI.create("http://127.0.0.1:1")), "s",
                List.of(4), 10, 2, 0, 0, Duration.ZERO, 0, Duration.ofSeconds(1), Map::of);
        assertEquals(ControlPlaneConfig.Background.NONE, cfg.background());
        assertEquals(0, cfg.background().tokens());
    }

    @Test
    void aBackgroundCountsItsTokensAndAddsToThePlannedOperations() {
        ControlPlaneConfig none = with(ControlPlaneConfig.Background.NONE);
        ControlPlaneConfig held = with(new ControlPlaneConfig.Background(1000, 5));
        assertEquals(5000, held.background().tokens());
        // Each background session is created and deleted, each token created.
        assertEquals(2000 + 5000, ControlPlaneBenchmark.plannedOperations(held)
                - ControlPlaneBenchmark.plannedOperations(none));
    }

    @Test
    void outOfBoundsIsRefusedWithTheBound() {
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> new ControlPlaneConfig.Background(ControlPlaneConfig.MAX_BACKGROUND_SESSIONS + 1, 0));
        assertTrue(tooMany.getMessage().contains(String.valueOf(ControlPlaneConfig.MAX_BACKGROUND_SESSIONS)),
                tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ControlPlaneConfig.Background(-1, 0));
        IllegalArgumentException tokens = assertThrows(IllegalArgumentException.class,
                () -> new ControlPlaneConfig.Background(10, ControlPlaneConfig.MAX_BACKGROUND_TOKENS_PER_SESSION + 1));
        assertTrue(tokens.getMessage().contains("tokens per session"), tokens.getMessage());
        assertThrows(NullPointerException.class, () -> with(null));
    }

    @Test
    void aValueOutOfItsBoundsIsAUsageErrorWithTheBoundNotAStackTrace(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new ControlPlaneCommand()).setErr(new PrintWriter(err, true))
                .execute("-s", "10", "-p", "1", "-o", dir.resolve("out").toString(), "--no-progress");
        assertEquals(CommandLine.ExitCode.USAGE, exit);
        assertTrue(err.toString().contains("participants per session at least 2"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
        assertFalse(Files.exists(dir.resolve("out").resolve(ControlPlaneCommand.RESULT_FILE)));
    }
}
