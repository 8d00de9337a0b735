package io.tessera.loadtest.controlplane;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the nodes burn with no client at all (gossip, heartbeats, load reports, timers; the JIT still compiling),
 * per second and role, measured in a window after the warm-up. A phase's <em>marginal</em> CPU per operation is its
 * work CPU less this rate over the phase's duration: the part the operations themselves cost, which is what a
 * target like "< 1 ms of master CPU per join" means. The idle floor is a cost too, only not one per operation.
 *
 * @param seconds     length of the idle window; 0: none was measured, and marginal equals work
 * @param msPerSecond CPU ms per second of the window, by role
 */
public record IdleFloor(double seconds, Map<String, CpuMs> msPerSecond) {
    public static final IdleFloor NONE = new IdleFloor(0, Map.of());

    /** The nodes' CPU over {@code window} with no client (the caller keeps the clients away); NONE for a zero window. */
    static IdleFloor measure(NodeCpu cpu, java.time.Duration window) throws InterruptedException {
        if (window.isZero()) {
            return NONE;
        }
        NodeCpu.Snapshot before = cpu.read();
        long t0 = System.nanoTime();
        Thread.sleep(window.toMillis()); // the sampling window itself: nothing to await
        NodeCpu.Snapshot after = cpu.read();
        return of((System.nanoTime() - t0) / 1e9, NodeCpu.millisByRole(before, after));
    }

    static IdleFloor of(double seconds, Map<String, CpuMs> spentByRole) {
        Map<String, CpuMs> rate = new TreeMap<>();
        spentByRole.forEach((role, ms) -> rate.put(role, ms.per(seconds)));
        return new IdleFloor(Math.round(seconds * 1000) / 1000.0, rate);
    }

    /** The idle work rate of a role, ms per second; 0 for a role not measured. */
    public double workRate(String role) {
        CpuMs r = msPerSecond.get(role);
        return r == null ? 0 : r.work();
    }

    /**
     * (phase work CPU - idle work rate x phase seconds) / operations, rounded to 3 decimals; 0 without operations.
     * It can come out below zero when the operations cost less than the tick resolution and the idle rate's noise.
     */
    public static double marginalPerOp(double workMs, double idleWorkMsPerSecond, double seconds, long operations) {
        if (operations <= 0) {
            return 0;
        }
        return CpuMs.round((workMs - idleWorkMsPerSecond * seconds) / operations);
    }
}
