package io.tessera.media.webrtc.janus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One WebSocket to Janus (its API or its admin API) and the transactions in flight on it.
 *
 * <p>Each request carries a fresh {@code transaction}; its reply completes the request's future. Requests to a plugin
 * that the plugin handles asynchronously are first acknowledged ({@code ack}) and answered later by an {@code event}
 * with the same transaction: such requests wait for the event ({@link Reply#EVENT}). Every request has a deadline, and
 * the number in flight is bounded, so a Janus that stops answering cannot grow the map.
 */
final class JanusSocket implements WebSocket.Listener {
    private static final Logger log = LoggerFactory.getLogger(JanusSocket.class);
    static final ObjectMapper JSON = new ObjectMapper();
    /** The largest message we take from Janus; an SDP with many candidates stays far below. */
    private static final int MAX_MESSAGE_CHARS = 1 << 20;

    /** What ends a request: its first reply ({@code success}, {@code ack}, ...) or the plugin's later event. */
    enum Reply {
        FIRST,
        EVENT
    }

    private record Pending(CompletableFuture<JsonNode> future, Reply reply) {
    }

    private final String protocol;
    private final Duration requestTimeout;
    private final int maxPending;
    private final Consumer<JsonNode> unasked;
    private final Consumer<String> closed;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong transactions = new AtomicLong();
    private final String transactionPrefix = Long.toString(System.nanoTime() & 0xffffff, 36) + "-";
    private final StringBuilder partial = new StringBuilder();
    private volatile CompletableFuture<WebSocket> lastSend;
    private volatile WebSocket socket;
    private volatile boolean open = true;

    private JanusSocket(String protocol, Duration requestTimeout, int maxPending, Consumer<JsonNode> unasked,
                        Consumer<String> closed) {
        this.protocol = protocol;
        this.requestTimeout = requestTimeout;
        this.maxPending = maxPending;
        this.unasked = unasked;
        this.closed = closed;
    }

    /**
     * Opens a socket with Janus's subprotocol ({@code janus-protocol} for the API, {@code janus-admin-protocol} for the
     * admin API). {@code unasked} gets every message that answers no request; {@code closed} is called once.
     */
    static CompletableFuture<JanusSocket> open(URI uri, String protocol, Duration requestTimeout, int maxPending,
                                               Consumer<JsonNode> unasked, Consumer<String> closed) {
        JanusSocket janus = new JanusSocket(protocol, requestTimeout, maxPending, unasked, closed);
        HttpClient http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
        return http.newWebSocketBuilder()
                .subprotocols(protocol)
                .connectTimeout(requestTimeout)
                .buildAsync(uri, janus)
                .thenApply(ws -> {
                    if (!protocol.equals(ws.getSubprotocol())) {
                        ws.abort();
                        throw new JanusException(JanusException.LOCAL, uri + " did not accept the WebSocket "
                                + "subprotocol " + protocol + " (is it Janus?)");
                    }
                    janus.socket = ws;
                    janus.lastSend = CompletableFuture.completedFuture(ws);
                    return janus;
                });
    }

    /** Sends {@code request} (a {@code transaction} is added) and completes with the reply that ends it. */
    CompletableFuture<JsonNode> request(ObjectNode request, Reply reply) {
        if (!open) {
            return CompletableFuture.failedFuture(JanusException.local("the connection to Janus is closed"));
        }
        if (pending.size() >= maxPending) {
            return CompletableFuture.failedFuture(JanusException.local("too many Janus requests in flight (" + maxPending
                    + "); Janus is not keeping up"));
        }
        String transaction = transactionPrefix + transactions.incrementAndGet();
        request.put("transaction", transaction);
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        pending.put(transaction, new Pending(future, reply));
        String janusVerb = request.path("janus").asText();
        future.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ignored, error) -> {
            pending.remove(transaction);
        });
        send(request).whenComplete((ignored, error) -> {
            if (error != null) {
                fail(transaction, JanusException.local("cannot send '" + janusVerb + "' to Janus: " + error));
                writeFailed(error);
            }
        });
        return future.exceptionallyCompose(error -> {
            Throwable cause = unwrapped(error);
            return CompletableFuture.failedFuture(cause instanceof TimeoutException
                    ? JanusException.local("Janus did not answer '" + janusVerb + "' within " + requestTimeout)
                    : cause);
        });
    }

    /** Sends without waiting for an answer (none comes for some messages, e.g. the admin API's). */
    CompletionStage<WebSocket> send(ObjectNode message) {
        String text;
        try {
            text = JSON.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(e);
        }
        // java.net.http.WebSocket allows one outstanding send: chain them.
        synchronized (this) {
            CompletableFuture<WebSocket> next = lastSend.thenCompose(ws -> ws.sendText(text, true));
            lastSend = next.exceptionally(error -> socket);
            return next;
        }
    }

    boolean isOpen() {
        return open;
    }

    int pendingCount() {
        return pending.size();
    }

    String protocol() {
        return protocol;
    }

    void close() {
        WebSocket ws = socket;
        if (ws != null && open) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS)
                    .whenComplete((ignored, error) -> ws.abort());
        }
        closed("closed by the media node");
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (partial.length() > MAX_MESSAGE_CHARS) {
            log.warn("Janus sent a message over {} characters; closing the connection", MAX_MESSAGE_CHARS);
            webSocket.abort();
            closed("Janus sent an oversized message");
            return null;
        }
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            dispatch(text);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed("Janus closed the connection (" + statusCode + (reason.isEmpty() ? "" : " " + reason) + ")");
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed("the connection to Janus failed: " + error);
    }

    private void dispatch(String text) {
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            log.warn("Janus sent a message that is not JSON ({} characters); ignored", text.length());
            return;
        }
        String transaction = message.path("transaction").asText(null);
        Pending waiting = transaction == null ? null : pending.get(transaction);
        String janus = message.path("janus").asText("");
        if (waiting == null) {
            unasked.accept(message);
            return;
        }
        if ("error".equals(janus)) {
            JsonNode error = message.path("error");
            fail(transaction, new JanusException(error.path("code").asInt(JanusException.LOCAL),
                    error.path("reason").asText("no reason given")));
        } else if ("ack".equals(janus) && waiting.reply() == Reply.EVENT) {
            // accepted; the plugin's event with this transaction follows
        } else if (waiting.reply() == Reply.EVENT && !"event".equals(janus)) {
            // e.g. a webrtcup that raced the event: not the reply we wait for
            unasked.accept(message);
        } else {
            JsonNode data = message.path("plugindata").path("data");
            if (data.has("error_code")) {
                fail(transaction, new JanusException(data.path("error_code").asInt(),
                        data.path("error").asText("no reason given")));
            } else {
                pending.remove(transaction);
                waiting.future().complete(message);
            }
        }
    }

    /**
     * A write that fails means the connection is gone. This is also how a Janus that exited is noticed when the JDK
     * lost the end of the stream: java.net.http.WebSocket drops an EOF that arrives while the listener is still in
     * {@code onText} (its transport's {@code acknowledgeReception} throws an InternalError that nobody sees; JDK 17 and
     * 25 alike), so no {@code onClose} comes. The next write then meets the peer's reset.
     */
    private void writeFailed(Throwable error) {
        Throwable cause = unwrapped(error);
        if (cause instanceof java.io.IOException) {
            WebSocket ws = socket;
            if (ws != null) {
                ws.abort();
            }
            closed("the connection to Janus failed: " + cause);
        }
    }

    /** What a failed stage failed with, without the CompletionException a dependent stage wraps it in. */
    private static Throwable unwrapped(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
    }

    private void fail(String transaction, JanusException error) {
        Pending waiting = pending.remove(transaction);
        if (waiting != null) {
            waiting.future().completeExceptionally(error);
        }
    }

    private void closed(String reason) {
        synchronized (this) {
            if (!open) {
                return;
            }
            open = false;
        }
        JanusException error = JanusException.local(reason);
        pending.values().forEach(waiting -> waiting.future().completeExceptionally(error));
        pending.clear();
        closed.accept(reason);
    }
}
