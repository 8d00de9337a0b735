package io.tessera.loadtest.controlplane;

import io.tessera.client.os.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One reading of one process's CPU: its total (utime + stime of {@code /proc/<pid>/stat}, which keeps the time of
 * threads that have exited), the kernel's part of it (stime), and each live thread's
 * ({@code /proc/<pid>/task/<tid>/stat}, named by its {@code comm}), with the thread's context switches (voluntary and
 * not, from {@code /proc/<pid>/task/<tid>/status}): a hand-off from one thread to another is a sleep and a wake-up,
 * which on a virtual machine costs more than most of the work it hands off.
 * Times are in clock ticks (USER_HZ, 100 per second on every Linux this runs on).
 *
 * @param threads live threads by tid
 */
record ProcessCpu(long pid, long totalTicks, long sysTicks, Map<Long, ThreadTicks> threads) {
    /** A bound well above a node's thread count (~60-120), so a runaway process cannot make a reading unbounded. */
    static final int MAX_THREADS = 4096;

    /**
     * One thread: {@code startTicks} (field 22, since boot) tells a reused tid from the thread it had before;
     * {@code switches} is its context switches so far (-1: unreadable).
     */
    record ThreadTicks(String comm, ThreadCategory category, long startTicks, long ticks, long switches) {
        ThreadTicks(String comm, ThreadCategory category, long startTicks, long ticks) {
            this(comm, category, startTicks, ticks, -1);
        }
    }

    /** Reads the process; null if it is gone (or this is not Linux). A thread that exits meanwhile is left out. */
    static ProcessCpu read(long pid) {
        Path dir = Path.of("/proc", Long.toString(pid));
        ProcStat total = ProcStat.read(dir.resolve("stat")).orElse(null);
        if (total == null) {
            return null;
        }
        Map<Long, ThreadTicks> threads = new HashMap<>();
        try (Stream<Path> tasks = Files.list(dir.resolve("task"))) {
            tasks.limit(MAX_THREADS).forEach(task -> {
                ProcStat stat = ProcStat.read(task.resolve("stat")).orElse(null);
                String comm = readOrNull(task.resolve("comm"));
                if (stat != null && comm != null) {
                    threads.put(Long.parseLong(task.getFileName().toString()),
                            new ThreadTicks(comm.strip(), ThreadCategory.of(comm), stat.startTime(), stat.cpuTicks(),
                                    contextSwitches(readOrNull(task.resolve("status")))));
                }
            });
        } catch (IOException | RuntimeException e) {
            // task/ unreadable: the total alone, all of it work
            return new ProcessCpu(pid, total.cpuTicks(), total.stime(), Map.of());
        }
        return new ProcessCpu(pid, total.cpuTicks(), total.stime(), Map.copyOf(threads));
    }

    /** Ticks of this process's live threads in the category that ran since {@code before} (same pid). */
    long ticksSince(ProcessCpu before, ThreadCategory category) {
        long sum = 0;
        for (Map.Entry<Long, ThreadTicks> e : threads.entrySet()) {
            ThreadTicks now = e.getValue();
            if (now.category() != category) {
                continue;
            }
            ThreadTicks then = before.threads().get(e.getKey());
            // A thread born since (or a tid reused by a new thread) ran all of its ticks in the interval.
            sum += then != null && then.startTicks() == now.startTicks() ? now.ticks() - then.ticks() : now.ticks();
        }
        return sum;
    }

    /**
     * Context switches of this process's live threads since {@code before} (same pid), in every category: a thread
     * born since counts all of its own; one that exited meanwhile is not counted (a node's threads are long-lived; a
     * process that starts a thread per task shows it in its CPU instead).
     */
    long switchesSince(ProcessCpu before) {
        long sum = 0;
        for (Map.Entry<Long, ThreadTicks> e : threads.entrySet()) {
            ThreadTicks now = e.getValue();
            if (now.switches() < 0) {
                continue;
            }
            ThreadTicks then = before.threads().get(e.getKey());
            sum += then != null && then.startTicks() == now.startTicks() && then.switches() >= 0
                    ? now.switches() - then.switches() : now.switches();
        }
        return sum;
    }

    /** voluntary_ctxt_switches + nonvoluntary_ctxt_switches of a {@code status} file; -1 if absent. */
    static long contextSwitches(String status) {
        if (status == null) {
            return -1;
        }
        long sum = 0;
        int found = 0;
        for (String line : status.split("\n")) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                try {
                    sum += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                    found++;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return found == 2 ? sum : -1;
    }

    private static String readOrNull(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
