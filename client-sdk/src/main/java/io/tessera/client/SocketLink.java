package io.tessera.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket of a {@link SignallingClient}: reassembles text messages, serialises sends, remembers when it last
 * heard from the server, and reports its end exactly once. A client owns one at a time, plus one while resuming.
 */
final class SocketLink implements WebSocket.Listener {

    private static final Logger log = LoggerFactory.getLogger(SocketLink.class);

    /** What the owning client is told; both are called on the socket's thread. */
    interface Owner {
        void onText(SocketLink link, String text);

        void onEnded(SocketLink link, int statusCode, String reason, Throwable error);
    }

    private final URI uri;
    private final int maxMessageChars;
    private final Owner owner;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final CompletableFuture<Void> endedFuture = new CompletableFuture<>();
    private final AtomicInteger deliveredEvents = new AtomicInteger();
    private final Object sendLock = new Object();
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null); // guarded by sendLock
    private volatile WebSocket ws;
    private volatile long lastHeardNanos = System.nanoTime();
    private StringBuilder buffer = new StringBuilder();
    private boolean oversized;

    private SocketLink(URI uri, int maxMessageChars, Owner owner) {
        this.uri = uri;
        this.maxMessageChars = maxMessageChars;
        this.owner = owner;
    }

    /**
     * Opens a socket to {@code uri}, failing after {@code timeout} even when the server accepted TCP but never answers
     * the upgrade (a frozen process); a socket that opens after that is aborted rather than leaked.
     */
    static CompletableFuture<SocketLink> open(HttpClient http, URI uri, Duration timeout, int maxMessageChars,
                                              Owner owner) {
        SocketLink link = new SocketLink(uri, maxMessageChars, owner);
        CompletableFuture<WebSocket> opening = http.newWebSocketBuilder()
                .connectTimeout(timeout)
                .buildAsync(uri, link);
        CompletableFuture<SocketLink> result = opening.thenApply(w -> {
            link.ws = w;
            link.lastHeardNanos = System.nanoTime();
            return link;
        });
        CompletableFuture<SocketLink> bounded = result.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        bounded.whenComplete((l, e) -> {
            if (e != null) {
                opening.thenAccept(WebSocket::abort);
            }
        });
        return bounded;
    }

    URI uri() {
        return uri;
    }

    boolean isOpen() {
        WebSocket w = ws;
        return w != null && !ended.get() && !w.isOutputClosed() && !w.isInputClosed();
    }

    /** Nanoseconds since the last message (or frame) from the server, or since the socket opened. */
    long silentNanos() {
        return System.nanoTime() - lastHeardNanos;
    }

    /** Completes once the socket has ended, however. */
    CompletableFuture<Void> endedFuture() {
        return endedFuture;
    }

    /** Events delivered from this socket to the application (the replay count after a resume). */
    int countDelivered() {
        return deliveredEvents.incrementAndGet();
    }

    int deliveredEvents() {
        return deliveredEvents.get();
    }

    /** A socket already open, for tests that stand in for the JDK's. */
    static SocketLink attached(WebSocket webSocket, URI uri, int maxMessageChars, Owner owner) {
        SocketLink link = new SocketLink(uri, maxMessageChars, owner);
        link.ws = webSocket;
        return link;
    }

    // The JDK WebSocket allows one outstanding send: chain them.
    CompletableFuture<?> send(String text) {
        WebSocket w = ws;
        synchronized (sendLock) {
            CompletableFuture<?> next = sendTail.handle((r, e) -> null).thenCompose(v -> w.sendText(text, true));
            sendTail = next;
            return endOnFailure(next);
        }
    }

    CompletableFuture<?> sendClose(int code, String reason) {
        WebSocket w = ws;
        synchronized (sendLock) {
            CompletableFuture<?> next = sendTail.handle((r, e) -> null).thenCompose(v -> w.sendClose(code, reason));
            sendTail = next;
            return endOnFailure(next);
        }
    }

    /**
     * A write that fails ends the socket. The JDK's WebSocket can lose the server's end of the connection when it
     * arrives while a listener method is running (its receiver's acknowledgement throws an InternalError that nobody
     * sees; JDK 17 to 25) and then never calls {@link #onClose} or {@link #onError}; the writes after it still fail.
     * Without this the keepalive's silence timeout (15 s by default) was the only way out; with it, the next ping or
     * two (5 s apart by default) end the socket and the resume starts.
     */
    private CompletableFuture<?> endOnFailure(CompletableFuture<?> write) {
        write.whenComplete((r, error) -> {
            if (error != null && !ended.get()) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                log.debug("write to {} failed: dropping the socket", uri, cause);
                abort("write to " + uri + " failed: " + cause);
            }
        });
        return write;
    }

    /** Drops the connection at once (no close handshake) and reports the end with {@code why}. */
    void abort(String why) {
        WebSocket w = ws;
        if (w != null) {
            w.abort();
        }
        // WebSocket.abort() does not call the listener: report the end ourselves.
        end(-1, why, new IOException(why));
    }

    private void end(int statusCode, String reason, Throwable error) {
        if (ended.compareAndSet(false, true)) {
            try {
                owner.onEnded(this, statusCode, reason, error);
            } finally {
                endedFuture.complete(null);
            }
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        ws = webSocket;
        lastHeardNanos = System.nanoTime();
        webSocket.request(1);
    }

    // The JDK may hand one message over in several parts (fragmented frames or buffer boundaries).
    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        lastHeardNanos = System.nanoTime();
        if (!oversized) {
            if (buffer.length() + data.length() > maxMessageChars) {
                oversized = true;
                log.warn("message from {} longer than {} chars, dropped", uri, maxMessageChars);
                buffer = new StringBuilder();
            } else {
                buffer.append(data);
            }
        }
        if (last) {
            if (!oversized) {
                String text = buffer.toString();
                // Do not keep a large buffer alive after one large message.
                buffer = buffer.capacity() > 65_536 ? new StringBuilder() : buffer;
                buffer.setLength(0);
                if (!ended.get()) {
                    try {
                        owner.onText(this, text);
                    } catch (RuntimeException e) {
                        log.warn("failed to handle message from {}", uri, e);
                    }
                }
            }
            oversized = false;
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        lastHeardNanos = System.nanoTime();
        if (last) {
            log.debug("ignoring binary message from {}", uri);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        lastHeardNanos = System.nanoTime();
        webSocket.request(1);
        return null; // the JDK answers with a pong itself
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        lastHeardNanos = System.nanoTime();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        end(statusCode, reason, null);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        log.debug("signalling socket {} failed", uri, error);
        end(-1, String.valueOf(error.getMessage()), error);
    }
}
