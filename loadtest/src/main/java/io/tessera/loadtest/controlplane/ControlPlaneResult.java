package io.tessera.loadtest.controlplane;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tessera.loadtest.harness.measure.Percentiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a control-plane run measured, per concurrency level and operation; written as JSON and as a text table. */
public record ControlPlaneResult(String runName, List<String> masters, String loadAverageBefore,
                                 String loadAverageAfter, List<Level> levels) {

    /** One concurrency level: the five phases in order. */
    public record Level(int concurrency, int sessions, int participants, List<Phase> phases) {
        public Phase phase(String operation) {
            return phases.stream().filter(p -> p.operation().equals(operation)).findFirst().orElseThrow();
        }
    }

    /**
     * One operation at one concurrency level: {@code ok} succeeded, {@code errors} failed (the first error kept);
     * throughput is successes over the phase's wall-clock time; CPU is the nodes' CPU during the phase, by role,
     * divided by the operations attempted.
     */
    public record Phase(String operation, long ok, long errors, double seconds, double perSecond,
                        Percentiles latencyMs, Map<String, Double> cpuMsByRole, Map<String, Double> cpuMsPerOpByRole,
                        String firstError) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static ControlPlaneResult read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ControlPlaneResult.class);
    }

    /** A Markdown table, one row per level and operation, as docs/BENCHMARKS.md shows it. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "run %s, load average before %s, after %s%n%n", runName,
                loadAverageBefore, loadAverageAfter));
        sb.append("| concurrency | operation | n | errors | ops/s | p50 ms | p99 ms | max ms | CPU ms/op by role |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Level level : levels) {
            for (Phase p : level.phases()) {
                StringBuilder cpu = new StringBuilder();
                p.cpuMsPerOpByRole().forEach((role, ms) -> cpu.append(cpu.isEmpty() ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%s %.2f", role, ms)));
                sb.append(String.format(Locale.ROOT, "| %d | %s | %d | %d | %.1f | %.1f | %.1f | %.1f | %s |%n",
                        level.concurrency(), p.operation(), p.ok(), p.errors(), p.perSecond(), p.latencyMs().p50(),
                        p.latencyMs().p99(), p.latencyMs().max(), cpu));
            }
        }
        return sb.toString();
    }
}
