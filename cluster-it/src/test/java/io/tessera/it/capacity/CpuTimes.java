package io.tessera.it.capacity;

import io.tessera.client.os.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * CPU time read from Linux's /proc, for benchmarks that say what each process cost: per process (user + system time
 * of {@code /proc/<pid>/stat}) and for the whole machine ({@code /proc/stat}). In clock ticks of {@link #HZ}.
 *
 * <p>The browser tests' network namespace shares the PID namespace and /proc with the host, so the node JVMs, Janus
 * and Chromium are all readable from the test JVM.
 */
final class CpuTimes {
    /** USER_HZ, the unit of /proc's CPU times: 100 on every Linux architecture the project runs on. */
    static final int HZ = 100;

    private CpuTimes() {
    }

    /** User + system ticks of a process so far; 0 when it is gone (a helper process that exited). */
    static long ofProcess(long pid) {
        return ProcStat.ofProcess(pid).map(ProcStat::cpuTicks).orElse(0L);
    }

    static long ofProcesses(Collection<ProcessHandle> processes) {
        return processes.stream().mapToLong(p -> ofProcess(p.pid())).sum();
    }

    /** The whole machine: {busy, total} ticks summed over its cores (busy = total - idle - iowait). */
    static long[] machine() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user..steal; guest time is inside user already
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/stat", e);
        }
    }

    /** /proc/loadavg's 1, 5 and 15 minute load averages, e.g. {@code "3.12 4.05 5.60"}. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
