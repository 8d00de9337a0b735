package io.tessera.client.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.client.os.ProcStat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The reactor reports the nice value its own thread runs at, so a harness can tell whether a raised priority took. */
class RtpReactorPriorityTest {

    @Test
    void aReactorAtNormalPriorityRunsAtTheNiceValueOfTheThreadThatStartedIt() throws Exception {
        Path self = Path.of("/proc/thread-self/stat");
        assumeTrue(Files.isReadable(self), "needs Linux /proc");
        int mine = ProcStat.ofThisThread().orElseThrow().nice();
        try (RtpReactor reactor = new RtpReactor("test rtp (with spaces)", 16)) {
            // A new thread inherits its creator's nice value; the name's spaces and parenthesis must not shift the fields.
            assertEquals(OptionalInt.of(mine), reactor.osNiceValue());
        }
    }

    @Test
    void aClosedReactorReportsNothing() throws Exception {
        RtpReactor reactor = new RtpReactor("test-rtp-closed", 16, Thread.MAX_PRIORITY);
        reactor.close();
        assertTrue(reactor.osNiceValue().isEmpty());
    }
}
