package io.tessera.loadtest.controlplane;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heap each node keeps live, read with the JDK's {@code jcmd}: a full collection ({@code GC.run}) and then the
 * heap's use ({@code GC.heap_info}), so the figure is what stays reachable, not what the collector has not reclaimed
 * yet. Differences between two readings give bytes per session, per token and per joined participant
 * (docs/BENCHMARKS.md "Heap per joined participant"). A forced full collection pauses the node, so readings are taken
 * between phases, never inside one.
 */
public final class LiveHeap {
    /** One jcmd call; a node that does not answer within it fails the reading. */
    static final long JCMD_TIMEOUT_SECONDS = 60;
    /** What jcmd prints at most: a heap_info is a dozen lines. */
    private static final int MAX_OUTPUT_BYTES = 64 * 1024;
    /**
     * A heap space's line: Serial's and Parallel's generations ("def new generation total 78656K, used 1234K"),
     * G1's and ZGC's whole heap ("garbage-first heap total 262144K, used 12345K"). Metaspace is not heap.
     */
    private static final Pattern SPACE = Pattern.compile(
            "^\\s*(?!Metaspace|class space)[^\\n]*?total \\d+K, used (\\d+)K", Pattern.MULTILINE);

    /** The roles whose nodes are JVMs; bin/cluster's pid files also name HAProxy, which has no Java heap. */
    static final Set<String> JVM_ROLES = Set.of("master", "media");

    private LiveHeap() {
    }

    /**
     * Live heap bytes summed by role (master, media), after a full collection of every node in {@code pids} whose
     * role is in {@link #JVM_ROLES}; the others are left out.
     */
    static Map<String, Long> byRole(Map<String, Long> pids) throws IOException, InterruptedException {
        Map<String, Long> byRole = new TreeMap<>();
        for (Map.Entry<String, Long> node : new TreeMap<>(pids).entrySet()) {
            String role = NodeCpu.roleOf(node.getKey());
            if (!JVM_ROLES.contains(role)) {
                continue;
            }
            byRole.merge(role, ofNode(node.getKey(), node.getValue()), Long::sum);
        }
        return byRole;
    }

    /**
     * The live heap of one JVM, {@code node} naming it in errors: a full collection, then the heap in use, in bytes.
     * Fails (IOException) when jcmd cannot reach it or does not finish within {@link #JCMD_TIMEOUT_SECONDS}.
     */
    public static long ofNode(String node, long pid) throws IOException, InterruptedException {
        jcmd(node, pid, "GC.run");
        return usedBytes(jcmd(node, pid, "GC.heap_info"));
    }

    /** The heap in use that a {@code GC.heap_info} text reports, in bytes. */
    static long usedBytes(String heapInfo) {
        Matcher m = SPACE.matcher(heapInfo);
        long kib = 0;
        boolean found = false;
        while (m.find()) {
            kib += Long.parseLong(m.group(1));
            found = true;
        }
        if (!found) {
            throw new IllegalArgumentException("no heap space in jcmd's GC.heap_info output: " + heapInfo.strip());
        }
        return kib * 1024;
    }

    private static String jcmd(String node, long pid, String command) throws IOException, InterruptedException {
        return jcmd(node, pid, command, MAX_OUTPUT_BYTES);
    }

    /**
     * Runs jcmd with its output in a file, so that the timeout holds even when jcmd hangs without closing its
     * output (a read of a pipe would wait for that first). An output over {@code maxOutputBytes} fails rather than
     * being read in part.
     */
    static String jcmd(String node, long pid, String command, int maxOutputBytes)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("tessera-jcmd-", ".txt");
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        try {
            if (!p.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("jcmd " + command + " on " + node + " (pid " + pid + ") did not finish within "
                        + JCMD_TIMEOUT_SECONDS + " s");
            }
            if (Files.size(output) > maxOutputBytes) {
                throw new IOException("jcmd " + command + " on " + node + " (pid " + pid + ") wrote more than "
                        + maxOutputBytes + " bytes");
            }
            String text;
            try (InputStream in = Files.newInputStream(output)) {
                text = new String(in.readNBytes(maxOutputBytes), StandardCharsets.UTF_8);
            }
            if (p.exitValue() != 0) {
                throw new IOException("jcmd " + command + " on " + node + " (pid " + pid + ") failed with exit code "
                        + p.exitValue() + ": " + text.strip());
            }
            return text;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }
}
