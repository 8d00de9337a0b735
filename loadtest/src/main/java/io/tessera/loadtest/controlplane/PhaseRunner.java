package io.tessera.loadtest.controlplane;

import io.tessera.loadtest.harness.measure.Percentiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Runs one phase: {@code count} items of one operation on {@code concurrency} workers, with the nodes' CPU read
 * before and after.
 *
 * <p>Closed loop ({@code ratePerSecond} 0): each worker takes the next item as soon as it finishes one, so exactly
 * {@code concurrency} operations are in flight. Open loop (a rate): item i is due at {@code start + i / rate}; a
 * worker takes the next item and waits for its due time, so operations start on schedule while a worker is free,
 * and late, never skipped, when all {@code concurrency} are busy. Latency then counts from the due time, not from
 * the actual start, so the queueing an overloaded system causes shows in the percentiles (coordinated omission);
 * {@code serviceMs} counts from the actual start.
 */
final class PhaseRunner {
    /** One step of one item; false: skipped (an earlier step of the item failed). */
    interface Step {
        boolean run(int index) throws Exception;
    }

    private final NodeCpu cpu;
    private final Duration timeout;
    private final double ratePerSecond;
    private final Runnable onOperation;
    private final Path traceDir;

    PhaseRunner(NodeCpu cpu, Duration timeout, double ratePerSecond, Runnable onOperation) {
        this(cpu, timeout, ratePerSecond, onOperation, null);
    }

    /** @param traceDir where each phase's {@link PhaseTrace} goes; null: none */
    PhaseRunner(NodeCpu cpu, Duration timeout, double ratePerSecond, Runnable onOperation, Path traceDir) {
        this.cpu = cpu;
        this.timeout = timeout;
        this.ratePerSecond = ratePerSecond;
        this.onOperation = onOperation;
        this.traceDir = traceDir;
    }

    ControlPlaneResult.Phase run(String operation, int concurrency, int count, IdleFloor idle, Step step)
            throws InterruptedException {
        Histogram latency = new ConcurrentHistogram(Duration.ofMinutes(10).toNanos() / 1000, 3);
        Histogram service = new ConcurrentHistogram(Duration.ofMinutes(10).toNanos() / 1000, 3);
        PhaseTrace trace = traceDir == null ? null : new PhaseTrace(count);
        AtomicInteger next = new AtomicInteger();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        ExecutorService workers = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "control-plane-" + operation);
            t.setDaemon(true);
            return t;
        });
        NodeCpu.Snapshot cpuBefore = cpu.read();
        long started = System.nanoTime();
        long startedAtMillis = System.currentTimeMillis();
        for (int w = 0; w < concurrency; w++) {
            workers.execute(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    boolean open = ratePerSecond > 0;
                    long due = open ? started + (long) (i * 1e9 / ratePerSecond) : 0;
                    for (long wait = due - System.nanoTime(); open && wait > 0; wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    long t0 = System.nanoTime();
                    long from = open ? Math.min(due, t0) : t0;
                    try {
                        if (step.run(i)) {
                            long end = System.nanoTime();
                            latency.recordValue(Math.max(0, (end - from) / 1000));
                            service.recordValue(Math.max(0, (end - t0) / 1000));
                            ok.incrementAndGet();
                            if (trace != null) {
                                trace.record(i, from - started, end - started, true);
                            }
                        }
                    } catch (Exception e) {
                        if (trace != null) {
                            trace.record(i, from - started, System.nanoTime() - started, false);
                        }
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, operation + " #" + i + ": " + e);
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    onOperation.run();
                }
            });
        }
        workers.shutdown();
        long scheduleMillis = ratePerSecond > 0 ? (long) (count * 1000 / ratePerSecond) : 0;
        if (!workers.awaitTermination(scheduleMillis + timeout.toMillis() * (count / concurrency + 2),
                TimeUnit.MILLISECONDS)) {
            workers.shutdownNow();
            throw new IllegalStateException(operation + " phase did not finish in time");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        NodeCpu.Snapshot cpuAfter = cpu.read();
        if (trace != null) { // after the nodes' CPU is read: writing it is not the phase's time
            trace.write(traceDir, operation, startedAtMillis);
        }
        Map<String, CpuMs> cpuMs = NodeCpu.millisByRole(cpuBefore, cpuAfter);
        Map<String, Long> switches = NodeCpu.switchesByRole(cpuBefore, cpuAfter);
        long attempted = ok.get() + errors.get();
        Map<String, ControlPlaneResult.OpCost> perOp = new TreeMap<>();
        cpuMs.forEach((role, ms) -> perOp.put(role, ControlPlaneResult.OpCost.of(ms, attempted,
                IdleFloor.marginalPerOp(ms.work(), idle.workRate(role), seconds, attempted),
                switches.getOrDefault(role, 0L))));
        return new ControlPlaneResult.Phase(operation, ok.get(), errors.get(), Math.round(seconds * 1000) / 1000.0,
                seconds > 0 ? Math.round(ok.get() / seconds * 10) / 10.0 : 0, ratePerSecond,
                Percentiles.ofMicros(latency), Percentiles.ofMicros(service), new LinkedHashMap<>(cpuMs), perOp,
                firstError.get(), startedAtMillis, Map.of());
    }
}
