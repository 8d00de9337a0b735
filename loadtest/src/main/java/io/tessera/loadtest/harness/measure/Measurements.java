package io.tessera.loadtest.harness.measure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Everything one run measures, shared by the participants, the chaos runner and the samplers. */
public final class Measurements {
    public final RunClock clock = new RunClock();
    public final LatencyMeter sessionCreate = new LatencyMeter("sessionCreate");
    public final LatencyMeter connectionCreate = new LatencyMeter("connectionCreate");
    public final LatencyMeter join = new LatencyMeter("join");
    public final LatencyMeter publish = new LatencyMeter("publish");
    public final LatencyMeter subscribe = new LatencyMeter("subscribe");
    public final LatencyMeter firstPacket = new LatencyMeter("firstPacket");
    public final LatencyMeter resume = new LatencyMeter("resume");
    public final ErrorTally errors = new ErrorTally();
    public final FaultLog faults = new FaultLog();
    public final AtomicLong sessionsCreated = new AtomicLong();
    public final AtomicLong joined = new AtomicLong();
    public final AtomicLong published = new AtomicLong();
    public final AtomicLong subscribed = new AtomicLong();
    public final AtomicLong joinRetries = new AtomicLong();
    public final AtomicLong restFailovers = new AtomicLong();
    public final AtomicLong resumesWithoutFault = new AtomicLong();
    public final AtomicLong disconnected = new AtomicLong();
    private final Map<String, AtomicLong> joinsPerMaster = new ConcurrentHashMap<>();
    private final AtomicLong firstJoinStartMillis = new AtomicLong(-1);
    private final AtomicLong lastJoinEndMillis = new AtomicLong(-1);

    /** A join through {@code master} (host:port) that took {@code latency} and ended now. */
    public void joinDone(String master, long startedMillis, Duration latency) {
        long now = clock.millisNow();
        join.record(now, latency);
        joined.incrementAndGet();
        // Bounded by the number of masters in the configuration.
        joinsPerMaster.computeIfAbsent(master, k -> new AtomicLong()).incrementAndGet();
        firstJoinStartMillis.compareAndSet(-1, startedMillis);
        lastJoinEndMillis.accumulateAndGet(now, Math::max);
    }

    /** A client resumed now: measured from the latest master fault before it. */
    public void resumed() {
        long now = clock.millisNow();
        faults.lastMasterFaultBefore(now).ifPresentOrElse(
                f -> resume.record(now, Duration.ofMillis(now - f.atMillis())),
                resumesWithoutFault::incrementAndGet);
    }

    public Map<String, Long> joinsPerMaster() {
        Map<String, Long> m = new LinkedHashMap<>();
        joinsPerMaster.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> m.put(e.getKey(), e.getValue().get()));
        return m;
    }

    /** Seconds from the first join's start to the last join's end (0 if none). */
    public double joinWindowSeconds() {
        long a = firstJoinStartMillis.get();
        long b = lastJoinEndMillis.get();
        return a < 0 || b <= a ? 0 : (b - a) / 1000.0;
    }
}
