package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * The resume of one joined client after it lost its socket: a {@link ReconnectLoop} decides when and where to try;
 * each attempt opens a socket to that master, sends {@code connect} on it, and on success hands the socket to the
 * client. The socket of the attempt in progress is tracked here, so the client can tell its messages (the answer, and
 * the replayed events before it) from those of abandoned attempts.
 *
 * <p>Talks to the client only through {@link Client}; the client only starts, cancels and asks {@link #isAttempt}.
 */
final class Resumption {

    /** What a resume needs of the client; the loop's outcome goes to the client as well. */
    interface Client extends ReconnectLoop.Outcome {
        /** Opens a socket whose messages the client handles (while it is the client's or this attempt's). */
        CompletableFuture<SocketLink> open(URI uri, Duration timeout);

        /** Sends {@code connect} with the client's session, connection, resume secret and last seq. */
        CompletableFuture<JsonNode> sendConnect(SocketLink link, Duration timeout);

        /**
         * Makes {@code link} the client's socket with the {@code connect} result, unless the client stopped
         * reconnecting (then throws {@link IllegalStateException}). Runs on the socket's thread as the answer is
         * handled, so later messages on it already count as the client's.
         */
        ReconnectLoop.Resumed adopt(SocketLink link, JsonNode connectResult);
    }

    private final Client client;
    private final ReconnectLoop loop;
    private volatile SocketLink attempt; // written under this
    private boolean cancelled; // guarded by this

    Resumption(ReconnectPolicy policy, List<URI> ring, URI lost, ScheduledExecutorService timer,
               DoubleSupplier jitter, Client client) {
        this.client = client;
        this.loop = new ReconnectLoop(policy, ring, lost, timer, jitter, this::attempt, client);
    }

    void start(Throwable cause) {
        loop.start(cause);
    }

    /** Stops: no further attempt, no outcome, and the socket of an attempt in progress is dropped. */
    void cancel() {
        SocketLink a;
        synchronized (this) {
            cancelled = true;
            a = attempt;
            attempt = null;
        }
        loop.cancel();
        if (a != null) {
            a.abort("client closed while resuming");
        }
    }

    /** True for the socket of the attempt in progress; lock-free, as the client asks while holding its own lock. */
    boolean isAttempt(SocketLink link) {
        return link != null && link == attempt;
    }

    private CompletableFuture<ReconnectLoop.Resumed> attempt(URI target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return client.open(target, timeout).thenCompose(link -> {
            boolean live;
            synchronized (this) {
                live = !cancelled;
                if (live) {
                    attempt = link;
                }
            }
            if (!live) {
                // Aborted outside the lock: the abort reports to the client, which may call isAttempt.
                link.abort("client no longer reconnecting");
                return CompletableFuture.failedFuture(new IOException("client no longer reconnecting"));
            }
            // Opening took part of the attempt's time; connect gets what is left.
            Duration left = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
            return client.sendConnect(link, left)
                    .thenApply(result -> client.adopt(link, result))
                    .whenComplete((r, e) -> {
                        if (e != null) {
                            abandon(link);
                        }
                    });
        });
    }

    private void abandon(SocketLink link) {
        synchronized (this) {
            if (attempt == link) {
                attempt = null;
            }
        }
        link.abort("resume attempt on " + link.uri() + " abandoned");
    }
}
