package io.tessera.loadtest.controlplane;

/**
 * CPU milliseconds split by what spent them: {@code jit} on the compiler threads, {@code gc} on the collector and
 * VM threads, {@code work} the rest. {@code work} is {@code total - jit - gc}, not a sum over threads: a thread that
 * exits between two readings is gone from {@code /proc/<pid>/task} but its time stays in the process total, so it
 * lands in {@code work} (a compiler thread that HotSpot retires in the interval, too) and the three always add up.
 * {@code sys} is the kernel's part of {@code total} (the process's stime: system calls, wake-ups, page faults), a
 * cross-cut of the three: a costly wake-up pattern (parking and unparking threads, polling sockets) shows there.
 */
public record CpuMs(double total, double jit, double gc, double work, double sys) {
    public static final CpuMs ZERO = new CpuMs(0, 0, 0, 0, 0);

    public static CpuMs of(double total, double jit, double gc, double sys) {
        return new CpuMs(total, jit, gc, total - jit - gc, sys);
    }

    public CpuMs plus(CpuMs o) {
        return new CpuMs(total + o.total, jit + o.jit, gc + o.gc, work + o.work, sys + o.sys);
    }

    /** Each figure divided by {@code by} (operations, seconds), rounded to 3 decimals; zero if {@code by} is 0. */
    public CpuMs per(double by) {
        return by <= 0 ? ZERO : new CpuMs(round(total / by), round(jit / by), round(gc / by), round(work / by),
                round(sys / by));
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
