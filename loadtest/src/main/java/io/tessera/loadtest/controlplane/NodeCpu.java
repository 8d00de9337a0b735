package io.tessera.loadtest.controlplane;

import io.tessera.loadtest.harness.measure.ProcessSampler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * CPU time (utime + stime from {@code /proc/<pid>/stat}) of every cluster node, summed by role: the role is the node
 * name up to its last dash ({@code master-2} is a {@code master}). A snapshot before and after a phase gives the CPU
 * the phase cost each role. Linux only; elsewhere, and for a node that died meanwhile, nothing is counted.
 */
final class NodeCpu {
    /** USER_HZ: 100 on every Linux this runs on; /proc counts CPU time in these ticks. */
    private static final double MILLIS_PER_TICK = 10.0;

    /** Ticks per node, with the pid it was read from (a restarted node is not compared with its predecessor). */
    record Snapshot(Map<String, long[]> ticksByNode) {
    }

    private final Supplier<Map<String, Long>> pids;

    NodeCpu(Supplier<Map<String, Long>> pids) {
        this.pids = pids;
    }

    Snapshot read() {
        Map<String, long[]> ticks = new LinkedHashMap<>();
        pids.get().forEach((node, pid) -> {
            long t = ProcessSampler.cpuTicks(pid);
            if (t >= 0) {
                ticks.put(node, new long[]{pid, t});
            }
        });
        return new Snapshot(ticks);
    }

    /** CPU milliseconds spent between the two snapshots, by role, for the nodes in both (same pid). */
    static Map<String, Double> millisByRole(Snapshot before, Snapshot after) {
        Map<String, Double> byRole = new TreeMap<>();
        after.ticksByNode().forEach((node, now) -> {
            long[] then = before.ticksByNode().get(node);
            if (then != null && then[0] == now[0]) {
                byRole.merge(roleOf(node), (now[1] - then[1]) * MILLIS_PER_TICK, Double::sum);
            }
        });
        return byRole;
    }

    static String roleOf(String node) {
        int dash = node.lastIndexOf('-');
        return dash > 0 ? node.substring(0, dash) : node;
    }
}
