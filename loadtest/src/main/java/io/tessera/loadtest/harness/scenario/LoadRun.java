package io.tessera.loadtest.harness.scenario;

import io.tessera.wire.sdp.PlainRtpAnswer;

import io.tessera.client.JoinResult;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.ReconnectPolicy;
import io.tessera.client.SignallingClient;
import io.tessera.client.rest.Connection;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import io.tessera.loadtest.harness.chaos.ChaosRunner;
import io.tessera.loadtest.harness.measure.ErrorTally;
import io.tessera.loadtest.harness.measure.GapLog;
import io.tessera.loadtest.harness.measure.MediaWatch;
import io.tessera.loadtest.harness.measure.Measurements;
import io.tessera.loadtest.harness.measure.ProcessSampler;
import io.tessera.loadtest.harness.report.BrowserResult;
import io.tessera.loadtest.harness.report.ResultBuilder;
import io.tessera.loadtest.harness.report.RunResult;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One load run: ramps participants in at the join rate, publishes and subscribes as the topology says, applies
 * the chaos schedule, holds the load for the duration, then tears down and builds the {@link RunResult}.
 */
public final class LoadRun {
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(15);
    private static final int JOIN_ATTEMPTS = 3;
    private static final ReconnectPolicy RECONNECT = ReconnectPolicy.builder().initialBackoff(Duration.ofMillis(50))
            .maxBackoff(Duration.ofSeconds(1)).maxTotalTime(Duration.ofSeconds(30))
            .attemptTimeout(Duration.ofSeconds(2)).build();

    private final HarnessConfig cfg;
    private final Progress progress;
    private final Measurements m = new Measurements();
    private final io.tessera.loadtest.harness.measure.RecoveryStages stages =
            new io.tessera.loadtest.harness.measure.RecoveryStages(m.clock);
    private final ApplicationServer rest;
    private final List<URI> webSockets;
    private final InetAddress clientAddress;
    private final List<SimulatedParticipant> participants = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService samplers = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "loadtest-sampler");
        t.setDaemon(true);
        return t;
    });
    private final List<long[]> mediaRate = new CopyOnWriteArrayList<>();
    private final List<long[]> participantsOverTime = new CopyOnWriteArrayList<>();
    private volatile String phase = "setup";
    private RtpReactor reactor;
    private MediaWatch media;
    private ProcessSampler processes;
    private BrowserClients browsers;

    public LoadRun(HarnessConfig cfg, Progress progress) throws java.net.UnknownHostException {
        this.cfg = cfg;
        this.progress = progress;
        this.rest = new ApplicationServer(cfg.masters(), cfg.secret());
        this.webSockets = cfg.masters().stream().map(HarnessConfig::webSocketUri).toList();
        this.clientAddress = InetAddress.getByName(cfg.clientHost());
        // Bounded: at most one task per planned participant and subscription is ever queued.
        this.workers = new ThreadPoolExecutor(cfg.workers(), cfg.workers(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(cfg.plannedParticipants() + cfg.plannedSubscriptions() + cfg.sessions() + 16),
                r -> new Thread(r, "loadtest-worker"));
    }

    /** Runs the whole scenario; never throws for what the cluster does (that is measured), only for bugs. */
    public RunResult run() throws Exception {
        String startedAt = java.time.Instant.now().toString();
        // The harness shares its cores with the cluster it measures: at a fault, its own control work (hundreds of
        // reconnects) once starved this thread, and its pauses in sending and reading were counted as the cluster's
        // media gaps. Above the other threads it measures the cluster (BENCHMARKS.md, "The survivor downed").
        reactor = new RtpReactor("loadtest-rtp", 65_536, Thread.MAX_PRIORITY);
        reportRtpPriority(reactor.osNiceValue());
        media = new MediaWatch(m.clock, gapThreshold(), m.firstPacket);
        processes = cfg.pids() == null ? null : new ProcessSampler(cfg.pids(), m.clock);
        ChaosRunner chaos = new ChaosRunner(cfg.chaos(), cfg.chaosExecutor(), m.clock, m.faults,
                what -> progress.note(String.format("%6.1fs chaos: %s", m.clock.millisNow() / 1000.0, what)));
        long durationMs = cfg.duration().toMillis();
        try {
            samplers.scheduleAtFixedRate(this::pollMedia, 100, 100, TimeUnit.MILLISECONDS);
            samplers.scheduleAtFixedRate(this::everySecond, 1000, 1000, TimeUnit.MILLISECONDS);
            samplers.scheduleAtFixedRate(() -> progress.counters(m.clock.millisNow(), counters()), 500, 500,
                    TimeUnit.MILLISECONDS);
            enterPhase("ramp", durationMs);
            chaos.start();
            CompletableFuture<Void> browsersJoined = startBrowsers();
            ramp();
            awaitBrowsers(browsersJoined);
            enterPhase("steady", durationMs);
            long left = durationMs - m.clock.millisNow();
            if (left > 0) {
                // The load runs for its duration: this is the measured period, not a wait for a condition.
                Thread.sleep(left);
            }
            enterPhase("teardown", durationMs);
            chaos.close();
            // Last poll with the publishers still sending, so that stopping them is not counted as a media gap.
            samplers.shutdown();
            samplers.awaitTermination(5, TimeUnit.SECONDS);
            pollMedia();
            participants.forEach(SimulatedParticipant::stopPublishing);
            String loadAverage = loadAverage();
            Files.createDirectories(cfg.outputDir());
            GapLog.write(media.gaps(), cfg.outputDir().resolve(GapLog.FILE));
            BrowserResult browserResult = browsers == null ? BrowserResult.NONE : browsers.result(m.faults.all());
            RunResult result = ResultBuilder.build(cfg, m, media, processes, mediaRate, participantsOverTime,
                    startedAt, loadAverage, browserResult);
            printClientStage();
            teardown();
            return result;
        } finally {
            chaos.cancelPending();
            samplers.shutdownNow();
            workers.shutdownNow();
            participants.forEach(SimulatedParticipant::close);
            reactor.close();
            if (browsers != null) {
                browsers.close();
            }
        }
    }

    /**
     * The chromium pages join on a thread of their own while the synthetic ramp goes on (a page takes seconds to
     * load, join and publish); none when the plan has no browsers.
     */
    private CompletableFuture<Void> startBrowsers() {
        if (cfg.browsers().count() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        browsers = new BrowserClients(cfg, rest, m);
        CompletableFuture<Void> joined = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                browsers.start();
                joined.complete(null);
            } catch (RuntimeException e) {
                joined.completeExceptionally(e);
            }
        }, "loadtest-chromium");
        starter.setDaemon(true);
        starter.start();
        return joined;
    }

    /** The pages are part of the load: the steady phase starts once they joined (or failed to), within the run. */
    private void awaitBrowsers(CompletableFuture<Void> joined) throws InterruptedException {
        try {
            joined.get(Math.max(1, cfg.duration().toMillis() - m.clock.millisNow()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            m.errors.add(ErrorTally.kindOf("chromium", e.getCause()), ErrorTally.messageOf(e.getCause()));
        } catch (java.util.concurrent.TimeoutException e) {
            m.errors.add("chromium:cut-short", "the duration ended before every chromium page joined");
        }
    }

    private Duration gapThreshold() {
        if (cfg.gapThreshold() != null) {
            return cfg.gapThreshold();
        }
        // Five packet intervals, at least 300 ms: scheduling hiccups on a loaded machine are not gaps.
        long interval = 1000L / cfg.media().packetsPerSecond();
        return Duration.ofMillis(Math.max(300, 5 * interval));
    }

    private void enterPhase(String name, long plannedMillis) {
        phase = name;
        progress.phase(name, m.clock.millisNow(), plannedMillis);
    }

    private String counters() {
        return String.format("%s | sessions %d/%d joined %d/%d subs %d/%d resumes %d errors %d | media %d pkts",
                phase, m.sessionsCreated.get(), cfg.sessions(), m.joined.get(), cfg.plannedParticipants(),
                m.subscribed.get(), cfg.plannedSubscriptions(), m.resume.count(), m.errors.total(),
                media.totalReceived());
    }

    // ---------------------------------------------------------------- ramp

    /** Starts one participant every 1/rate seconds; each runs its steps on the worker pool. */
    private void ramp() throws InterruptedException {
        long intervalNanos = (long) (1e9 / cfg.joinsPerSecond());
        long next = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int s = 0; s < cfg.sessions(); s++) {
            SimulatedSession session = new SimulatedSession(cfg.runName() + "-s" + s, s, cfg.topology());
            CompletableFuture.runAsync(() -> createSession(session), workers);
            for (int i = 0; i < cfg.participants(); i++) {
                // Pacing the join rate: parking until the next slot is the point, there is no condition to await.
                LockSupport.parkNanos(next - System.nanoTime());
                next += intervalNanos;
                SimulatedParticipant p = new SimulatedParticipant(session, i);
                participants.add(p);
                all.add(CompletableFuture.runAsync(() -> runParticipant(p), workers));
                if (m.clock.millisNow() > cfg.duration().toMillis()) {
                    m.errors.add("ramp:cut-short", "the duration ended before the ramp did");
                    return;
                }
            }
        }
        // The ramp is over when every participant has joined and made its media (or failed to).
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .get(Math.max(1, cfg.duration().toMillis() - m.clock.millisNow()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // Failures were counted where they happened; stragglers go on during the steady phase.
        }
    }

    private void createSession(SimulatedSession session) {
        long start = System.nanoTime();
        try {
            ApplicationServer.Answer<?> a = rest.createSession(session.index, session.id);
            m.sessionCreate.record(m.clock.millisNow(), Duration.ofNanos(System.nanoTime() - start));
            m.restFailovers.addAndGet(a.failovers());
            m.sessionsCreated.incrementAndGet();
            session.created.complete(null);
        } catch (Exception e) {
            m.errors.add(ErrorTally.kindOf("sessionCreate", e), ErrorTally.messageOf(e));
            session.created.completeExceptionally(e);
        }
    }

    private void runParticipant(SimulatedParticipant p) {
        String stage = "sessionCreate";
        try {
            session(p).created.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            stage = "join";
            join(p);
            for (SimulatedSession.Pairing pairing : p.session.onJoined(p)) {
                subscribe(pairing);
            }
            if (p.index < cfg.publishers()) {
                stage = "publish";
                String stream = publish(p);
                for (SimulatedSession.Pairing pairing : p.session.onPublished(p, stream)) {
                    workers.execute(() -> subscribe(pairing));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            if (!stage.equals("sessionCreate")) {
                m.errors.add(ErrorTally.kindOf(stage, e), ErrorTally.messageOf(e));
            } else {
                m.errors.add("join:session-not-created", ErrorTally.messageOf(e));
            }
        } catch (Exception e) {
            m.errors.add(ErrorTally.kindOf(stage, e), ErrorTally.messageOf(e));
        }
    }

    private static SimulatedSession session(SimulatedParticipant p) {
        return p.session;
    }

    /** Token over REST from the session's master, then WebSocket + joinRoom through this participant's master. */
    private void join(SimulatedParticipant p) throws Exception {
        int global = p.session.index * cfg.participants() + p.index;
        int firstMaster = global % webSockets.size();
        Exception last = null;
        for (int attempt = 1; attempt <= JOIN_ATTEMPTS; attempt++) {
            // A retry goes to the next master: the first one may be the master that just died.
            int masterIndex = (firstMaster + attempt - 1) % webSockets.size();
            URI via = webSockets.get(masterIndex);
            List<URI> others = new ArrayList<>();
            for (int k = 1; k < webSockets.size(); k++) {
                others.add(webSockets.get((masterIndex + k) % webSockets.size()));
            }
            if (attempt > 1) {
                m.joinRetries.incrementAndGet();
                // Backoff before retrying a join the cluster refused (e.g. a token not replicated yet).
                Thread.sleep(200L * attempt);
            }
            long tokenStart = System.nanoTime();
            ApplicationServer.Answer<Connection> con = rest.createConnection(p.session.index, p.session.id, p.name);
            m.connectionCreate.record(m.clock.millisNow(), Duration.ofNanos(System.nanoTime() - tokenStart));
            m.restFailovers.addAndGet(con.failovers());
            String token = con.value().token();
            long startNanos = System.nanoTime();
            long startMillis = m.clock.millisNow();
            SignallingClient client = null;
            // The harness reads no events: drain the SDK's bounded queue as they arrive so it never fills.
            java.util.concurrent.atomic.AtomicReference<SignallingClient> self = new java.util.concurrent.atomic.AtomicReference<>();
            try {
                client = SignallingClient.builder(via)
                        .failoverUris(others)
                        .reconnect(RECONNECT)
                        .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3))
                        .eventQueueCapacity(256)
                        .onEvent(e -> {
                            noteStage(p, e.method());
                            SignallingClient c = self.get();
                            if (c != null) {
                                c.events().clear();
                            }
                        })
                        .onReconnected(info -> m.resumed())
                        .onDisconnected(d -> {
                            m.disconnected.incrementAndGet();
                            m.errors.add("disconnected:" + d.reason(), d.detail());
                        })
                        .connect();
                self.set(client);
                io.tessera.client.MediaRecovery recovery = io.tessera.client.MediaRecovery.attach(client);
                JoinResult joined = client.joinRoom(token, "{\"clientData\":\"" + p.name + "\"}")
                        .get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                p.connectionId = joined.connectionId();
                p.media = recovery
                        .onResubscribed(r -> {
                            stages.note(p.name, io.tessera.loadtest.harness.measure.RecoveryStages.Step.RESUBSCRIBED);
                            RtpReceiver sink = p.receiverByPublisher.get(r.publisherConnectionId());
                            if (sink != null) {
                                sink.remote(PlainRtpAnswer.parse(r.sdpAnswer()));
                            }
                        })
                        .onFailure(e -> m.errors.add(ErrorTally.kindOf("media-recovery", e), ErrorTally.messageOf(e)));
                p.client = client;
                m.joinDone(via.getAuthority(), startMillis, Duration.ofNanos(System.nanoTime() - startNanos));
                return;
            } catch (Exception e) {
                if (client != null) {
                    client.close();
                }
                last = e;
            }
        }
        throw last;
    }

    private String publish(SimulatedParticipant p) throws Exception {
        SyntheticPublisher source = SyntheticPublisher.builder(reactor).localAddress(clientAddress)
                .packetsPerSecond(cfg.media().packetsPerSecond()).packetSize(cfg.media().packetSize()).bind();
        p.publisher = source;
        long start = System.nanoTime();
        p.media.onRepublished(r -> {
            stages.note(p.name, io.tessera.loadtest.harness.measure.RecoveryStages.Step.REPUBLISHED);
            source.retarget(PlainRtpAnswer.parse(r.sdpAnswer()));
        });
        PublishResult published = p.media.publish(PublishOptions.camera(source.sdpOffer()))
                .get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        m.publish.record(m.clock.millisNow(), Duration.ofNanos(System.nanoTime() - start));
        source.start(PlainRtpAnswer.parse(published.sdpAnswer()));
        m.published.incrementAndGet();
        return published.streamId();
    }

    private void subscribe(SimulatedSession.Pairing pairing) {
        SimulatedParticipant p = pairing.subscriber();
        try {
            // Small latency histograms: the watch copies each receiver's stats ten times a second.
            RtpReceiver sink = RtpReceiver.builder(reactor).localAddress(clientAddress)
                    .latencyHistogram(60_000_000L, 1).bind();
            p.receivers.add(sink);
            long start = System.nanoTime();
            media.watch(p.name + "<" + pairing.publisher().index, sink);
            p.receiverByPublisher.put(pairing.publisher().connectionId, sink);
            String answer = p.media.subscribe(pairing.publisher().connectionId, pairing.streamId(), sink.sdpOffer(96, "VP8"))
                    .get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            sink.remote(PlainRtpAnswer.parse(answer));
            m.subscribe.record(m.clock.millisNow(), Duration.ofNanos(System.nanoTime() - start));
            m.subscribed.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            m.errors.add(ErrorTally.kindOf("subscribe", e), ErrorTally.messageOf(e));
        }
    }

    /** The client-stage steps the events mark: the failure, and a publisher's stream again. */
    private void noteStage(SimulatedParticipant p, String method) {
        switch (method) {
            case "mediaNodeFailed" -> stages.note(p.name, io.tessera.loadtest.harness.measure.RecoveryStages.Step.FAILED);
            case "participantPublished", "forciblyReconnectSubscriber" ->
                    stages.note(p.name, io.tessera.loadtest.harness.measure.RecoveryStages.Step.STREAM_AGAIN);
            default -> {
                // not a step of the client stage
            }
        }
    }

    /** The client stage of the first media fault, step by step, on standard output (docs/BENCHMARKS.md). */
    private void printClientStage() {
        m.faults.all().stream().filter(f -> f.isMedia() && f.interrupts()).findFirst().ifPresent(f -> {
            // the fault's wall-clock instant, to line the nodes' logs up with it
            System.out.println("fault " + f.action() + " at " + m.clock.startWall().plusMillis(f.atMillis()));
            System.out.print(stages.summary(f.atMillis(), media.gaps(), ResultBuilder.FAULT_WINDOW_BEFORE_MS,
                    ResultBuilder.FAULT_WINDOW_AFTER_MS));
        });
    }

    // ---------------------------------------------------------------- samplers

    private void pollMedia() {
        try {
            media.poll();
        } catch (RuntimeException e) {
            m.errors.add("harness:media-poll", e.toString());
        }
    }

    private long lastMediaTotal;

    private void everySecond() {
        long second = m.clock.millisNow() / 1000;
        long total = media.totalReceived();
        if (mediaRate.size() < 7200) {
            mediaRate.add(new long[] {second, total - lastMediaTotal});
            participantsOverTime.add(new long[] {second, m.joined.get()});
        }
        lastMediaTotal = total;
        if (browsers != null) {
            browsers.sample(second);
        }
        if (processes != null) {
            processes.sample();
        }
    }

    // ---------------------------------------------------------------- teardown

    private void teardown() {
        enterPhase("leave", cfg.duration().toMillis());
        List<CompletableFuture<Void>> leaving = participants.stream()
                .map(p -> CompletableFuture.runAsync(p::leave, workers)).toList();
        try {
            CompletableFuture.allOf(leaving.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: closing the sockets below ends the sessions anyway
        }
    }

    /** One line on stderr: whether the OS honoured the RTP thread's raised priority (and how to make it so). */
    private static void reportRtpPriority(java.util.OptionalInt nice) {
        if (nice.isPresent() && nice.getAsInt() < 0) {
            System.err.printf("RTP thread runs at nice %d (raised above the harness's other threads)%n", nice.getAsInt());
        } else {
            System.err.printf("RTP thread runs at nice %s, not raised: on a machine shared with the cluster, start the"
                    + " harness JVM with -XX:ThreadPriorityPolicy=1 as root (or with CAP_SYS_NICE), or its own stalls"
                    + " count as media gaps%n", nice.isPresent() ? Integer.toString(nice.getAsInt()) : "unknown");
        }
    }

    /** {@code /proc/loadavg}'s three load averages, to put the numbers in context. */
    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }
}
