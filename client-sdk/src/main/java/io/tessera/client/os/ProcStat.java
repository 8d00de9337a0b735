package io.tessera.client.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What this project reads from a Linux {@code stat} file ({@code /proc/<pid>/stat}, {@code /proc/<pid>/task/<tid>/stat},
 * {@code /proc/thread-self/stat}; proc(5)): CPU times in clock ticks (USER_HZ, 100 per second on every Linux this runs
 * on), niceness and start time. The one parser of that line: the RTP reactor reads its own niceness with it, the load
 * harness and the tests a node's or a browser's CPU and threads. The command name (field 2) is in parentheses and may
 * hold spaces and parentheses itself, so the fields are counted after its last {@code ')'}.
 *
 * @param utime     field 14: ticks in user mode
 * @param stime     field 15: ticks in kernel mode
 * @param nice      field 19: the niceness, -20 (first) to 19 (last)
 * @param startTime field 22: when the process or thread started, in ticks since boot (tells a reused id apart)
 */
public record ProcStat(long utime, long stime, int nice, long startTime) {

    /** utime + stime: all the CPU the process (its exited threads included) or thread has had. */
    public long cpuTicks() {
        return utime + stime;
    }

    /** Parses one stat line; empty if it is not one. */
    public static Optional<ProcStat> parse(String line) {
        if (line == null) {
            return Optional.empty();
        }
        try {
            // f[0] is field 3 (state), so field n is f[n - 3]
            String[] f = line.substring(line.lastIndexOf(')') + 2).strip().split(" ");
            return Optional.of(new ProcStat(Long.parseLong(f[11]), Long.parseLong(f[12]), Integer.parseInt(f[16]),
                    Long.parseLong(f[19])));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Reads and parses a stat file; empty if it is gone (the process or thread exited) or unreadable. */
    public static Optional<ProcStat> read(Path statFile) {
        try {
            return parse(Files.readString(statFile));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code /proc/<pid>/stat}. */
    public static Optional<ProcStat> ofProcess(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** The calling thread's own. */
    public static Optional<ProcStat> ofThisThread() {
        return read(Path.of("/proc/thread-self/stat"));
    }
}
