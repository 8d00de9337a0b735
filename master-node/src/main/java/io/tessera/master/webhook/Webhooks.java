package io.tessera.master.webhook;

import com.typesafe.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@link WebhookEvent}s to the configured HTTP endpoints (POST, {@code Content-Type: application/json}), as
 * OpenVidu's webhook does, without ever holding up the caller.
 * <ul>
 *   <li>{@link #publish} is thread-safe and non-blocking: it takes a short lock, appends the event to each endpoint's
 *       bounded queue and returns. When a queue is full its oldest event is dropped and counted; it never grows and
 *       never waits for the network.</li>
 *   <li>Each endpoint sends at most {@code concurrency} requests at once, taking events from its queue in publish
 *       order. With {@code concurrency = 1} (the default) an endpoint gets the next event only after the previous one
 *       was delivered or given up, so it receives events in publish order.</li>
 *   <li>A 2xx answer is success. 5xx, 408, 429, a timeout or a connection error is retried after
 *       {@code initial-backoff × 2^(n-1)} (capped at {@code max-backoff}; the wait is drawn between half and all of it),
 *       up to {@code max-attempts} attempts in all. Any other answer (4xx, 3xx: redirects are not followed) fails at
 *       once. Failures are counted and logged at most once per 10 s per endpoint.</li>
 *   <li>Best effort, possibly twice: a request that timed out may have reached the receiver, and its retry then
 *       delivers it again. Events in the queue are lost if the master dies.</li>
 * </ul>
 * Header values (they may hold secrets) are never logged; URLs are logged without user info and query.
 */
public final class Webhooks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * Totals over all endpoints; an event sent to two endpoints counts twice.
     *
     * @param delivered events an endpoint answered 2xx to
     * @param failed    events given up: a non-retryable answer, or the last attempt failed
     * @param retried   attempts after the first (retries scheduled)
     * @param dropped   events thrown away unsent: queue full (the oldest goes), published after or left at close
     * @param queued    events waiting in the queues now
     * @param inFlight  events being sent or waiting for a retry now
     */
    public record Counters(long delivered, long failed, long retried, long dropped, long queued, long inFlight) {
    }

    private static final Webhooks NOOP = new Webhooks();

    private final WebhookSettings settings;
    private final List<Endpoint> endpoints;
    private final HttpClient client;
    private final ScheduledThreadPoolExecutor scheduler;
    private final Object drainMonitor = new Object();
    private volatile boolean closed;
    private volatile boolean stopped;

    private Webhooks() {
        this.settings = null;
        this.endpoints = List.of();
        this.client = null;
        this.scheduler = null;
        this.closed = true;
        this.stopped = true;
    }

    private Webhooks(WebhookSettings settings) {
        this.settings = settings;
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tessera-webhooks");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.requestTimeout())
                .build();
        List<Endpoint> list = new ArrayList<>();
        for (URI uri : settings.endpoints()) {
            list.add(new Endpoint(uri, settings.headers()));
        }
        this.endpoints = List.copyOf(list);
    }

    /** A dispatcher that sends nothing and starts no thread. */
    public static Webhooks noop() {
        return NOOP;
    }

    /** A dispatcher for these settings; the no-op one when they name no endpoint. */
    public static Webhooks create(WebhookSettings settings) {
        if (settings.endpoints().isEmpty()) {
            return NOOP;
        }
        Webhooks w = new Webhooks(settings);
        log.info("webhooks on: {}", settings);
        return w;
    }

    /** From the {@code tessera.master.webhook} block: see {@link WebhookSettings#fromConfig}. */
    public static Webhooks fromConfig(Config webhook) {
        return create(WebhookSettings.fromConfig(webhook));
    }

    /** False for the no-op dispatcher. */
    public boolean enabled() {
        return !endpoints.isEmpty();
    }

    /**
     * Queues the event for every endpoint, unless the allow-list leaves it out. Never blocks on I/O, never throws for
     * a delivery problem; safe from any thread (actors included).
     */
    public void publish(WebhookEvent event) {
        if (event == null || endpoints.isEmpty()) {
            return;
        }
        if (!settings.events().isEmpty() && !settings.events().contains(event.event())) {
            return;
        }
        Outgoing outgoing = new Outgoing(event);
        for (Endpoint endpoint : endpoints) {
            endpoint.offer(outgoing);
        }
    }

    /** Totals so far (each endpoint's share read consistently; endpoints one after the other). */
    public Counters counters() {
        long delivered = 0;
        long failed = 0;
        long retried = 0;
        long dropped = 0;
        long queued = 0;
        long inFlight = 0;
        for (Endpoint e : endpoints) {
            synchronized (e) {
                delivered += e.delivered;
                failed += e.failed;
                retried += e.retried;
                dropped += e.dropped;
                queued += e.queue.size();
                inFlight += e.inFlight;
            }
        }
        return new Counters(delivered, failed, retried, dropped, queued, inFlight);
    }

    /**
     * Stops taking events (later ones are counted dropped), lets the queues drain for up to
     * {@code shutdown-timeout}, then stops: events still queued or waiting for a retry are counted dropped. A request
     * on the wire at that moment still completes and is counted. Idempotent.
     */
    @Override
    public void close() {
        if (endpoints.isEmpty() || closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        synchronized (drainMonitor) {
            while (!idle()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drainMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        stopped = true;
        scheduler.shutdownNow();
        long abandoned = 0;
        for (Endpoint e : endpoints) {
            synchronized (e) {
                abandoned += e.queue.size() + e.waiting;
                e.dropped += e.queue.size() + e.waiting;
                e.inFlight -= e.waiting;
                e.waiting = 0;
                e.queue.clear();
            }
        }
        Counters c = counters();
        log.info("webhooks stopped: delivered {}, failed {}, retried {}, dropped {} ({} left unsent at close)",
                c.delivered(), c.failed(), c.retried(), c.dropped(), abandoned);
    }

    private boolean idle() {
        for (Endpoint e : endpoints) {
            synchronized (e) {
                if (!e.queue.isEmpty() || e.inFlight > 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private void signalProgress() {
        if (closed) {
            synchronized (drainMonitor) {
                drainMonitor.notifyAll();
            }
        }
    }

    /** Delay before retry number {@code failedAttempt} (1 = after the first attempt): equal jitter. */
    static long backoffMillis(int failedAttempt, Duration initial, Duration max) {
        long cap = max.toMillis();
        long base = initial.toMillis();
        for (int i = 1; i < failedAttempt && base < cap; i++) {
            base *= 2;
        }
        base = Math.min(base, cap);
        long half = base / 2;
        return half + ThreadLocalRandom.current().nextLong(base - half + 1);
    }

    static boolean retryable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    /** {@code scheme://host[:port]/path}: no user info, no query (both may hold secrets). */
    static String redact(URI uri) {
        if (uri == null) {
            return "null";
        }
        if (uri.getHost() == null) {
            return "<unparsable URL>";
        }
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    /** One event on its way to every endpoint; the body is written once, by the first endpoint that sends it. */
    private static final class Outgoing {
        final WebhookEvent event;
        private volatile byte[] body;

        Outgoing(WebhookEvent event) {
            this.event = event;
        }

        byte[] body() {
            byte[] b = body;
            if (b == null) {
                b = event.toJsonBytes();
                body = b;
            }
            return b;
        }
    }

    /** One URL: its queue, its requests in flight and its counters, all guarded by {@code this}. */
    private final class Endpoint {
        final URI uri;
        final String name;
        final Map<String, String> headers;
        final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
        int inFlight;
        int waiting;
        boolean pumpScheduled;
        long delivered;
        long failed;
        long retried;
        long dropped;
        long lastDropLog;
        long lastFailureLog;
        boolean droppedSinceLog;

        Endpoint(URI configured, Map<String, String> common) {
            Map<String, String> h = new LinkedHashMap<>(common);
            URI target = configured;
            if (configured.getRawUserInfo() != null) {
                if (h.keySet().stream().noneMatch("Authorization"::equalsIgnoreCase)) {
                    String userInfo = java.net.URLDecoder.decode(configured.getRawUserInfo(), StandardCharsets.UTF_8);
                    h.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            userInfo.getBytes(StandardCharsets.UTF_8)));
                }
                try {
                    target = new URI(configured.getScheme(), null, configured.getHost(), configured.getPort(),
                            configured.getPath(), configured.getQuery(), configured.getFragment());
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("malformed webhook URL " + redact(configured));
                }
            }
            this.uri = target;
            this.name = redact(target);
            this.headers = Map.copyOf(h);
            long now = System.nanoTime();
            this.lastDropLog = now - LOG_INTERVAL_NANOS;
            this.lastFailureLog = now - LOG_INTERVAL_NANOS;
        }

        void offer(Outgoing o) {
            boolean logDrop = false;
            synchronized (this) {
                if (closed) {
                    dropped++;
                    return;
                }
                if (queue.size() >= settings.queueSize()) {
                    queue.pollFirst();
                    dropped++;
                    long now = System.nanoTime();
                    if (now - lastDropLog >= LOG_INTERVAL_NANOS) {
                        lastDropLog = now;
                        logDrop = true;
                    }
                }
                queue.addLast(o);
            }
            if (logDrop) {
                log.warn("webhook queue for {} full ({} events): dropping the oldest (total dropped {})", name,
                        settings.queueSize(), droppedCount());
            }
            schedulePump();
        }

        /**
         * Runs {@link #pump} on the scheduler thread unless a pump is already pending or running: the caller (an
         * actor, an HTTP client thread) never sends, and a send that fails at once cannot recurse.
         */
        void schedulePump() {
            synchronized (this) {
                if (pumpScheduled || stopped || inFlight >= settings.concurrency() || queue.isEmpty()) {
                    return;
                }
                pumpScheduled = true;
            }
            try {
                scheduler.execute(this::pump);
            } catch (RejectedExecutionException e) {
                synchronized (this) {
                    pumpScheduled = false;
                }
            }
        }

        private synchronized long droppedCount() {
            return dropped;
        }

        /** Starts sends while a slot is free and events wait. Runs on the scheduler thread only. */
        void pump() {
            while (true) {
                Outgoing next;
                synchronized (this) {
                    if (stopped || inFlight >= settings.concurrency() || queue.isEmpty()) {
                        pumpScheduled = false;
                        return;
                    }
                    next = queue.pollFirst();
                    inFlight++;
                }
                attempt(next, 1);
            }
        }

        void attempt(Outgoing o, int attempt) {
            HttpRequest request;
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                        .timeout(settings.requestTimeout())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(o.body()));
                headers.forEach(b::header);
                request = b.build();
                client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .whenComplete((response, error) -> onResult(o, attempt, response, error));
            } catch (RuntimeException e) {
                onResult(o, attempt, null, e);
            }
        }

        private void onResult(Outgoing o, int attempt, HttpResponse<Void> response, Throwable error) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause == null && response.statusCode() / 100 == 2) {
                finish(Outcome.DELIVERED);
                return;
            }
            boolean canRetry = cause == null ? retryable(response.statusCode()) : cause instanceof IOException;
            String what = cause == null ? "HTTP " + response.statusCode()
                    : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            if (!canRetry || attempt >= settings.maxAttempts()) {
                logFailure(o, attempt, what, canRetry ? "giving up" : "not retried");
                finish(Outcome.FAILED);
                return;
            }
            if (stopped) {
                finish(Outcome.DROPPED);
                return;
            }
            long delay = backoffMillis(attempt, settings.initialBackoff(), settings.maxBackoff());
            synchronized (this) {
                retried++;
                waiting++;
            }
            log.debug("webhook {} to {} attempt {} failed ({}), retry in {} ms", o.event.event(), name, attempt, what,
                    delay);
            try {
                scheduler.schedule(() -> {
                    synchronized (this) {
                        if (waiting == 0) {
                            return; // abandoned by close()
                        }
                        waiting--;
                    }
                    attempt(o, attempt + 1);
                }, delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                synchronized (this) {
                    if (waiting == 0) {
                        return; // close() counted it
                    }
                    waiting--;
                }
                finish(Outcome.DROPPED);
            }
        }

        private void logFailure(Outgoing o, int attempt, String what, String action) {
            boolean warn;
            long failedSoFar;
            synchronized (this) {
                long now = System.nanoTime();
                warn = now - lastFailureLog >= LOG_INTERVAL_NANOS;
                if (warn) {
                    lastFailureLog = now;
                }
                failedSoFar = failed + 1;
            }
            if (warn) {
                log.warn("webhook {} to {} failed after {} attempt(s): {}, {} (failed so far {}; next such log in 10 s)",
                        o.event.event(), name, attempt, what, action, failedSoFar);
            } else {
                log.debug("webhook {} to {} failed after {} attempt(s): {}, {}", o.event.event(), name, attempt, what,
                        action);
            }
        }

        private void finish(Outcome outcome) {
            synchronized (this) {
                inFlight--;
                switch (outcome) {
                    case DELIVERED -> delivered++;
                    case FAILED -> failed++;
                    case DROPPED -> dropped++;
                }
            }
            signalProgress();
            schedulePump();
        }
    }

    private enum Outcome { DELIVERED, FAILED, DROPPED }
}
