package io.tessera.loadtest.controlplane;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * CPU time of every cluster node, per thread category ({@link ThreadCategory}), summed by role: the role is the node
 * name up to its last dash ({@code master-2} is a {@code master}). A snapshot before and after a phase gives the CPU
 * the phase cost each role. Linux only; elsewhere, and for a node that died meanwhile, nothing is counted.
 */
final class NodeCpu {
    /** USER_HZ: 100 on every Linux this runs on; /proc counts CPU time in these ticks. */
    static final double MILLIS_PER_TICK = 10.0;

    /** One reading per node that could be read. */
    record Snapshot(Map<String, ProcessCpu> byNode) {
    }

    private final Supplier<Map<String, Long>> pids;

    NodeCpu(Supplier<Map<String, Long>> pids) {
        this.pids = pids;
    }

    Snapshot read() {
        Map<String, ProcessCpu> byNode = new LinkedHashMap<>();
        pids.get().forEach((node, pid) -> {
            ProcessCpu cpu = ProcessCpu.read(pid);
            if (cpu != null) {
                byNode.put(node, cpu);
            }
        });
        return new Snapshot(byNode);
    }

    /**
     * CPU milliseconds spent between the two snapshots, by role, for the nodes in both (same pid: a restarted node is
     * not compared with its predecessor).
     */
    static Map<String, CpuMs> millisByRole(Snapshot before, Snapshot after) {
        return byRole(before, after, (then, now) -> CpuMs.of((now.totalTicks() - then.totalTicks()) * MILLIS_PER_TICK,
                now.ticksSince(then, ThreadCategory.JIT) * MILLIS_PER_TICK,
                now.ticksSince(then, ThreadCategory.GC) * MILLIS_PER_TICK,
                (now.sysTicks() - then.sysTicks()) * MILLIS_PER_TICK), CpuMs::plus);
    }

    /** Context switches between the two snapshots, by role, for the same nodes as {@link #millisByRole}. */
    static Map<String, Long> switchesByRole(Snapshot before, Snapshot after) {
        return byRole(before, after, (then, now) -> now.switchesSince(then), Long::sum);
    }

    /** {@code spent} of each node in both snapshots with the same pid, summed by role. */
    private static <T> Map<String, T> byRole(Snapshot before, Snapshot after,
                                             BiFunction<ProcessCpu, ProcessCpu, T> spent, BinaryOperator<T> plus) {
        Map<String, T> byRole = new TreeMap<>();
        after.byNode().forEach((node, now) -> {
            ProcessCpu then = before.byNode().get(node);
            if (then != null && then.pid() == now.pid()) {
                byRole.merge(roleOf(node), spent.apply(then, now), plus);
            }
        });
        return byRole;
    }

    static String roleOf(String node) {
        int dash = node.lastIndexOf('-');
        return dash > 0 ? node.substring(0, dash) : node;
    }
}
