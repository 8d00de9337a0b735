package io.tessera.media.webrtc.janus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one Janus as a child process of the media node and keeps it running.
 *
 * <p>{@link #start} writes Janus's configuration (see {@link JanusConfigWriter}), starts {@code janus} and returns
 * once its WebSocket API answers a {@code ping}. When Janus dies, it is started again after a growing delay
 * ({@link RestartPolicy}); past the policy's bound within its window the supervisor gives up and says so, because a
 * Janus that keeps crashing needs a person, not a loop. {@link #close} stops Janus (SIGTERM, then SIGKILL) and waits
 * for it; a JVM shutdown hook does the same if the node exits without closing it, and a Janus left over by a node
 * that was killed outright is found by its pid file and stopped at the next start (the node keeps one work directory
 * for that, {@link JanusWorkDir}).
 *
 * <p>Every restart is a new Janus with no sessions: whoever held a {@link JanusClient} to the old one must connect
 * again and rebuild what it needs ({@link Listener#onRestarted}).
 */
public final class JanusProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JanusProcess.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(100);
    static final long LOG_ROTATE_BYTES = 16L * 1024 * 1024;

    /** How often Janus may die before the supervisor stops restarting it. */
    public record RestartPolicy(int maxRestarts, Duration window, Duration firstDelay, Duration maxDelay) {
        public static RestartPolicy defaults() {
            return new RestartPolicy(5, Duration.ofMinutes(5), Duration.ofMillis(500), Duration.ofSeconds(10));
        }

        Duration delay(int restartsInWindow) {
            long millis = firstDelay.toMillis() << Math.min(restartsInWindow, 20);
            return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
        }
    }

    /** Hears about Janus's life; called on the supervisor's thread. */
    public interface Listener {
        /** A new Janus answers after the previous one died: the old sessions and handles are gone. */
        void onRestarted(int restartCount);

        /** Janus died more often than the policy allows and stays down. */
        void onGaveUp(String reason);

        Listener IGNORE = new Listener() {
            @Override
            public void onRestarted(int restartCount) {
            }

            @Override
            public void onGaveUp(String reason) {
            }
        };
    }

    private final JanusSettings settings;
    private final RestartPolicy policy;
    private final Listener listener;
    private final JanusConfigWriter.Secrets secrets;
    private final Path configFile;
    private final Path pidFile;
    private final Path logFile;
    private final ScheduledExecutorService supervisor;
    private final Thread shutdownHook;
    private final Deque<Instant> recentRestarts = new ArrayDeque<>();
    private volatile Process process;
    private volatile boolean closed;
    private volatile boolean gaveUp;
    private volatile int restarts;

    private JanusProcess(JanusSettings settings, RestartPolicy policy, Listener listener) throws IOException {
        this.settings = settings;
        this.policy = policy;
        this.listener = listener;
        this.secrets = new JanusConfigWriter.Secrets(randomSecret(), randomSecret());
        this.configFile = JanusConfigWriter.write(settings, secrets);
        this.pidFile = settings.workDir().resolve("janus.pid");
        this.logFile = settings.workDir().resolve("janus.log");
        this.supervisor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "janus-supervisor");
            thread.setDaemon(true);
            return thread;
        });
        // Marks the supervisor closed first: a Janus stopped because the node exits is not one to restart.
        this.shutdownHook = new Thread(() -> {
            closed = true;
            stopProcess();
        }, "janus-stop-on-exit");
    }

    /**
     * Starts Janus and waits until its WebSocket API answers.
     *
     * @throws IOException when Janus cannot be started or does not answer within the start timeout (it is stopped)
     */
    public static JanusProcess start(JanusSettings settings, RestartPolicy policy, Listener listener)
            throws IOException {
        if (!Files.isExecutable(settings.binary())) {
            throw new IOException("the Janus binary " + settings.binary() + " is missing or not executable "
                    + "(install the 'janus' package or set TESSERA_JANUS_BINARY)");
        }
        if (settings.iceEnforceList().isPresent()) {
            IceEnforceCheck.requireMatch(settings.iceEnforceList().get());
        }
        JanusProcess janus = new JanusProcess(settings, policy, listener);
        janus.stopLeftover();
        Runtime.getRuntime().addShutdownHook(janus.shutdownHook);
        try {
            janus.launchAndAwait();
        } catch (IOException | RuntimeException e) {
            janus.close();
            throw e;
        }
        return janus;
    }

    /** The WebSocket API, on loopback. */
    public URI apiUri() {
        return URI.create("ws://127.0.0.1:" + settings.wsPort());
    }

    /** The admin WebSocket API, on loopback, when the settings turn it on. */
    public Optional<URI> adminUri() {
        return settings.adminWsPort() == 0 ? Optional.empty()
                : Optional.of(URI.create("ws://127.0.0.1:" + settings.adminWsPort()));
    }

    /** Options for a {@link JanusClient} of this Janus (with its API secret). */
    public JanusClient.Options clientOptions() {
        return JanusClient.Options.defaults(Optional.of(secrets.apiSecret()));
    }

    /** The admin API's secret of this run; never log it. */
    public String adminSecret() {
        return secrets.adminSecret();
    }

    /** The pid of the running Janus, if one runs. */
    public Optional<Long> pid() {
        Process current = process;
        return current != null && current.isAlive() ? Optional.of(current.pid()) : Optional.empty();
    }

    public boolean isRunning() {
        return pid().isPresent();
    }

    /** How often Janus was started again after dying. */
    public int restarts() {
        return restarts;
    }

    public boolean gaveUp() {
        return gaveUp;
    }

    public Path logFile() {
        return logFile;
    }

    @Override
    public void close() {
        closed = true;
        supervisor.shutdownNow();
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) anyway
        }
    }

    // --- internals ---

    private void launchAndAwait() throws IOException {
        keepLogBounded();
        ProcessBuilder builder = new ProcessBuilder(List.of(settings.binary().toString(),
                "--config=" + configFile, "--configs-folder=" + configFile.getParent()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Process started = builder.start();
        process = started;
        Files.writeString(pidFile, Long.toString(started.pid()), StandardCharsets.US_ASCII);
        log.info("Janus started (pid {}), API on {}, media ports {}-{}, log {}", started.pid(), apiUri(),
                settings.rtpPortMin(), settings.rtpPortMax(), logFile);
        awaitAnswer(started);
        started.onExit().thenRun(() -> onExit(started));
    }

    private void awaitAnswer(Process started) throws IOException {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        String lastError = "no answer";
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IOException("Janus exited with status " + started.exitValue() + " while starting; see "
                        + logFile);
            }
            try (JanusProbe probe = JanusProbe.connect(apiUri(), secrets.apiSecret())) {
                return;
            } catch (JanusException | IOException e) {
                lastError = e.getMessage();
            }
            try {
                Thread.sleep(PROBE_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for Janus", e);
            }
        }
        throw new IOException("Janus did not answer on " + apiUri() + " within " + settings.startTimeout() + " ("
                + lastError + "); see " + logFile);
    }

    private void onExit(Process exited) {
        if (closed || exited != process) {
            return;
        }
        Instant now = Instant.now();
        synchronized (recentRestarts) {
            while (!recentRestarts.isEmpty() && recentRestarts.peekFirst().isBefore(now.minus(policy.window()))) {
                recentRestarts.removeFirst();
            }
            if (recentRestarts.size() >= policy.maxRestarts()) {
                gaveUp = true;
                String reason = "Janus died " + (recentRestarts.size() + 1) + " times within " + policy.window()
                        + " (last exit status " + exited.exitValue() + "); not restarting it; see " + logFile;
                log.error(reason);
                listener.onGaveUp(reason);
                return;
            }
            recentRestarts.addLast(now);
        }
        Duration delay = policy.delay(recentRestarts.size() - 1);
        log.warn("Janus (pid {}) exited with status {}; restarting it in {} ms", exited.pid(), exited.exitValue(),
                delay.toMillis());
        try {
            supervisor.schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed meanwhile
        }
    }

    private void restart() {
        if (closed) {
            return;
        }
        try {
            launchAndAwait();
            restarts++;
            log.info("Janus restarted ({} restarts so far)", restarts);
            listener.onRestarted(restarts);
        } catch (IOException e) {
            log.warn("Janus restart failed: {}", e.getMessage());
            Process failed = process;
            if (failed != null) {
                failed.destroyForcibly();
                failed.onExit().thenRun(() -> onExit(failed));
            }
        }
    }

    private void stopProcess() {
        Process current = process;
        if (current == null) {
            return;
        }
        stop(current.toHandle());
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", pidFile, e.getMessage());
        }
    }

    private static void stop(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            handle.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("Janus (pid {}) did not stop within {}; killing it", handle.pid(), STOP_GRACE);
            handle.destroyForcibly();
            handle.onExit().orTimeout(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handle.destroyForcibly();
        } catch (ExecutionException e) {
            handle.destroyForcibly();
        }
    }

    /**
     * The work directory outlives the node ({@link JanusWorkDir}) and every launch appends to {@code janus.log}: past
     * {@link #LOG_ROTATE_BYTES} it becomes {@code janus.log.1} (the one before is dropped), so restarts keep at most
     * two logs.
     */
    private void keepLogBounded() {
        try {
            if (Files.isRegularFile(logFile) && Files.size(logFile) > LOG_ROTATE_BYTES) {
                Files.move(logFile, logFile.resolveSibling(logFile.getFileName() + ".1"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.warn("cannot rotate {}: {}", logFile, e.getMessage());
        }
    }

    /** A node killed outright leaves its Janus running: stop it if its pid file names a janus using our config. */
    private void stopLeftover() throws IOException {
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
        Files.deleteIfExists(pidFile);
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            return;
        }
        ProcessHandle.of(pid)
                .filter(handle -> handle.info().commandLine().map(line -> line.contains(configFile.toString()))
                        .orElse(false))
                .ifPresent(handle -> {
                    log.warn("stopping a Janus (pid {}) left over by an earlier run of this node", pid);
                    stop(handle);
                });
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A short-lived connection that proves Janus's API answers. */
    private static final class JanusProbe implements AutoCloseable {
        private final JanusClient client;

        private JanusProbe(JanusClient client) {
            this.client = client;
        }

        static JanusProbe connect(URI uri, String apiSecret) throws IOException {
            CompletableFuture<JanusClient> connecting = JanusClient.connect(uri,
                    new JanusClient.Options(Duration.ofSeconds(2), 4, Optional.of(apiSecret)),
                    JanusEvent.Listener.IGNORE);
            try {
                JanusClient client = connecting.get(3, TimeUnit.SECONDS);
                return new JanusProbe(client);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IOException(e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                connecting.cancel(true);
                throw new IOException("no answer within 3 s", e);
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
