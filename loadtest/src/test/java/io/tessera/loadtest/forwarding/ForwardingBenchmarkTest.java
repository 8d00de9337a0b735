package io.tessera.loadtest.forwarding;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps the benchmark runnable: a tiny run must move packets through both forwarders and write its results. */
class ForwardingBenchmarkTest {

    @Test
    void aShortRunMeasuresBothForwardersAndWritesResults(@TempDir Path out) throws Exception {
        ForwardingBenchmark benchmark = new ForwardingBenchmark();
        int exit = new CommandLine(benchmark).execute("--subscribers", "2", "--rounds", "1", "--seconds", "0.3",
                "--warmup-seconds", "0.1", "--latency-rate", "500", "--out", out.toString());
        assertEquals(0, exit);
        String json = Files.readString(out.resolve("results.json"));
        var results = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertEquals(1, results.size());
        var comparison = results.get(0);
        assertEquals(2, comparison.path("subscribers").asInt());
        for (String forwarder : new String[]{"blocking", "spinning", "engine"}) {
            var round = comparison.path(forwarder);
            assertTrue(round.path("forwardedPps").asDouble() > 0, forwarder + " forwarded nothing: " + round);
            assertTrue(round.path("p50Micros").asDouble() > 0, forwarder + " measured no latency: " + round);
        }
        assertTrue(Files.readString(out.resolve("results.md")).contains("| 2 |"));
    }

    @Test
    void helpExplainsEveryOption() {
        var usage = new CommandLine(new ForwardingBenchmark()).getUsageMessage();
        for (String option : new String[]{"--subscribers", "--packet-size", "--seconds", "--rounds", "--latency-rate", "--out"}) {
            assertTrue(usage.contains(option), usage);
        }
    }
}
