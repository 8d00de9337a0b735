package io.tessera.loadtest.controlplane;

import io.tessera.client.SignallingClient;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.SessionProperties;
import io.tessera.loadtest.harness.measure.Percentiles;
import io.tessera.loadtest.harness.scenario.HarnessConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The control-plane benchmark: no media, only what the masters do. At each concurrency level it runs five phases
 * one after the other, each with exactly {@code concurrency} workers busy (closed loop): session creates (REST),
 * connection creates (REST, the token), WebSocket open + {@code joinRoom}, {@code leaveRoom} + close of every
 * participant but the last of each session (a session closes when its last participant leaves), session deletes
 * (REST; each evicts that last participant). Sessions, tokens, joins and deletes go round-robin over the masters, each step of one session
 * through a different master than the step before, so cross-master reads are part of what is measured. Per phase:
 * throughput, latency percentiles, and the CPU the nodes spent, by role, per operation.
 *
 * <p>An operation that fails is counted with its phase; the later steps of its session or participant are skipped
 * (and not counted). Nothing is retried: a retry would hide the cost this measures.
 */
public final class ControlPlaneBenchmark {
    public static final List<String> OPERATIONS = List.of("sessionCreate", "connectionCreate", "join", "leave",
            "sessionDelete");

    private final ControlPlaneConfig cfg;
    private final Runnable onOperation;
    private final List<MasterRestClient> rest;
    private final List<java.net.URI> webSockets;
    private final NodeCpu cpu;

    /** @param onOperation called after every measured or warm-up operation (a progress bar) */
    public ControlPlaneBenchmark(ControlPlaneConfig cfg, Runnable onOperation) {
        this.cfg = cfg;
        this.onOperation = onOperation;
        this.rest = cfg.masters().stream().map(m -> MasterRestClient.builder(m).secret(cfg.secret())
                .requestTimeout(cfg.operationTimeout()).build()).toList();
        this.webSockets = cfg.masters().stream().map(HarnessConfig::webSocketUri).toList();
        this.cpu = new NodeCpu(cfg.pids());
    }

    /** Operations a run makes, warm-up included (for a progress bar's total). */
    public static long plannedOperations(ControlPlaneConfig cfg) {
        int p = cfg.participantsPerSession();
        long perRound = 2L * cfg.sessions() + 2L * cfg.participants() + (long) cfg.sessions() * (p - 1);
        long warmup = 2L * cfg.warmupSessions() + (3L * p - 1) * cfg.warmupSessions();
        return perRound * cfg.concurrency().size() + warmup;
    }

    public ControlPlaneResult run() throws InterruptedException {
        String loadBefore = loadAverage();
        if (cfg.warmupSessions() > 0) {
            round(cfg.runName() + "-w", cfg.concurrency().get(0), cfg.warmupSessions());
        }
        List<ControlPlaneResult.Level> levels = new ArrayList<>();
        for (int c : cfg.concurrency()) {
            levels.add(round(cfg.runName() + "-c" + c, c, cfg.sessions()));
        }
        return new ControlPlaneResult(cfg.runName(), cfg.masters().stream().map(Object::toString).toList(),
                loadBefore, loadAverage(), levels);
    }

    private ControlPlaneResult.Level round(String prefix, int concurrency, int sessions) throws InterruptedException {
        int perSession = cfg.participantsPerSession();
        int participants = sessions * perSession;
        int masters = rest.size();
        String[] sessionIds = new String[sessions];
        String[] tokens = new String[participants];
        SignallingClient[] clients = new SignallingClient[participants];
        List<ControlPlaneResult.Phase> phases = new ArrayList<>();

        phases.add(phase("sessionCreate", concurrency, sessions, i -> {
            sessionIds[i] = rest.get(i % masters).createSession(SessionProperties.withId(prefix + "-" + i))
                    .sessionId();
            return true;
        }));
        phases.add(phase("connectionCreate", concurrency, participants, j -> {
            String session = sessionIds[j / perSession];
            if (session == null) {
                return false;
            }
            tokens[j] = rest.get((j / perSession + 1) % masters).createConnection(session,
                    new ConnectionProperties(null, null, null)).token();
            return true;
        }));
        try {
            phases.add(phase("join", concurrency, participants, j -> {
                if (tokens[j] == null) {
                    return false;
                }
                // Events are not read here: drop them as they come so the bounded queue never fills.
                AtomicReference<SignallingClient> self = new AtomicReference<>();
                SignallingClient client = SignallingClient.builder(webSockets.get((j + 2) % masters))
                        .eventQueueCapacity(64).onEvent(e -> {
                            SignallingClient c = self.get();
                            if (c != null) {
                                c.events().clear();
                            }
                        }).connect();
                self.set(client);
                try {
                    client.joinRoom(tokens[j], "{}").get(cfg.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    client.close();
                    throw e;
                }
                clients[j] = client;
                return true;
            }));
            // The last participant of each session stays: a session closes when its last participant leaves (as in
            // OpenVidu), and the delete phase is to find it open (its delete then evicts that participant).
            int leaving = sessions * (perSession - 1);
            phases.add(phase("leave", concurrency, leaving, k -> {
                int j = k / (perSession - 1) * perSession + k % (perSession - 1);
                SignallingClient client = clients[j];
                if (client == null) {
                    return false;
                }
                clients[j] = null;
                try {
                    client.leaveRoom().get(cfg.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } finally {
                    client.close();
                }
                return true;
            }));
            phases.add(phase("sessionDelete", concurrency, sessions, i -> {
                if (sessionIds[i] == null) {
                    return false;
                }
                rest.get((i + 2) % masters).deleteSession(sessionIds[i]);
                return true;
            }));
        } finally {
            for (SignallingClient c : clients) {
                if (c != null) {
                    c.close();
                }
            }
        }
        return new ControlPlaneResult.Level(concurrency, sessions, participants, phases);
    }

    /** One step of one item; false: skipped (an earlier step of the item failed). */
    private interface Step {
        boolean run(int index) throws Exception;
    }

    /** {@code count} items, {@code concurrency} workers taking the next one as they finish (closed loop). */
    private ControlPlaneResult.Phase phase(String operation, int concurrency, int count, Step step)
            throws InterruptedException {
        Histogram micros = new ConcurrentHistogram(Duration.ofMinutes(10).toNanos() / 1000, 3);
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
        for (int w = 0; w < concurrency; w++) {
            workers.execute(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    long t0 = System.nanoTime();
                    try {
                        if (step.run(i)) {
                            micros.recordValue(Math.max(0, (System.nanoTime() - t0) / 1000));
                            ok.incrementAndGet();
                        }
                    } catch (Exception e) {
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
        if (!workers.awaitTermination(cfg.operationTimeout().toMillis() * (count / concurrency + 2),
                TimeUnit.MILLISECONDS)) {
            workers.shutdownNow();
            throw new IllegalStateException(operation + " phase did not finish in time");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> cpuMs = NodeCpu.millisByRole(cpuBefore, cpu.read());
        long attempted = ok.get() + errors.get();
        Map<String, Double> perOp = new TreeMap<>();
        cpuMs.forEach((role, ms) -> perOp.put(role, attempted == 0 ? 0 : Math.round(ms / attempted * 1000) / 1000.0));
        return new ControlPlaneResult.Phase(operation, ok.get(), errors.get(), Math.round(seconds * 1000) / 1000.0,
                seconds > 0 ? Math.round(ok.get() / seconds * 10) / 10.0 : 0, Percentiles.ofMicros(micros),
                new LinkedHashMap<>(cpuMs), perOp, firstError.get());
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
