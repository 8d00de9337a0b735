package io.tessera.loadtest.controlplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A node's stop-the-world GC pauses, read from the JVM's own GC log. A pause's wall-clock time against the CPU its
 * collector used tells a collection that had much to copy from one that waited for a core: on two cores shared by
 * five JVMs and the client, the masters' short pauses lasted 2-3 times their CPU, while those of the phases that open
 * and join sockets worked for half their wall time and more (docs/BENCHMARKS.md, "The masters' young pauses, phase by
 * phase").
 *
 * <p>The log is the one {@link #jvmOption} asks for, as {@code bin/cluster} and the test clusters start every node:
 * the {@code gc} tag's pause lines, each followed by its {@code gc+cpu} line, decorated with the epoch milliseconds
 * at which the line was written (the pause's end).
 */
public final class GcLog {
    /** The file of {@code node}'s GC log in a directory of node logs ({@code bin/cluster}: .cluster/logs). */
    public static final String FILE_SUFFIX = ".gc.log";

    /** {@code [..][1765081201123ms][info][gc] GC(26) Pause Young (Allocation Failure) 127M->79M(247M) 341.484ms} */
    private static final Pattern PAUSE = Pattern.compile(
            "\\[(\\d+)ms]\\[\\w+ *]\\[gc *] GC\\((\\d+)\\) Pause (\\w+)\\b.* (\\d+(?:\\.\\d+)?)ms$");
    /** {@code [..][1765081201123ms][info][gc,cpu] GC(26) User=0.15s Sys=0.08s Real=0.34s} */
    private static final Pattern CPU = Pattern.compile(
            "\\[gc,cpu *] GC\\((\\d+)\\) User=(\\d+(?:\\.\\d+)?)s Sys=(\\d+(?:\\.\\d+)?)s Real=");

    /**
     * One pause: {@code kind} as the collector names it ({@code Young}, {@code Full}, {@code Remark}, ...), when it
     * ended (epoch ms), how long it stopped the JVM (wall clock) and the CPU its collector threads used meanwhile
     * (user + sys; -1 when the log has no {@code gc+cpu} line for it).
     */
    public record Pause(String kind, long endMillis, double wallMs, double cpuMs) {
    }

    private GcLog() {
    }

    /**
     * The JVM option that writes the log this class reads to {@code file}: one line per pause and one for its CPU, in
     * files of 20 MB at most (the JVM rotates the active one to {@code .0} or {@code .1} when it fills or the node
     * starts again; only the active one is read). The name is quoted, so a
     * directory with a colon in its name does not end the option. bin/cluster writes the same option.
     */
    public static String jvmOption(Path file) {
        return "-Xlog:gc,gc+cpu:file=\"" + file + "\":utctime,uptime,timemillis,level,tags:filecount=2,filesize=20m";
    }

    /** Every {@code <node>.gc.log} in {@code dir}, by node name; empty when there is none (or no directory). */
    public static Map<String, Path> inDirectory(Path dir) throws IOException {
        Map<String, Path> logs = new HashMap<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return logs;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(FILE_SUFFIX)).forEach(f -> {
                String name = f.getFileName().toString();
                logs.put(name.substring(0, name.length() - FILE_SUFFIX.length()), f);
            });
        }
        return logs;
    }

    /**
     * {@code result} with every phase's GC pauses by role, from the nodes that have a log in {@code dir}
     * ({@link #inDirectory}); {@code result} as it was when there is none.
     */
    public static ControlPlaneResult withPauses(ControlPlaneResult result, Path dir) throws IOException {
        Map<String, Path> logs = inDirectory(dir);
        if (logs.isEmpty()) {
            return result;
        }
        Map<String, List<Pause>> byNode = new TreeMap<>();
        for (Map.Entry<String, Path> log : logs.entrySet()) {
            byNode.put(log.getKey(), read(log.getValue()));
        }
        return result.withGcPauses(byNode);
    }

    /** The pauses in one log, in order. Lines of other tags or formats are skipped. */
    public static List<Pause> read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /**
     * The pauses of every node that ended in {@code [fromMillis, toMillis]}, summed by role (the node name up to its
     * last dash); every role with a log appears, {@link ControlPlaneResult.GcPauses#NONE} when its nodes did not
     * pause.
     */
    static Map<String, ControlPlaneResult.GcPauses> byRole(Map<String, List<Pause>> byNode, long fromMillis,
                                                          long toMillis) {
        Map<String, ControlPlaneResult.GcPauses> byRole = new TreeMap<>();
        byNode.forEach((node, pauses) -> {
            String role = NodeCpu.roleOf(node);
            ControlPlaneResult.GcPauses sum = byRole.getOrDefault(role, ControlPlaneResult.GcPauses.NONE);
            for (Pause p : pauses) {
                if (p.endMillis() >= fromMillis && p.endMillis() <= toMillis) {
                    sum = sum.plus(p);
                }
            }
            byRole.put(role, sum);
        });
        return byRole;
    }

    static List<Pause> parse(List<String> lines) {
        List<Pause> pauses = new ArrayList<>();
        // A collection can pause more than once under one id (G1's Remark and Cleanup): its CPU line follows the pause
        // it belongs to, so it goes to the last pause of that id that has none yet.
        Map<Long, Integer> awaitingCpu = new HashMap<>();
        for (String line : lines) {
            Matcher pause = PAUSE.matcher(line);
            if (pause.find()) {
                awaitingCpu.put(Long.parseLong(pause.group(2)), pauses.size());
                pauses.add(new Pause(pause.group(3), Long.parseLong(pause.group(1)),
                        Double.parseDouble(pause.group(4)), -1));
                continue;
            }
            Matcher cpu = CPU.matcher(line);
            if (cpu.find()) {
                Integer index = awaitingCpu.remove(Long.parseLong(cpu.group(1)));
                if (index != null) {
                    Pause p = pauses.get(index);
                    double ms = (Double.parseDouble(cpu.group(2)) + Double.parseDouble(cpu.group(3))) * 1000;
                    pauses.set(index, new Pause(p.kind(), p.endMillis(), p.wallMs(), CpuMs.round(ms)));
                }
            }
        }
        return pauses;
    }
}
