package io.tessera.client;

import io.tessera.client.SignallingListener.DisconnectReason;
import io.tessera.client.SignallingListener.Disconnected;
import io.tessera.client.SignallingListener.Reconnected;
import io.tessera.client.SignallingListener.Reconnecting;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconnect run after a lost socket: picks the URIs round robin, waits the jittered backoff, runs attempts until
 * one resumes, a terminal error arrives, the total time is spent, or {@link #cancel()}. Knows nothing of sockets: the
 * client supplies the attempt and hears the outcome, so the retry rules can be read (and tested) in one place.
 */
final class ReconnectLoop {

    private static final Logger log = LoggerFactory.getLogger(ReconnectLoop.class);

    /** Opens a socket to {@code uri} and resumes, within {@code timeout}; the future holds the resume's outcome. */
    interface Attempt {
        CompletableFuture<Resumed> run(URI uri, Duration timeout);
    }

    /** What one successful attempt produced. */
    record Resumed(JoinResult result, int replayedEvents) {
    }

    /** What the client hears; at most one of reconnected/disconnected, and neither once cancelled. */
    interface Outcome {
        void reconnecting(Reconnecting attempt);

        void reconnected(Reconnected info);

        void disconnected(Disconnected info);
    }

    private final ReconnectPolicy policy;
    private final List<URI> uris;
    private final ScheduledExecutorService timer;
    private final DoubleSupplier jitter;
    private final Attempt attempt;
    private final Outcome outcome;
    private final long startNanos = System.nanoTime();
    private int attempts; // guarded by this
    private int nextIndex; // guarded by this
    private boolean cancelled; // guarded by this
    private ScheduledFuture<?> scheduled; // guarded by this

    ReconnectLoop(ReconnectPolicy policy, List<URI> uris, URI lost, ScheduledExecutorService timer,
                  DoubleSupplier jitter, Attempt attempt, Outcome outcome) {
        this.policy = policy;
        this.uris = List.copyOf(uris);
        this.timer = timer;
        this.jitter = jitter;
        this.attempt = attempt;
        this.outcome = outcome;
        // Start with the URI after the lost one: the lost master is the least likely to answer.
        this.nextIndex = (this.uris.indexOf(lost) + 1) % this.uris.size();
    }

    void start(Throwable cause) {
        scheduleNext(cause);
    }

    /** Stops the run: no further attempt starts and no outcome is reported. */
    void cancel() {
        ScheduledFuture<?> s;
        synchronized (this) {
            cancelled = true;
            s = scheduled;
        }
        if (s != null) {
            s.cancel(false);
        }
    }

    private void scheduleNext(Throwable cause) {
        Reconnecting next;
        long remainingMillis;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            int n = attempts + 1;
            Duration delay = policy.delayBefore(n, jitter.getAsDouble());
            remainingMillis = policy.maxTotalTime().toMillis() - elapsed().toMillis() - delay.toMillis();
            if (remainingMillis <= 0) {
                next = null;
            } else {
                attempts = n;
                URI uri = uris.get(nextIndex);
                nextIndex = (nextIndex + 1) % uris.size();
                next = new Reconnecting(n, uri, delay, cause);
            }
        }
        if (next == null) {
            finish(DisconnectReason.GAVE_UP,
                    "no master resumed the session within " + policy.maxTotalTime().toMillis() + " ms", cause);
            return;
        }
        outcome.reconnecting(next);
        // No attempt may run past the total time.
        Duration timeout = Duration.ofMillis(Math.min(policy.attemptTimeout().toMillis(), remainingMillis));
        synchronized (this) {
            if (cancelled) {
                return;
            }
            scheduled = timer.schedule(() -> run(next, timeout), next.delay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void run(Reconnecting a, Duration timeout) {
        synchronized (this) {
            if (cancelled) {
                return;
            }
        }
        CompletableFuture<Resumed> f;
        try {
            f = attempt.run(a.uri(), timeout);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((resumed, error) -> {
            if (error == null) {
                succeeded(a, resumed);
            } else {
                failed(a, unwrap(error));
            }
        });
    }

    private void succeeded(Reconnecting a, Resumed resumed) {
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true; // done: nothing more may run
        }
        outcome.reconnected(new Reconnected(a.uri(), a.attempt(), elapsed(),
                resumed.replayedEvents(), resumed.result()));
    }

    private void failed(Reconnecting a, Throwable error) {
        DisconnectReason terminal = terminalReason(error);
        if (terminal != null) {
            finish(terminal, "resume refused by " + a.uri() + ": " + error.getMessage(), error);
        } else {
            log.debug("resume attempt {} on {} failed, retrying: {}", a.attempt(), a.uri(), error.toString());
            scheduleNext(error);
        }
    }

    private void finish(DisconnectReason reason, String detail, Throwable cause) {
        int n;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            n = attempts;
        }
        outcome.disconnected(new Disconnected(reason, detail, n, elapsed(), cause));
    }

    /** 401/404/409 cannot get better by retrying; anything else (503, transport, timeout) may on another try. */
    static DisconnectReason terminalReason(Throwable error) {
        if (error instanceof JsonRpcException e) {
            return switch (e.code()) {
                case 401 -> DisconnectReason.RESUME_REJECTED;
                case 404 -> DisconnectReason.PARTICIPANT_GONE;
                case 409 -> DisconnectReason.EVENTS_LOST;
                default -> null;
            };
        }
        return null;
    }

    private Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
