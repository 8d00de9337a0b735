package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-RPC requests of one client that wait for an answer: numbers them, bounds how many may wait, and fails each
 * with a clear error on timeout, when the socket it went out on is lost, or when the client ends. Every way a request
 * completes frees its slot, so the bound cannot leak.
 */
final class PendingRequests {

    private static final Logger log = LoggerFactory.getLogger(PendingRequests.class);

    private record Pending(String method, SocketLink link, CompletableFuture<JsonNode> future) {
    }

    private final int max;
    private final ScheduledExecutorService timers;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    PendingRequests(int max, ScheduledExecutorService timers) {
        this.max = max;
        this.timers = timers;
    }

    /** Sends {@code method} on {@code link}; the future holds the answer's {@code result}. */
    CompletableFuture<JsonNode> send(SocketLink link, String method, JsonNode params, Duration timeout) {
        if (pending.size() >= max) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "too many requests in flight (limit " + max + "), not sending " + method));
        }
        long id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        pending.put(id, new Pending(method, link, future));
        ScheduledFuture<?> timer = timers.schedule(() -> future.completeExceptionally(new TimeoutException(
                "no response to " + method + " (id " + id + ") within " + timeout.toMillis() + " ms")),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        // Whatever completes the future (response, error, timeout, close, caller cancel) frees its slot.
        future.whenComplete((r, e) -> {
            pending.remove(id);
            timer.cancel(false);
        });
        if (!link.isOpen()) {
            // Lost between the caller's check and now: its pending requests may already have been failed.
            future.completeExceptionally(new IOException("signalling socket to " + link.uri() + " is closed"));
            return future;
        }
        link.send(JsonRpcCodec.encodeRequest(id, method, params)).whenComplete((ignored, e) -> {
            if (e != null) {
                future.completeExceptionally(new IOException("could not send " + method + ": " + e.getMessage(), e));
            }
        });
        return future;
    }

    /** Completes the request {@code id} with its result. */
    void answer(long id, JsonNode result) {
        Pending p = pending.get(id);
        if (p == null) {
            log.debug("response for unknown or expired request id {}", id);
        } else {
            p.future().complete(result);
        }
    }

    /** Fails the request {@code id} with its error response; false when no such request waits. */
    boolean refuse(Long id, JsonRpcException error) {
        Pending p = id == null ? null : pending.get(id);
        if (p == null) {
            return false;
        }
        p.future().completeExceptionally(error);
        return true;
    }

    /** Fails the requests sent on {@code link}, which was lost before they were answered. */
    void failSentOn(SocketLink link, IOException cause) {
        pending.values().stream().filter(p -> p.link() == link).forEach(p -> p.future().completeExceptionally(cause));
    }

    /** Fails every waiting request: the client ended. */
    void failAll(IOException cause) {
        new ArrayList<>(pending.values()).forEach(p -> p.future().completeExceptionally(cause));
    }
}
