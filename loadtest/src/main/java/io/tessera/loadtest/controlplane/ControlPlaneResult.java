package io.tessera.loadtest.controlplane;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tessera.loadtest.harness.measure.Percentiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What a control-plane run measured, per concurrency level and operation; written as JSON and as a text table.
 *
 * @param ratePerSecond offered rate of every phase (open loop), 0: closed loop
 * @param idle          the nodes' CPU per second with no client, measured after the warm-up (and the background)
 * @param background    what the cluster held while the levels ran, and the phases that created it (before the idle
 *                      window) and deleted it (after the last level); no phases without a background
 */
public record ControlPlaneResult(String runName, List<String> masters, double ratePerSecond, int warmupRounds,
                                 int warmupSessions, IdleFloor idle, String loadAverageBefore,
                                 String loadAverageAfter, List<Level> levels, Background background,
                                 boolean serverNamedSessions) {

    /** Sessions and pending tokens held through the levels, and the phases that created and deleted them. */
    public record Background(int sessions, int tokens, List<Phase> phases) {
        public static final Background NONE = new Background(0, 0, List.of());
    }

    /**
     * One concurrency level: its phases in order (seven, eight with the fresh joins), and with {@code --live-heap}
     * the nodes' live heap in bytes by stage ({@code before}, {@code sessions}, {@code tokens}, {@code joined},
     * {@code closed}: before the level, after its creates, tokens and joins, and once its sessions were deleted and
     * every socket closed) and role; empty without.
     */
    public record Level(int concurrency, int sessions, int participants, List<Phase> phases,
                        Map<String, Map<String, Long>> liveHeapBytes) {
        public Level {
            liveHeapBytes = liveHeapBytes == null ? Map.of() : liveHeapBytes;
        }

        public Phase phase(String operation) {
            return phases.stream().filter(p -> p.operation().equals(operation)).findFirst().orElseThrow();
        }
    }

    /**
     * One operation at one concurrency level: {@code ok} succeeded, {@code errors} failed (the first error kept);
     * throughput is successes over the phase's wall-clock time. {@code latencyMs} counts from the operation's due
     * time in open loop ({@code offeredPerSecond} > 0), so it includes waiting for a free worker; {@code serviceMs}
     * from its actual start (the two are the same in closed loop). CPU is the nodes' CPU during the phase, by role,
     * and per operation attempted. {@code startedAtMillis} (epoch ms) and {@code seconds} place the phase in time, so
     * a profile of a node taken over the whole run can be cut to one phase.
     */
    public record Phase(String operation, long ok, long errors, double seconds, double perSecond,
                        double offeredPerSecond, Percentiles latencyMs, Percentiles serviceMs,
                        Map<String, CpuMs> cpuMsByRole, Map<String, OpCost> cpuMsPerOpByRole, String firstError,
                        long startedAtMillis, Map<String, GcPauses> gcPausesByRole) {
        public Phase {
            gcPausesByRole = gcPausesByRole == null ? Map.of() : gcPausesByRole;
        }

        /** When the phase ended, epoch ms. */
        public long endedAtMillis() {
            return startedAtMillis + Math.round(seconds * 1000);
        }

        Phase withGcPauses(Map<String, GcPauses> byRole) {
            return new Phase(operation, ok, errors, seconds, perSecond, offeredPerSecond, latencyMs, serviceMs,
                    cpuMsByRole, cpuMsPerOpByRole, firstError, startedAtMillis, byRole);
        }
    }

    /**
     * A role's stop-the-world GC pauses that ended within a phase, from its nodes' GC logs ({@link GcLog}): how many,
     * the longest, their sum in wall-clock time, and the CPU their collectors used (user + sys, over the pauses whose
     * log line gives it). Wall time well above the CPU is a collector that waited for a core, not one with more to do.
     */
    public record GcPauses(int count, double maxWallMs, double wallMs, double cpuMs) {
        public static final GcPauses NONE = new GcPauses(0, 0, 0, 0);

        GcPauses plus(GcLog.Pause p) {
            return new GcPauses(count + 1, Math.max(maxWallMs, p.wallMs()), CpuMs.round(wallMs + p.wallMs()),
                    CpuMs.round(cpuMs + Math.max(0, p.cpuMs())));
        }
    }

    /**
     * CPU ms per operation of one role: the process total; its JIT and GC parts; {@code work} without them; and
     * {@code marginal}, the work less the idle floor's work rate over the phase (see {@link IdleFloor}); {@code sys},
     * the kernel's part of the total; {@code switches}, the role's context switches per operation (its live
     * threads', see {@link ProcessCpu#switchesSince}), idle floor included.
     */
    public record OpCost(double total, double jit, double gc, double work, double marginal, double sys,
                         double switches) {
        static OpCost of(CpuMs spent, long operations, double marginal, long switches) {
            CpuMs per = spent.per(operations);
            return new OpCost(per.total(), per.jit(), per.gc(), per.work(), marginal, per.sys(),
                    operations <= 0 ? 0 : CpuMs.round((double) switches / operations));
        }
    }

    /**
     * This result with every phase's GC pauses by role (levels and background), from each node's pauses
     * ({@link GcLog#read}) by node name; a role whose nodes paused not once in a phase shows {@link GcPauses#NONE}.
     */
    public ControlPlaneResult withGcPauses(Map<String, List<GcLog.Pause>> byNode) {
        UnaryOperator<List<Phase>> each = phases -> phases.stream()
                .map(p -> p.withGcPauses(GcLog.byRole(byNode, p.startedAtMillis(), p.endedAtMillis()))).toList();
        List<Level> withPauses = levels.stream().map(l -> new Level(l.concurrency(), l.sessions(), l.participants(),
                each.apply(l.phases()), l.liveHeapBytes())).toList();
        Background bg = background == null ? null
                : new Background(background.sessions(), background.tokens(), each.apply(background.phases()));
        return new ControlPlaneResult(runName, masters, ratePerSecond, warmupRounds, warmupSessions, idle,
                loadAverageBefore, loadAverageAfter, withPauses, bg, serverNamedSessions);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static ControlPlaneResult read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ControlPlaneResult.class);
    }

    /** Markdown tables, as docs/BENCHMARKS.md shows them: see {@link ControlPlaneTable}. */
    public String table() {
        return ControlPlaneTable.render(this);
    }
}
