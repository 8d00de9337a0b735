package io.tessera.it.capacity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The capacity benchmark's rows: CPU columns, the side-by-side Markdown table for docs/BENCHMARKS.md, the JSON. */
final class CapacityTable {
    private CapacityTable() {
    }

    /**
     * Adds each party's cores (1.0 = one core) and the media node's cost per subscriber stream: CPU milliseconds per
     * second of its JVM and its Janus together, divided by the subscribers.
     */
    static void putCpu(Map<String, Object> row, Map<String, Double> cores, int subscribers) {
        double node = cores.get("mediaJvm") + cores.get("janus");
        row.put("mediaJvmCores", cores.get("mediaJvm"));
        row.put("janusCores", cores.get("janus"));
        row.put("nodeCpuMsPerStreamPerSecond", subscribers == 0 ? 0.0 : node * 1000 / subscribers);
        row.put("mastersCores", cores.get("masters"));
        row.put("browsersCores", cores.get("browsers"));
        row.put("testJvmCores", cores.get("testJvm"));
        row.put("machineBusyPct", cores.get("machineBusy") * 100);
    }

    /**
     * Adds, to every row with subscribers, the media node's CPU (JVM + Janus) per subscriber stream above the row of
     * step 0 (the publisher alone): what one more stream costs, without the node's fixed background.
     */
    static void putMarginalCpu(List<Map<String, Object>> rows) {
        Map<String, Object> base = rows.stream().filter(r -> (int) r.get("n") == 0).findFirst().orElse(null);
        for (Map<String, Object> row : rows) {
            int n = (int) row.get("n");
            if (base == null || n == 0) {
                continue;
            }
            double node = (double) row.get("mediaJvmCores") + (double) row.get("janusCores");
            double baseNode = (double) base.get("mediaJvmCores") + (double) base.get("janusCores");
            row.put("nodeMarginalMsPerStreamPerSecond", (node - baseNode) * 1000 / n);
        }
    }

    /** One line per step of each engine, side by side by N (an engine that stopped earlier leaves its cells empty). */
    static String markdown(List<Map<String, Object>> webrtc, List<Map<String, Object>> plain) {
        StringBuilder out = new StringBuilder();
        out.append("| N | engine | loss % | delivered % (of sent / of nominal) | kbit/s in / per subscriber | media JVM cores | Janus cores "
                + "| node CPU ms/s per stream (all / above N=0) | client cores | machine busy % | load average |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        int rows = Math.max(webrtc.size(), plain.size());
        for (int i = 0; i < rows; i++) {
            if (i < webrtc.size()) {
                line(out, "WebRTC (Janus)", webrtc.get(i), "browsersCores");
            }
            if (i < plain.size()) {
                line(out, "plain RTP", plain.get(i), "testJvmCores");
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String engine, Map<String, Object> row, String clientColumn) {
        out.append(String.format(Locale.ROOT,
                "| %d | %s | %.2f | %.1f / %.1f | %.0f / %.0f | %.2f | %.2f | %.1f / %.1f | %.2f | %.0f | %s |%n",
                (int) row.get("n"), engine, (double) row.get("lossPct"), (double) row.get("deliveredPct"),
                (double) row.get("nominalPct"),
                (double) row.get("publisherKbps"), (double) row.get("receivedKbpsPerSubscriber"),
                (double) row.get("mediaJvmCores"), (double) row.get("janusCores"),
                (double) row.get("nodeCpuMsPerStreamPerSecond"),
                (double) row.getOrDefault("nodeMarginalMsPerStreamPerSecond", 0.0), (double) row.get(clientColumn),
                (double) row.get("machineBusyPct"), row.get("loadAverage")));
    }

    static void writeJson(Path file, Map<String, Object> report) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
    }
}
