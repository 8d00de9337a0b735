package io.tessera.loadtest.controlplane;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run as Markdown: a header saying how it ran and what the idle floor was, then one row per level and operation
 * with throughput, latency and, per role, CPU ms per operation as total / work (without JIT and GC) / marginal (work
 * less the idle floor) / sys (the kernel's part of the total).
 */
final class ControlPlaneTable {
    private ControlPlaneTable() {
    }

    static String render(ControlPlaneResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "run %s, load average before %s, after %s; %s; warm-up %d x %d sessions%s%n",
                r.runName(), r.loadAverageBefore(), r.loadAverageAfter(),
                r.ratePerSecond() > 0 ? String.format(Locale.ROOT, "open loop at %.1f ops/s per phase (latency from "
                        + "the scheduled start), capped by the concurrency", r.ratePerSecond()) : "closed loop",
                r.warmupRounds(), r.warmupSessions(),
                r.serverNamedSessions() ? "; sessions named by the server (no customSessionId)" : ""));
        sb.append(idle(r.idle())).append('\n');
        if (r.background() != null && r.background().sessions() > 0) {
            sb.append(String.format(Locale.ROOT, "held through the levels: %d sessions, %d pending tokens (created"
                    + " before the idle window, deleted after the last level: the rows marked background)%n", r.background().sessions(),
                    r.background().tokens()));
        }
        sb.append("CPU ms/op by role: total / work (without JIT and GC) / marginal (work less the idle floor)"
                + " / sys (kernel part of total); cs: context switches per op\n\n");
        sb.append("| concurrency | operation | n | errors | ops/s | p50 ms | p99 ms | max ms | CPU ms/op by role |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (ControlPlaneResult.Level level : r.levels()) {
            for (ControlPlaneResult.Phase p : level.phases()) {
                row(sb, String.valueOf(level.concurrency()), p);
            }
        }
        if (r.background() != null) {
            r.background().phases().forEach(p -> row(sb, "background", p));
        }
        for (ControlPlaneResult.Level level : r.levels()) {
            sb.append(liveHeap(level));
        }
        sb.append(gcPauses(r));
        return sb.toString();
    }

    /**
     * The live heap readings of one level (--live-heap), one line per role, and what each unit added: the creates
     * over the sessions, the tokens and the joins over the participants; what the deletes left over "before".
     * Empty when the level has no readings.
     */
    static String liveHeap(ControlPlaneResult.Level level) {
        Map<String, Map<String, Long>> heap = level.liveHeapBytes();
        if (!heap.keySet().containsAll(List.of("before", "sessions", "tokens", "joined", "closed"))) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String role : heap.get("before").keySet()) {
            long before = heap.get("before").get(role);
            long sessions = heap.get("sessions").getOrDefault(role, before);
            long tokens = heap.get("tokens").getOrDefault(role, sessions);
            long joined = heap.get("joined").getOrDefault(role, tokens);
            long closed = heap.get("closed").getOrDefault(role, before);
            sb.append(String.format(Locale.ROOT, "live heap at concurrency %d, %s (all nodes of the role): before"
                            + " %.1f MiB, %d sessions %.1f, %d tokens %.1f, %d joined %.1f, closed %.1f; per session"
                            + " %.1f KiB, per token %.1f KiB, per joined participant %.1f KiB; after the deletes and"
                            + " closes %+.1f MiB%n",
                    level.concurrency(), role, mib(before), level.sessions(), mib(sessions), level.participants(),
                    mib(tokens), level.participants(), mib(joined), mib(closed),
                    kib(sessions - before) / level.sessions(), kib(tokens - sessions) / level.participants(),
                    kib(joined - tokens) / level.participants(), mib(closed - before)));
        }
        return sb.toString();
    }

    /**
     * Every phase's stop-the-world GC pauses by role (from the nodes' GC logs), one row per phase and role; empty when
     * the run read no GC log.
     */
    static String gcPauses(ControlPlaneResult r) {
        StringBuilder rows = new StringBuilder();
        for (ControlPlaneResult.Level level : r.levels()) {
            level.phases().forEach(p -> gcPauseRows(rows, String.valueOf(level.concurrency()), p));
        }
        if (r.background() != null) {
            r.background().phases().forEach(p -> gcPauseRows(rows, "background", p));
        }
        if (rows.isEmpty()) {
            return "";
        }
        return "\nGC pauses that ended in each phase, from the nodes' GC logs: how many, the longest, their sum in"
                + " wall-clock time and the CPU their collectors used (user + sys, in 10 ms steps; wall time above"
                + " it is time the collector waited for a core)\n\n"
                + "| concurrency | operation | role | pauses | max ms | wall ms | CPU ms |\n"
                + "|---|---|---|---|---|---|---|\n" + rows;
    }

    private static void gcPauseRows(StringBuilder sb, String level, ControlPlaneResult.Phase p) {
        p.gcPausesByRole().forEach((role, g) -> sb.append(String.format(Locale.ROOT,
                "| %s | %s | %s | %d | %.1f | %.1f | %.1f |%n", level, p.operation(), role, g.count(), g.maxWallMs(),
                g.wallMs(), g.cpuMs())));
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static double kib(long bytes) {
        return bytes / 1024.0;
    }

    private static void row(StringBuilder sb, String level, ControlPlaneResult.Phase p) {
        StringBuilder cpu = new StringBuilder();
        p.cpuMsPerOpByRole().forEach((role, c) -> cpu.append(cpu.isEmpty() ? "" : "; ")
                .append(String.format(Locale.ROOT, "%s %.2f / %.2f / %.2f / %.2f, %.1f cs", role, c.total(),
                        c.work(), c.marginal(), c.sys(), c.switches())));
        sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.1f | %.1f | %.1f | %.1f | %s |%n",
                level, p.operation(), p.ok(), p.errors(), p.perSecond(), p.latencyMs().p50(),
                p.latencyMs().p99(), p.latencyMs().max(), cpu));
    }

    static String idle(IdleFloor idle) {
        if (idle.seconds() <= 0) {
            return "idle floor: not measured (marginal = work)";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "idle floor (%.1f s, no client), CPU ms per second:", idle.seconds()));
        for (Map.Entry<String, CpuMs> e : idle.msPerSecond().entrySet()) {
            CpuMs c = e.getValue();
            sb.append(String.format(Locale.ROOT, " %s %.0f (work %.0f, jit %.0f, gc %.0f; sys %.0f);", e.getKey(),
                    c.total(), c.work(), c.jit(), c.gc(), c.sys()));
        }
        return sb.toString();
    }
}
