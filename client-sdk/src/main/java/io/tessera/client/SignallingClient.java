package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One signalling WebSocket to a Tessera master, speaking OpenVidu 2 JSON-RPC.
 *
 * <p>Requests return futures completed by the matching response, failed with {@link JsonRpcException} on an error
 * response, or with {@link TimeoutException} after the request timeout. Server notifications go to a bounded queue
 * ({@link #events()}, {@link #nextEvent(Duration)}) and to an optional listener; when the queue is full new events are
 * dropped and counted ({@link #droppedEvents()}), never blocking the socket.
 *
 * <pre>{@code
 * TesseraToken token = TesseraToken.parse(tokenString);
 * try (SignallingClient c = SignallingClient.builder(token.webSocketUri()).connect()) {
 *     JoinResult joined = c.joinRoom(token, "{\"name\":\"ann\"}").get();
 *     c.sendMessage(List.of(), "signal:chat", "hi");
 * }
 * }</pre>
 */
public final class SignallingClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SignallingClient.class);

    /** Shared so that many clients in one JVM (load tests) do not each own a selector thread. */
    private static final class Shared {
        static final HttpClient HTTP = HttpClient.newHttpClient();
        static final ScheduledThreadPoolExecutor TIMERS = timers();

        private static ScheduledThreadPoolExecutor timers() {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread th = new Thread(r, "tessera-sdk-timeouts");
                th.setDaemon(true);
                return th;
            });
            // Most requests are answered long before their timeout: drop cancelled timers at once.
            t.setRemoveOnCancelPolicy(true);
            return t;
        }
    }

    /** How the socket ended: the close code and reason sent by the server, or an error (code -1). */
    public record CloseInfo(int statusCode, String reason, Throwable error) {
    }

    private record Pending(String method, CompletableFuture<JsonNode> future) {
    }

    private final URI uri;
    private final Duration requestTimeout;
    private final int maxPendingRequests;
    private final int maxMessageChars;
    private final BlockingQueue<ServerEvent> events;
    private final int eventQueueCapacity;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong lastSeq = new AtomicLong(0);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean closeNotified = new AtomicBoolean();
    private final CompletableFuture<CloseInfo> closed = new CompletableFuture<>();
    private final Object sendLock = new Object();
    private final Object closeLock = new Object();
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null); // guarded by sendLock
    private volatile WebSocket ws;
    private volatile Consumer<ServerEvent> eventListener;
    private volatile Consumer<CloseInfo> closeListener;
    private volatile JoinResult joined;

    private SignallingClient(Builder b) {
        this.uri = b.uri;
        this.requestTimeout = b.requestTimeout;
        this.maxPendingRequests = b.maxPendingRequests;
        this.maxMessageChars = b.maxMessageChars;
        this.eventQueueCapacity = b.eventQueueCapacity;
        this.events = new ArrayBlockingQueue<>(b.eventQueueCapacity);
        this.eventListener = b.eventListener;
        this.closeListener = b.closeListener;
    }

    public static Builder builder(URI webSocketUri) {
        return new Builder(webSocketUri);
    }

    /** Connects with default options. */
    public static SignallingClient connect(URI webSocketUri) throws IOException {
        return builder(webSocketUri).connect();
    }

    // ---------------------------------------------------------------- requests

    /** Sends any JSON-RPC request with the default timeout; the future holds {@code result}. */
    public CompletableFuture<JsonNode> request(String method, JsonNode params) {
        return request(method, params, requestTimeout);
    }

    public CompletableFuture<JsonNode> request(String method, JsonNode params, Duration timeout) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(timeout, "timeout");
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new IOException("signalling socket to " + uri + " is closed"));
        }
        if (pending.size() >= maxPendingRequests) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "too many requests in flight (limit " + maxPendingRequests + "), not sending " + method));
        }
        long id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        pending.put(id, new Pending(method, future));
        ScheduledFuture<?> timer = Shared.TIMERS.schedule(() -> future.completeExceptionally(new TimeoutException(
                "no response to " + method + " (id " + id + ") within " + timeout.toMillis() + " ms")),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        // Whatever completes the future (response, error, timeout, close, caller cancel) frees its slot.
        future.whenComplete((r, e) -> {
            pending.remove(id);
            timer.cancel(false);
        });
        send(JsonRpcCodec.encodeRequest(id, method, params)).whenComplete((ignored, e) -> {
            if (e != null) {
                future.completeExceptionally(new IOException("could not send " + method + ": " + e.getMessage(), e));
            }
        });
        return future;
    }

    public CompletableFuture<JoinResult> joinRoom(String token, String metadata) {
        return joinRoom(TesseraToken.parse(token), metadata);
    }

    public CompletableFuture<JoinResult> joinRoom(TesseraToken token, String metadata) {
        return request("joinRoom", JsonRpcCodec.joinRoomParams(token, metadata)).thenApply(r -> {
            JoinResult j = JsonRpcCodec.joinResult(r);
            lastSeq.accumulateAndGet(j.seq(), Math::max);
            joined = j;
            return j;
        });
    }

    public CompletableFuture<JsonNode> leaveRoom() {
        return request("leaveRoom", JsonRpcCodec.MAPPER.createObjectNode());
    }

    public CompletableFuture<JsonNode> ping() {
        ObjectNode p = JsonRpcCodec.MAPPER.createObjectNode();
        p.put("interval", 5000);
        return request("ping", p);
    }

    /** Sends a signal; an empty or null {@code to} means everyone in the session, sender included. */
    public CompletableFuture<JsonNode> sendMessage(List<String> to, String type, String data) {
        return request("sendMessage", JsonRpcCodec.sendMessageParams(to, type, data));
    }

    /**
     * Publishes our stream: the future holds the stream id and the media node's SDP answer. Fails with
     * {@link IllegalStateException} when the result has no {@code id} or {@code sdpAnswer}.
     */
    public CompletableFuture<PublishResult> publishVideo(PublishOptions options) {
        Objects.requireNonNull(options, "options");
        return request("publishVideo", JsonRpcCodec.publishVideoParams(options)).thenApply(JsonRpcCodec::publishResult);
    }

    /** Subscribes to {@code streamId} with our SDP offer; the future holds the media node's SDP answer. */
    public CompletableFuture<String> receiveVideoFrom(String streamId, String sdpOffer) {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(sdpOffer, "sdpOffer");
        return request("receiveVideoFrom", JsonRpcCodec.receiveVideoFromParams(streamId, sdpOffer))
                .thenApply(r -> JsonRpcCodec.requiredText(r, "sdpAnswer", "receiveVideoFrom"));
    }

    /** Stops publishing our stream; subscribers get {@code participantUnpublished}. */
    public CompletableFuture<JsonNode> unpublishVideo() {
        return request("unpublishVideo", JsonRpcCodec.MAPPER.createObjectNode());
    }

    /** Stops receiving {@code streamId}. */
    public CompletableFuture<JsonNode> unsubscribeFromVideo(String streamId) {
        Objects.requireNonNull(streamId, "streamId");
        return request("unsubscribeFromVideo", JsonRpcCodec.senderParams(streamId));
    }

    // ---------------------------------------------------------------- events and state

    /** The event queue (read side; capacity {@link #eventQueueCapacity()}). */
    public BlockingQueue<ServerEvent> events() {
        return events;
    }

    /** Waits up to {@code timeout} for the next event; empty on timeout or interrupt (the flag is kept). */
    public Optional<ServerEvent> nextEvent(Duration timeout) {
        try {
            return Optional.ofNullable(events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Listener called for every event, on the socket's thread, after it is queued: keep it short. */
    public SignallingClient onEvent(Consumer<ServerEvent> listener) {
        this.eventListener = listener;
        return this;
    }

    /** Called once when the socket ends; called at once if it already has. */
    public SignallingClient onClose(Consumer<CloseInfo> listener) {
        boolean alreadyClosed;
        synchronized (closeLock) {
            this.closeListener = listener;
            alreadyClosed = closeNotified.get();
        }
        if (alreadyClosed && listener != null) {
            listener.accept(closed.getNow(null));
        }
        return this;
    }

    public int eventQueueCapacity() {
        return eventQueueCapacity;
    }

    public long droppedEvents() {
        return dropped.get();
    }

    /** The highest {@code seq} seen in an event or in the join result (0 before any). */
    public long lastSeq() {
        return lastSeq.get();
    }

    /** The join result, or null before a successful {@code joinRoom}. */
    public JoinResult joined() {
        return joined;
    }

    public boolean isOpen() {
        WebSocket w = ws;
        return w != null && !closed.isDone() && !w.isOutputClosed() && !w.isInputClosed();
    }

    /** Completes with how the socket ended. */
    public CompletableFuture<CloseInfo> closeFuture() {
        return closed.copy();
    }

    public URI uri() {
        return uri;
    }

    /** Closes the socket (normal closure), waiting at most 2 s for the server's reply before aborting. */
    @Override
    public void close() {
        WebSocket w = ws;
        if (w == null || closed.isDone()) {
            return;
        }
        try {
            synchronized (sendLock) {
                sendTail = sendTail.handle((r, e) -> null)
                        .thenCompose(v -> w.sendClose(WebSocket.NORMAL_CLOSURE, "client closing"));
            }
            closed.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("no close reply from {} in time, aborting", uri);
        } finally {
            w.abort();
            ended(WebSocket.NORMAL_CLOSURE, "closed by client", null);
        }
    }

    // ---------------------------------------------------------------- internals

    // The JDK WebSocket allows one outstanding send: chain them.
    private CompletableFuture<?> send(String text) {
        WebSocket w = ws;
        synchronized (sendLock) {
            CompletableFuture<?> next = sendTail.handle((r, e) -> null).thenCompose(v -> w.sendText(text, true));
            sendTail = next;
            return next;
        }
    }

    void handleText(String text) {
        JsonRpcCodec.Incoming in = JsonRpcCodec.decode(text);
        if (in instanceof JsonRpcCodec.Result r) {
            Pending p = pending.get(r.id());
            if (p == null) {
                log.debug("response for unknown or expired request id {}", r.id());
            } else {
                p.future().complete(r.result());
            }
        } else if (in instanceof JsonRpcCodec.Error e) {
            Pending p = e.id() == null ? null : pending.get(e.id());
            if (p == null) {
                log.warn("error from {} for no pending request (id {}): {} {}", uri, e.id(), e.code(), e.message());
            } else {
                p.future().completeExceptionally(e.toException());
            }
        } else if (in instanceof JsonRpcCodec.Notification n) {
            deliver(n.toEvent());
        } else if (in instanceof JsonRpcCodec.Invalid bad) {
            log.warn("ignoring message from {}: {}", uri, bad.reason());
        }
    }

    private void deliver(ServerEvent event) {
        if (event.seq() >= 0) {
            lastSeq.accumulateAndGet(event.seq(), Math::max);
        }
        if (!events.offer(event)) {
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 1000 == 0) {
                log.warn("event queue full (capacity {}): dropped {} event(s) so far, latest {} seq {}",
                        eventQueueCapacity, n, event.method(), event.seq());
            }
        }
        Consumer<ServerEvent> l = eventListener;
        if (l != null) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                log.warn("event listener failed on {}", event.method(), e);
            }
        }
    }

    private void ended(int code, String reason, Throwable error) {
        CloseInfo info = new CloseInfo(code, reason, error);
        closed.complete(info);
        IOException cause = new IOException("signalling socket closed (" + code + " " + reason + ")", error);
        pending.values().forEach(p -> p.future().completeExceptionally(cause));
        Consumer<CloseInfo> l;
        synchronized (closeLock) {
            // Under the lock so that a listener set concurrently is called exactly once.
            l = closeNotified.compareAndSet(false, true) ? closeListener : null;
        }
        if (l != null) {
            try {
                l.accept(closed.getNow(info));
            } catch (RuntimeException e) {
                log.warn("close listener failed", e);
            }
        }
    }

    private final class SocketListener implements WebSocket.Listener {
        private StringBuilder buffer = new StringBuilder();
        private boolean oversized;

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            webSocket.request(1);
        }

        // The JDK may hand one message over in several parts (fragmented frames or buffer boundaries).
        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
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
                    try {
                        handleText(text);
                    } catch (RuntimeException e) {
                        log.warn("failed to handle message from {}", uri, e);
                    }
                }
                oversized = false;
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            if (last) {
                log.debug("ignoring binary message from {}", uri);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ended(statusCode, reason, null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            log.debug("signalling socket {} failed", uri, error);
            ended(-1, String.valueOf(error.getMessage()), error);
        }
    }

    /** Options for one client; every queue and wait is bounded. */
    public static final class Builder {
        private final URI uri;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int eventQueueCapacity = 10_000;
        private int maxPendingRequests = 1_000;
        private int maxMessageChars = 4 * 1024 * 1024;
        private HttpClient httpClient;
        private Consumer<ServerEvent> eventListener;
        private Consumer<CloseInfo> closeListener;

        private Builder(URI uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
            String s = uri.getScheme();
            if (!"ws".equalsIgnoreCase(s) && !"wss".equalsIgnoreCase(s)) {
                throw new IllegalArgumentException("WebSocket URI must be ws:// or wss://, got " + uri);
            }
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive(d, "requestTimeout");
            return this;
        }

        public Builder eventQueueCapacity(int n) {
            this.eventQueueCapacity = atLeastOne(n, "eventQueueCapacity");
            return this;
        }

        public Builder maxPendingRequests(int n) {
            this.maxPendingRequests = atLeastOne(n, "maxPendingRequests");
            return this;
        }

        public Builder maxMessageChars(int n) {
            this.maxMessageChars = atLeastOne(n, "maxMessageChars");
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        /** Set here rather than after connecting so that no event can arrive before the listener. */
        public Builder onEvent(Consumer<ServerEvent> listener) {
            this.eventListener = listener;
            return this;
        }

        public Builder onClose(Consumer<CloseInfo> listener) {
            this.closeListener = listener;
            return this;
        }

        public CompletableFuture<SignallingClient> connectAsync() {
            SignallingClient client = new SignallingClient(this);
            HttpClient http = httpClient != null ? httpClient : Shared.HTTP;
            return http.newWebSocketBuilder()
                    .connectTimeout(connectTimeout)
                    .buildAsync(uri, client.new SocketListener())
                    .thenApply(w -> {
                        client.ws = w;
                        return client;
                    });
        }

        /** Opens the socket, waiting at most the connect timeout. */
        public SignallingClient connect() throws IOException {
            CompletableFuture<SignallingClient> f = connectAsync();
            try {
                return f.get(connectTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                f.cancel(true);
                throw new InterruptedIOException("interrupted while connecting to " + uri);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new IOException("could not connect to " + uri + " within " + connectTimeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw new IOException("could not connect to " + uri + ": " + c, c);
            }
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }

        private static int atLeastOne(int n, String what) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, got " + n);
            }
            return n;
        }
    }
}
