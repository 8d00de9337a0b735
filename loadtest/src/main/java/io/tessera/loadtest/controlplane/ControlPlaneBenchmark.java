package io.tessera.loadtest.controlplane;

import io.tessera.client.SignallingClient;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.SessionProperties;
import io.tessera.loadtest.harness.scenario.HarnessConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The control-plane benchmark: no media, only what the masters do. At each concurrency level it runs seven phases
 * one after the other, each with {@code concurrency} workers (closed loop: all busy; or open loop at a fixed
 * offered rate, capped by them): session creates (REST),
 * connection creates (REST, the token), bare sockets (WebSocket open + {@code ping} + close: what a socket costs a
 * master without a session, no media node and no CRDT), WebSocket opens (kept open), {@code joinRoom} on each of them
 * (a client's join is the two together), {@code leaveRoom} + close of every
 * participant but the last of each session (a session closes when its last participant leaves), session deletes
 * (REST; each evicts that last participant). Sessions, tokens, joins and deletes go round-robin over the masters,
 * each step of one session through a different master than the step before, so cross-master reads are part of what
 * is measured. Per phase: throughput, latency percentiles, and the CPU the nodes spent, by role, per operation: the
 * total, the work without the JIT compilers and the collector, and the marginal work (less the idle floor measured
 * after the warm-up rounds). With a rate, each phase runs in open loop at that rate ({@link PhaseRunner}).
 *
 * <p>With a background ({@link ControlPlaneConfig.Background}), sessions and pending tokens are created after the
 * warm-up and held until the last level is done: the levels then measure a cluster that already holds them (larger
 * routing shards on every master), which is how the cost per operation is compared as the cluster fills.
 *
 * <p>An operation that fails is counted with its phase; the later steps of its session or participant are skipped
 * (and not counted). Nothing is retried: a retry would hide the cost this measures.
 */
public final class ControlPlaneBenchmark {
    /** Pause between the last warm-up operation and the idle window. */
    static final Duration IDLE_SETTLE = Duration.ofSeconds(2);
    /** How long the masters get to notice that the level's sockets closed before a heap reading. */
    static final Duration SOCKETS_CLOSED_WITHIN = Duration.ofSeconds(30);
    private static final Pattern OPEN_SOCKETS = Pattern.compile(
            "^tessera_master_websocket_connections(?:\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    public static final List<String> OPERATIONS = List.of("sessionCreate", "connectionCreate", "socket", "open",
            "joinRoom", "leave", "sessionDelete");

    private final ControlPlaneConfig cfg;
    private final List<MasterRestClient> rest;
    private final List<java.net.URI> webSockets;
    private final NodeCpu cpu;
    private final PhaseRunner runner;
    private IdleFloor idle = IdleFloor.NONE;

    /** @param onOperation called after every measured or warm-up operation (a progress bar) */
    public ControlPlaneBenchmark(ControlPlaneConfig cfg, Runnable onOperation) {
        this(cfg, onOperation, null);
    }

    /**
     * @param onOperation called after every measured or warm-up operation (a progress bar)
     * @param traceDir    where every phase, warm-up included, writes each operation's start and end (PhaseTrace); null:
     *                    no traces
     */
    public ControlPlaneBenchmark(ControlPlaneConfig cfg, Runnable onOperation, Path traceDir) {
        this.cfg = cfg;
        this.rest = cfg.masters().stream().map(m -> MasterRestClient.builder(m).secret(cfg.secret())
                .requestTimeout(cfg.operationTimeout()).build()).toList();
        this.webSockets = cfg.masters().stream().map(HarnessConfig::webSocketUri).toList();
        this.cpu = new NodeCpu(cfg.pids());
        this.runner = new PhaseRunner(cpu, cfg.operationTimeout(), cfg.ratePerSecond(), onOperation, traceDir);
    }

    /** Operations a run makes, warm-up included (for a progress bar's total). */
    public static long plannedOperations(ControlPlaneConfig cfg) {
        int p = cfg.participantsPerSession();
        int fresh = cfg.freshJoins() ? 1 : 0;
        long perRound = 2L * cfg.sessions() + (4L + fresh) * cfg.participants() + (long) cfg.sessions() * (p - 1);
        long warmup = (2L + (5L + fresh) * p - 1) * cfg.warmupSessions() * cfg.warmupRounds();
        long background = 2L * cfg.background().sessions() + cfg.background().tokens();
        return perRound * cfg.concurrency().size() + warmup + background;
    }

    public ControlPlaneResult run() throws InterruptedException {
        String loadBefore = loadAverage();
        // The warm-up rounds run like the measured ones (closed loop or at the rate), at the first level.
        for (int w = 0; w < cfg.warmupRounds() && cfg.warmupSessions() > 0; w++) {
            round(cfg.runName() + "-w" + w, cfg.concurrency().get(0), cfg.warmupSessions(), false);
        }
        int fillConcurrency = cfg.concurrency().get(0);
        String[] held = new String[cfg.background().sessions()];
        List<ControlPlaneResult.Phase> backgroundPhases = new ArrayList<>(fill(held, fillConcurrency));
        List<ControlPlaneResult.Level> levels = new ArrayList<>();
        try {
            idle = measureIdle();
            for (int c : cfg.concurrency()) {
                levels.add(round(cfg.runName() + "-c" + c, c, cfg.sessions(), cfg.liveHeap()));
            }
        } finally {
            if (held.length > 0) {
                backgroundPhases.add(phase("backgroundDelete", fillConcurrency, held.length, i -> {
                    if (held[i] == null) {
                        return false;
                    }
                    rest.get(i % rest.size()).deleteSession(held[i]);
                    return true;
                }));
            }
        }
        ControlPlaneResult.Background background = held.length == 0 ? ControlPlaneResult.Background.NONE
                : new ControlPlaneResult.Background(held.length, cfg.background().tokens(), backgroundPhases);
        return new ControlPlaneResult(cfg.runName(), cfg.masters().stream().map(Object::toString).toList(),
                cfg.ratePerSecond(), cfg.warmupRounds(), cfg.warmupSessions(), idle, loadBefore, loadAverage(), levels,
                background, cfg.serverNamedSessions());
    }

    /**
     * Creates the background (sessions, then their pending tokens) that the levels run beside, round-robin over the
     * masters, and measures it as two phases: what a create and a token cost while the cluster fills. Ids go into
     * {@code held} for the delete at the end; a failed create leaves a null there.
     */
    private List<ControlPlaneResult.Phase> fill(String[] held, int concurrency) throws InterruptedException {
        if (held.length == 0) {
            return List.of();
        }
        int masters = rest.size();
        int tokensPerSession = cfg.background().tokensPerSession();
        List<ControlPlaneResult.Phase> phases = new ArrayList<>();
        phases.add(phase("backgroundCreate", concurrency, held.length, i -> {
            held[i] = rest.get(i % masters).createSession(SessionProperties.withId(cfg.runName() + "-bg-" + i))
                    .sessionId();
            return true;
        }));
        if (tokensPerSession > 0) {
            phases.add(phase("backgroundToken", concurrency, held.length * tokensPerSession, j -> {
                String session = held[j / tokensPerSession];
                if (session == null) {
                    return false;
                }
                rest.get((j / tokensPerSession + 1) % masters).createConnection(session,
                        new ConnectionProperties(null, null, null));
                return true;
            }));
        }
        return phases;
    }

    /**
     * The nodes' CPU per second with no client, after a settling pause so that the warm-up's trailing work (sessions
     * closing, the last deltas spreading) is not taken for idle.
     */
    private IdleFloor measureIdle() throws InterruptedException {
        if (cfg.idle().isZero()) {
            return IdleFloor.NONE;
        }
        Thread.sleep(IDLE_SETTLE.toMillis());
        return IdleFloor.measure(cpu, cfg.idle());
    }

    /** @param readHeap read every node's live heap before the round and after its creates, tokens, joins, deletes */
    private ControlPlaneResult.Level round(String prefix, int concurrency, int sessions, boolean readHeap)
            throws InterruptedException {
        int perSession = cfg.participantsPerSession();
        int participants = sessions * perSession;
        int masters = rest.size();
        String[] sessionIds = new String[sessions];
        String[] tokens = new String[participants];
        SignallingClient[] clients = new SignallingClient[participants];
        List<ControlPlaneResult.Phase> phases = new ArrayList<>();
        Map<String, Map<String, Long>> heap = new LinkedHashMap<>();
        readHeap(readHeap, heap, "before");

        phases.add(phase("sessionCreate", concurrency, sessions, i -> {
            sessionIds[i] = rest.get(i % masters).createSession(cfg.serverNamedSessions()
                    ? new SessionProperties(null, null, null) : SessionProperties.withId(prefix + "-" + i)).sessionId();
            return true;
        }));
        readHeap(readHeap, heap, "sessions");
        phases.add(phase("connectionCreate", concurrency, participants, j -> {
            String session = sessionIds[j / perSession];
            if (session == null) {
                return false;
            }
            tokens[j] = rest.get((j / perSession + 1) % masters).createConnection(session,
                    new ConnectionProperties(null, null, null)).token();
            return true;
        }));
        readHeap(readHeap, heap, "tokens");
        phases.add(phase("socket", concurrency, participants, j -> {
            // As many sockets as joins, over the same masters: open, one request that needs no session, close.
            try (SignallingClient client = SignallingClient.builder(webSockets.get((j + 2) % masters)).connect()) {
                client.ping().get(cfg.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            return true;
        }));
        try {
            // A join in two measured steps, so that what the socket costs and what joining a session costs are
            // apart: open (the socket, kept open) and joinRoom on it. Their sum is what a client's join costs.
            phases.add(phase("open", concurrency, participants, j -> {
                if (tokens[j] == null) {
                    return false;
                }
                clients[j] = openDroppingEvents(webSockets.get((j + 2) % masters));
                return true;
            }));
            phases.add(phase("joinRoom", concurrency, participants, j -> {
                SignallingClient client = clients[j];
                if (client == null) {
                    return false;
                }
                try {
                    client.joinRoom(tokens[j], "{}").get(cfg.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    clients[j] = null;
                    client.close();
                    throw e;
                }
                return true;
            }));
            readHeap(readHeap, heap, "joined");
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
            if (cfg.freshJoins()) {
                // As many as the level's joins, so that the phase is as long as the joinRoom phase it compares with.
                phases.add(freshJoins(prefix, concurrency, participants));
            }
        } finally {
            for (SignallingClient c : clients) {
                if (c != null) {
                    c.close();
                }
            }
        }
        if (readHeap) {
            // The deletes evicted each session's last participant, whose socket stays open until its client closes
            // it (above); the reading waits until every master has let go of every socket.
            awaitNoSocketOpen();
            readHeap(true, heap, "closed");
        }
        return new ControlPlaneResult.Level(concurrency, sessions, participants, phases, heap);
    }

    /** Waits until every master's {@code tessera_master_websocket_connections} gauge says 0. */
    private void awaitNoSocketOpen() throws InterruptedException {
        long deadline = System.nanoTime() + SOCKETS_CLOSED_WITHIN.toNanos();
        while (true) {
            String open = null;
            for (int m = 0; m < rest.size() && open == null; m++) {
                double sockets = openSockets(rest.get(m));
                if (sockets != 0) {
                    open = cfg.masters().get(m) + " has " + (sockets < 0 ? "an unreadable count of" : (long) sockets)
                            + " socket(s) open";
                }
            }
            if (open == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("before the heap reading after the deletes: " + open + " "
                        + SOCKETS_CLOSED_WITHIN.toSeconds() + " s after every client closed its socket");
            }
            Thread.sleep(100);
        }
    }

    /** The master's open WebSocket connections from its {@code /metrics}; -1 when it cannot be read. */
    private static double openSockets(MasterRestClient master) throws InterruptedException {
        try {
            Matcher m = OPEN_SOCKETS.matcher(master.send("GET", "/metrics").text());
            return m.find() ? Double.parseDouble(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Every node's live heap by role under {@code stage} ({@link LiveHeap}), when {@code read}. */
    private void readHeap(boolean read, Map<String, Map<String, Long>> heap, String stage) throws InterruptedException {
        if (!read) {
            return;
        }
        try {
            heap.put(stage, LiveHeap.byRole(cfg.pids().get()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the nodes' live heap (" + stage + "): " + e.getMessage(), e);
        }
    }

    /**
     * What an application server and its client do when a user joins a new room: create the session and a token
     * through one master, then open a socket and join through another at once. The joining master may not have the
     * two records yet (a majority write reaches the writer and one other master; the third learns them from the next
     * delta, up to a fifth of the gossip interval later), so this phase measures the reads that look for them. Its
     * sessions are deleted after it, unmeasured, and their sockets closed.
     */
    private ControlPlaneResult.Phase freshJoins(String prefix, int concurrency, int sessions)
            throws InterruptedException {
        // One fresh session per operation.
        int masters = rest.size();
        String[] fresh = new String[sessions];
        SignallingClient[] clients = new SignallingClient[sessions];
        try {
            return phase("freshJoin", concurrency, sessions, i -> {
                MasterRestClient writer = rest.get(i % masters);
                String session = writer.createSession(SessionProperties.withId(prefix + "-fresh-" + i)).sessionId();
                fresh[i] = session;
                String token = writer.createConnection(session, new ConnectionProperties(null, null, null)).token();
                SignallingClient client = openDroppingEvents(webSockets.get((i + 1) % masters));
                clients[i] = client;
                client.joinRoom(token, "{}").get(cfg.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
                return true;
            });
        } finally {
            for (int i = 0; i < sessions; i++) {
                if (fresh[i] != null) {
                    try {
                        rest.get(i % masters).deleteSession(fresh[i]);
                    } catch (Exception e) {
                        // Cleanup only: a session that is already gone or a master that is down changes no figure.
                    }
                }
                if (clients[i] != null) {
                    clients[i].close();
                }
            }
        }
    }

    /** A socket whose events are not read here: they are dropped as they come so the bounded queue never fills. */
    private static SignallingClient openDroppingEvents(java.net.URI webSocket) throws Exception {
        AtomicReference<SignallingClient> self = new AtomicReference<>();
        SignallingClient client = SignallingClient.builder(webSocket).eventQueueCapacity(64).onEvent(e -> {
            SignallingClient c = self.get();
            if (c != null) {
                c.events().clear();
            }
        }).connect();
        self.set(client);
        return client;
    }

    private ControlPlaneResult.Phase phase(String operation, int concurrency, int count, PhaseRunner.Step step)
            throws InterruptedException {
        return runner.run(operation, concurrency, count, idle, step);
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
