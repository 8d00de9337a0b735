package io.tessera.loadtest.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Each operation of one phase: when it started and ended, in ms from the phase's start, and whether it succeeded.
 * Percentiles say how long the slowest operations took, not when they ran or through which master; a trace does,
 * so a tail can be laid next to the nodes' GC logs or a profile of the same seconds (docs/BENCHMARKS.md, "Where a
 * joinRoom's p99 comes from").
 */
final class PhaseTrace {
    /** Outcome of an operation that never ran (its phase timed out) or was skipped after an earlier step failed. */
    private static final byte NOT_RUN = 0;
    private static final byte OK = 1;
    private static final byte FAILED = 2;

    private final long[] startNanos;
    private final long[] endNanos;
    private final byte[] outcome;

    PhaseTrace(int count) {
        this.startNanos = new long[count];
        this.endNanos = new long[count];
        this.outcome = new byte[count];
    }

    /**
     * Item {@code index} ran from {@code start} to {@code end} (ns from the phase's start; at a fixed rate the start
     * is the item's due time, as for its latency). One writer per index.
     */
    void record(int index, long start, long end, boolean ok) {
        startNanos[index] = start;
        endNanos[index] = end;
        outcome[index] = ok ? OK : FAILED;
    }

    /** {@code <dir>/<operation>-<startedAtMillis>.csv}: index, startMs, endMs, outcome (ok, failed, not run). */
    Path write(Path dir, String operation, long startedAtMillis) {
        StringBuilder csv = new StringBuilder(32 * (startNanos.length + 1)).append("index,startMs,endMs,outcome\n");
        for (int i = 0; i < startNanos.length; i++) {
            csv.append(i).append(',').append(startNanos[i] / 1e6).append(',').append(endNanos[i] / 1e6).append(',')
                    .append(outcome[i] == OK ? "ok" : outcome[i] == FAILED ? "failed" : "not run").append('\n');
        }
        Path file = dir.resolve(operation + "-" + startedAtMillis + ".csv");
        try {
            Files.createDirectories(dir);
            Files.writeString(file, csv);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace " + file, e);
        }
        return file;
    }
}
