package io.tessera.loadtest.harness.measure;

import io.tessera.client.os.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CPU and resident memory of each cluster node, read from {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}
 * once per sample. Pids come from a supplier (bin/cluster's pid files, or a test's processes) so a restarted node
 * is followed. Linux only; elsewhere every sample is empty.
 */
public final class ProcessSampler {
    /** USER_HZ: 100 on every Linux this runs on; /proc counts CPU time in these ticks. */
    private static final double TICKS_PER_SECOND = 100.0;
    public static final int MAX_SAMPLES_PER_NODE = 7200;

    /** One reading of one node. */
    public record Sample(long atMillis, double cpuPercent, long rssKiB) {
    }

    /** Per node: average and peak CPU (% of one core), peak RSS, and the samples. */
    public record NodeUsage(String node, double cpuAvgPercent, double cpuMaxPercent, long rssMaxKiB,
                            List<Sample> samples) {
    }

    private final Supplier<Map<String, Long>> pids;
    private final RunClock clock;
    private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
    private final Map<String, long[]> previous = new LinkedHashMap<>(); // node -> {pid, ticks, nanos}

    public ProcessSampler(Supplier<Map<String, Long>> pids, RunClock clock) {
        this.pids = pids;
        this.clock = clock;
    }

    /** Pids from {@code <dir>/<node>.pid} files, as bin/cluster writes them. */
    public static Supplier<Map<String, Long>> pidFiles(Path dir) {
        return () -> {
            Map<String, Long> m = new LinkedHashMap<>();
            try (var files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".pid")).sorted().forEach(f -> {
                    try {
                        String node = f.getFileName().toString().replaceFirst("\\.pid$", "");
                        m.put(node, Long.parseLong(Files.readString(f).trim()));
                    } catch (IOException | NumberFormatException e) {
                        // a pid file being rewritten by a restart: skip it this round
                    }
                });
            } catch (IOException e) {
                // no pid directory: nothing to sample
            }
            return m;
        };
    }

    public synchronized void sample() {
        long now = System.nanoTime();
        for (Map.Entry<String, Long> e : pids.get().entrySet()) {
            String node = e.getKey();
            long pid = e.getValue();
            long ticks = cpuTicks(pid);
            if (ticks < 0) {
                previous.remove(node);
                continue;
            }
            long[] prev = previous.put(node, new long[] {pid, ticks, now});
            if (prev == null || prev[0] != pid) {
                continue; // first reading of this process: no interval yet
            }
            double seconds = (now - prev[2]) / 1e9;
            double cpu = seconds > 0 ? (ticks - prev[1]) / TICKS_PER_SECOND / seconds * 100 : 0;
            List<Sample> list = samples.computeIfAbsent(node, k -> new ArrayList<>());
            if (list.size() < MAX_SAMPLES_PER_NODE) {
                list.add(new Sample(clock.millisNow(), Math.round(cpu * 10) / 10.0, rssKiB(pid)));
            }
        }
    }

    public synchronized List<NodeUsage> usage() {
        List<NodeUsage> out = new ArrayList<>();
        samples.forEach((node, list) -> out.add(new NodeUsage(node,
                Math.round(list.stream().mapToDouble(Sample::cpuPercent).average().orElse(0) * 10) / 10.0,
                list.stream().mapToDouble(Sample::cpuPercent).max().orElse(0),
                list.stream().mapToLong(Sample::rssKiB).max().orElse(0), List.copyOf(list))));
        return out;
    }

    /** utime + stime of a process, -1 if it is gone. */
    public static long cpuTicks(long pid) {
        return ProcStat.ofProcess(pid).map(ProcStat::cpuTicks).orElse(-1L);
    }

    static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone between the two reads
        }
        return 0;
    }
}
