package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A signalling connection to Tessera masters, speaking OpenVidu 2 JSON-RPC over WebSocket.
 *
 * <p>Requests return futures completed by the matching response, failed with {@link JsonRpcException} on an error
 * response, or with {@link TimeoutException} after the request timeout. Server notifications go to a bounded queue
 * ({@link #events()}, {@link #nextEvent(Duration)}) and to an optional listener; when the queue is full new events are
 * dropped and counted ({@link #droppedEvents()}), never blocking the socket.
 *
 * <p>With {@link Builder#reconnect(ReconnectPolicy)}, a joined client whose socket is lost (the master died, or was
 * found frozen by the {@linkplain Builder#keepalive keepalive}) opens a socket to another master and resumes with
 * {@code connect}; the same object keeps working and the application sees every event exactly once, in order. See
 * the module README for the details.
 *
 * <pre>{@code
 * TesseraToken token = TesseraToken.parse(tokenString);
 * try (SignallingClient c = SignallingClient.builder(token.webSocketUri())
 *         .failoverUris(List.of(otherMaster))
 *         .reconnect(ReconnectPolicy.defaults())
 *         .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3))
 *         .connect()) {
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

    /**
     * How the client ended: the close code and reason sent by the server, or an error (code -1).
     *
     * @param statusCode the WebSocket close code, -1 when the socket failed or resuming failed
     * @param reason     the close reason or a description of the failure
     * @param error      the failure, null for a clean close
     */
    public record CloseInfo(int statusCode, String reason, Throwable error) {
    }

    /**
     * An attempt to resume is about to start (after {@code delay}).
     *
     * @param attempt the attempt number in this outage, from 1
     * @param uri     the master this attempt goes to
     * @param delay   the jittered backoff waited before the attempt
     * @param cause   why the previous socket or attempt failed
     */
    public record Reconnecting(int attempt, URI uri, Duration delay, Throwable cause) {
    }

    /**
     * The client resumed on a new socket.
     *
     * @param uri            the master that resumed it
     * @param attempts       how many attempts it took
     * @param elapsed        from losing the socket to the {@code connect} answer
     * @param replayedEvents missed events delivered on the new socket before its {@code connect} answer (more may
     *                       follow it)
     * @param result         the {@code connect} result: the participants and streams now, the media node
     */
    public record Reconnected(URI uri, int attempts, Duration elapsed, int replayedEvents, JoinResult result) {
    }

    /** Why resuming ended without success; after any of them the application must join again. */
    public enum DisconnectReason {
        /** {@code connect} failed with 401: the resume secret was not accepted. */
        RESUME_REJECTED,
        /** {@code connect} failed with 404: the grace window passed or the session ended. */
        PARTICIPANT_GONE,
        /** {@code connect} failed with 409: the server no longer holds all the events this client missed. */
        EVENTS_LOST,
        /** No master resumed the session within {@link ReconnectPolicy#maxTotalTime()}. */
        GAVE_UP
    }

    /**
     * Resuming ended without success and the client is closed.
     *
     * @param reason   why
     * @param detail   a readable description
     * @param attempts how many attempts were made
     * @param elapsed  from losing the socket to giving up
     * @param cause    the last failure (the error response, transport failure or timeout); may be null
     */
    public record Disconnected(DisconnectReason reason, String detail, int attempts, Duration elapsed, Throwable cause) {
    }

    private record Pending(String method, SocketLink link, CompletableFuture<JsonNode> future) {
    }

    private final URI uri;
    private final List<URI> failoverRing;
    private final ReconnectPolicy reconnectPolicy;
    private final Duration keepaliveInterval;
    private final Duration keepaliveTimeout;
    private final DoubleSupplier jitter;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxPendingRequests;
    private final int maxMessageChars;
    private final BlockingQueue<ServerEvent> events;
    private final int eventQueueCapacity;
    private final EventSequence sequence = new EventSequence();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong resumes = new AtomicLong();
    private final AtomicBoolean closeNotified = new AtomicBoolean();
    private final CompletableFuture<CloseInfo> closed = new CompletableFuture<>();
    private final Object closeLock = new Object();
    private final Object stateLock = new Object();
    private final SocketLink.Owner linkOwner = new LinkOwner();
    private volatile ConnectionState state = ConnectionState.CONNECTING; // written under stateLock
    private volatile SocketLink current; // written under stateLock; null while reconnecting
    private SocketLink resuming; // guarded by stateLock: the socket of the attempt in progress
    private ReconnectLoop reconnect; // guarded by stateLock
    private ScheduledFuture<?> keepaliveTask; // guarded by stateLock
    private volatile Consumer<ServerEvent> eventListener;
    /** Listeners of SDK parts (such as {@link MediaRecovery}), called after {@link #eventListener}. */
    private final List<Consumer<ServerEvent>> eventHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Consumer<CloseInfo> closeListener;
    private final Consumer<Reconnecting> reconnectingListener;
    private final Consumer<Reconnected> reconnectedListener;
    private final Consumer<Disconnected> disconnectedListener;
    private volatile JoinResult joined;
    private volatile String resumeSecret;
    private volatile Duration lastReconnectDuration;

    private SignallingClient(Builder b) {
        this.uri = b.uri;
        LinkedHashSet<URI> ring = new LinkedHashSet<>();
        ring.add(b.uri);
        ring.addAll(b.failoverUris);
        this.failoverRing = List.copyOf(ring);
        this.reconnectPolicy = b.reconnectPolicy;
        this.keepaliveInterval = b.keepaliveInterval;
        this.keepaliveTimeout = b.keepaliveTimeout;
        this.jitter = b.jitter;
        this.http = b.httpClient != null ? b.httpClient : Shared.HTTP;
        this.requestTimeout = b.requestTimeout;
        this.maxPendingRequests = b.maxPendingRequests;
        this.maxMessageChars = b.maxMessageChars;
        this.eventQueueCapacity = b.eventQueueCapacity;
        this.events = new ArrayBlockingQueue<>(b.eventQueueCapacity);
        this.eventListener = b.eventListener;
        this.closeListener = b.closeListener;
        this.reconnectingListener = b.reconnectingListener;
        this.reconnectedListener = b.reconnectedListener;
        this.disconnectedListener = b.disconnectedListener;
    }

    /** A builder for a client of the master at {@code webSocketUri} ({@code ws://} or {@code wss://}). */
    public static Builder builder(URI webSocketUri) {
        return new Builder(webSocketUri);
    }

    /** Connects with default options (no reconnect, no keepalive). */
    public static SignallingClient connect(URI webSocketUri) throws IOException {
        return builder(webSocketUri).connect();
    }

    // ---------------------------------------------------------------- requests

    /** Sends any JSON-RPC request with the default timeout; the future holds {@code result}. */
    public CompletableFuture<JsonNode> request(String method, JsonNode params) {
        return request(method, params, requestTimeout);
    }

    /**
     * Sends any JSON-RPC request. Fails at once with {@link IOException} while reconnecting or after the end; a
     * request in flight when its socket is lost fails with {@link IOException} (it may or may not have been applied).
     */
    public CompletableFuture<JsonNode> request(String method, JsonNode params, Duration timeout) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(timeout, "timeout");
        SocketLink link = current;
        ConnectionState s = state;
        if (s == ConnectionState.RECONNECTING) {
            return CompletableFuture.failedFuture(new IOException("signalling is reconnecting after losing "
                    + uri + ", not sending " + method + "; retry after onReconnected"));
        }
        if (link == null || s == ConnectionState.CLOSED || !link.isOpen()) {
            return CompletableFuture.failedFuture(new IOException("signalling socket to " + uri + " is closed"));
        }
        return requestOn(link, method, params, timeout);
    }

    private CompletableFuture<JsonNode> requestOn(SocketLink link, String method, JsonNode params, Duration timeout) {
        if (pending.size() >= maxPendingRequests) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "too many requests in flight (limit " + maxPendingRequests + "), not sending " + method));
        }
        long id = nextId.getAndIncrement();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        pending.put(id, new Pending(method, link, future));
        ScheduledFuture<?> timer = Shared.TIMERS.schedule(() -> future.completeExceptionally(new TimeoutException(
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

    /** Joins with a token URL or {@code tok_...} token. */
    public CompletableFuture<JoinResult> joinRoom(String token, String metadata) {
        return joinRoom(TesseraToken.parse(token), metadata);
    }

    /** Joins the token's session; on success the client is {@link ConnectionState#JOINED} and can be resumed. */
    public CompletableFuture<JoinResult> joinRoom(TesseraToken token, String metadata) {
        return request("joinRoom", JsonRpcCodec.joinRoomParams(token, metadata)).thenApply(r -> {
            JoinResult j = JsonRpcCodec.joinResult(r);
            sequence.restartAt(j.seq());
            joined = j;
            rememberSecret(r);
            synchronized (stateLock) {
                if (state == ConnectionState.OPEN) {
                    state = ConnectionState.JOINED;
                }
            }
            return j;
        });
    }

    /** Leaves the session; from now on a lost socket is not resumed. */
    public CompletableFuture<JsonNode> leaveRoom() {
        notJoinedAnyMore();
        return request("leaveRoom", JsonRpcCodec.MAPPER.createObjectNode());
    }

    /** Sends {@code ping}; the result is {@code {"value":"pong"}}. */
    public CompletableFuture<JsonNode> ping() {
        return request("ping", pingParams(5000));
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
    /** Adds a listener for every event, besides the one of {@link #onEvent}; for SDK parts such as {@link MediaRecovery}. */
    void addEventHook(Consumer<ServerEvent> hook) {
        eventHooks.add(hook);
    }

    public SignallingClient onEvent(Consumer<ServerEvent> listener) {
        this.eventListener = listener;
        return this;
    }

    /** Called once when the client ends (not when a socket is lost and resumed); called at once if it already has. */
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

    /** The capacity of {@link #events()}. */
    public int eventQueueCapacity() {
        return eventQueueCapacity;
    }

    /** Events not queued because the queue was full (the listener saw them). */
    public long droppedEvents() {
        return dropped.get();
    }

    /** The {@code seq} of the last event delivered, or of the join result (0 before any). */
    public long lastSeq() {
        return sequence.last();
    }

    /** Events that arrived with a {@code seq} beyond the next expected one: events were lost in between. */
    public long gapsDetected() {
        return sequence.gaps();
    }

    /** Events dropped because their {@code seq} was already delivered (replayed again after a resume). */
    public long duplicatesDropped() {
        return sequence.duplicates();
    }

    /** How many times the client resumed on a new socket. */
    public long resumeCount() {
        return resumes.get();
    }

    /** From losing the socket to the {@code connect} answer, for the last successful resume; empty before any. */
    public Optional<Duration> lastReconnectDuration() {
        return Optional.ofNullable(lastReconnectDuration);
    }

    /** The latest resume secret (from {@code joinRoom} or {@code connect}); kept out of the public API. */
    String resumeSecret() {
        return resumeSecret;
    }

    /** Where the client is now. */
    public ConnectionState state() {
        return state;
    }

    /** The result of the last successful {@code joinRoom} or resume, or null before any. */
    public JoinResult joined() {
        return joined;
    }

    /** True when a socket is open and the client is not reconnecting or closed. */
    public boolean isOpen() {
        SocketLink link = current;
        ConnectionState s = state;
        return link != null && link.isOpen() && (s == ConnectionState.OPEN || s == ConnectionState.JOINED);
    }

    /** Completes with how the client ended. */
    public CompletableFuture<CloseInfo> closeFuture() {
        return closed.copy();
    }

    /** The URI the client was built with. */
    public URI uri() {
        return uri;
    }

    /** The master the current socket goes to; empty while reconnecting or closed. */
    public Optional<URI> currentUri() {
        SocketLink link = current;
        return link == null || state == ConnectionState.CLOSED ? Optional.empty() : Optional.of(link.uri());
    }

    /**
     * Ends the client: cancels a reconnect in progress, or closes the socket (normal closure), waiting at most 2 s for
     * the server's reply before aborting. Idempotent.
     */
    @Override
    public void close() {
        SocketLink link;
        SocketLink attemptLink;
        ReconnectLoop loop;
        synchronized (stateLock) {
            if (state == ConnectionState.CLOSED) {
                return;
            }
            state = ConnectionState.CLOSED;
            link = current;
            attemptLink = resuming;
            loop = reconnect;
            resuming = null;
            reconnect = null;
        }
        if (loop != null) {
            loop.cancel();
        }
        if (attemptLink != null) {
            attemptLink.abort("client closed while resuming");
        }
        if (link != null && link.isOpen()) {
            try {
                link.sendClose(WebSocket.NORMAL_CLOSURE, "client closing");
                link.endedFuture().get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("no close reply from {} in time, aborting", link.uri());
            } finally {
                link.abort("closed by client");
            }
        }
        finish(new CloseInfo(WebSocket.NORMAL_CLOSURE, "closed by client", null), null);
    }

    // ---------------------------------------------------------------- internals

    private static ObjectNode pingParams(long intervalMillis) {
        ObjectNode p = JsonRpcCodec.MAPPER.createObjectNode();
        p.put("interval", intervalMillis);
        return p;
    }

    private void rememberSecret(JsonNode result) {
        JsonNode secret = result.get("resumeSecret");
        if (secret != null && secret.isTextual() && !secret.asText().isEmpty()) {
            resumeSecret = secret.asText();
        }
    }

    private void notJoinedAnyMore() {
        synchronized (stateLock) {
            if (state == ConnectionState.JOINED) {
                state = ConnectionState.OPEN;
            }
        }
    }

    // Called with the link's messages only while it is the current link or the one being resumed.
    void handleText(SocketLink link, String text) {
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
                log.warn("error from {} for no pending request (id {}): {} {}", link.uri(), e.id(), e.code(), e.message());
            } else {
                p.future().completeExceptionally(e.toException());
            }
        } else if (in instanceof JsonRpcCodec.Notification n) {
            deliver(link, n.toEvent());
        } else if (in instanceof JsonRpcCodec.Invalid bad) {
            log.warn("ignoring message from {}: {}", link.uri(), bad.reason());
        }
    }

    // Under the sequence's lock so that events from an old and a new socket cannot interleave out of order.
    private void deliver(SocketLink link, ServerEvent event) {
        synchronized (sequence) {
            if (sequence.offer(event.seq()) == EventSequence.Verdict.DUPLICATE) {
                log.debug("dropping {} seq {}: already delivered", event.method(), event.seq());
                return;
            }
            link.countDelivered();
            if ("mediaNodeFailed".equals(event.method()) && event.params().hasNonNull("resumeSecret")) {
                // The session moved to another media node, which issued a new secret for resuming.
                resumeSecret = event.params().get("resumeSecret").asText();
            }
            if (isOwnEviction(event)) {
                notJoinedAnyMore();
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
            for (Consumer<ServerEvent> hook : eventHooks) {
                try {
                    hook.accept(event);
                } catch (RuntimeException e) {
                    log.warn("event hook failed on {}", event.method(), e);
                }
            }
        }
    }

    private boolean isOwnEviction(ServerEvent event) {
        JoinResult j = joined;
        return "participantEvicted".equals(event.method()) && j != null
                && Objects.equals(j.connectionId(), event.param("connectionId"));
    }

    private final class LinkOwner implements SocketLink.Owner {
        @Override
        public void onText(SocketLink link, String text) {
            boolean live;
            synchronized (stateLock) {
                // While connecting the opening socket is the only one, not yet recorded as current.
                live = link == current || link == resuming || state == ConnectionState.CONNECTING;
            }
            if (live) {
                handleText(link, text);
            }
        }

        @Override
        public void onEnded(SocketLink link, int statusCode, String reason, Throwable error) {
            linkEnded(link, statusCode, reason, error);
        }
    }

    private void linkEnded(SocketLink link, int statusCode, String reason, Throwable error) {
        IOException lost = new IOException("signalling socket to " + link.uri() + " lost (" + statusCode + " " + reason
                + ") before the answer; the request may or may not have been applied", error);
        pending.values().stream().filter(p -> p.link() == link).forEach(p -> p.future().completeExceptionally(lost));
        ReconnectLoop loop = null;
        synchronized (stateLock) {
            if (link != current || state == ConnectionState.CLOSED) {
                return; // an attempt's socket (its connect request just failed), an old socket, or close() under way
            }
            current = null;
            if (state == ConnectionState.JOINED && canResume()) {
                state = ConnectionState.RECONNECTING;
                loop = new ReconnectLoop(reconnectPolicy, failoverRing, link.uri(), Shared.TIMERS, jitter,
                        this::attemptResume, new LoopOutcome());
                reconnect = loop;
            }
        }
        if (loop != null) {
            log.info("signalling socket to {} lost ({} {}), resuming elsewhere", link.uri(), statusCode, reason);
            loop.start(error != null ? error : lost);
        } else {
            finish(new CloseInfo(statusCode, reason, error), null);
        }
    }

    private boolean canResume() {
        JoinResult j = joined;
        if (reconnectPolicy == null) {
            return false;
        }
        if (j == null || j.connectionId() == null || j.sessionId() == null || resumeSecret == null) {
            log.warn("cannot resume: the join result had no connection id, session id or resumeSecret");
            return false;
        }
        return true;
    }

    /** One attempt: open a socket, send {@code connect}, and on success make that socket the client's. */
    private CompletableFuture<ReconnectLoop.Resumed> attemptResume(URI target, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return SocketLink.open(http, target, timeout, maxMessageChars, linkOwner).thenCompose(link -> {
            synchronized (stateLock) {
                if (state != ConnectionState.RECONNECTING) {
                    link.abort("client no longer reconnecting");
                    return CompletableFuture.failedFuture(new IOException("client no longer reconnecting"));
                }
                resuming = link;
            }
            JoinResult j = joined;
            ObjectNode params = JsonRpcCodec.MAPPER.createObjectNode();
            params.put("sessionId", j.sessionId());
            params.put("connectionId", j.connectionId());
            params.put("resumeSecret", resumeSecret);
            params.put("lastSeq", sequence.last());
            Duration left = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadline - System.nanoTime()));
            return requestOn(link, "connect", params, left)
                    .thenApply(result -> adopt(link, result))
                    .whenComplete((r, e) -> {
                        if (e != null) {
                            abandon(link);
                        }
                    });
        });
    }

    // Runs on the socket's thread as the answer is handled, so later messages on it already count as current.
    private ReconnectLoop.Resumed adopt(SocketLink link, JsonNode result) {
        synchronized (stateLock) {
            if (state != ConnectionState.RECONNECTING || resuming != link) {
                throw new IllegalStateException("client closed while resuming");
            }
            resuming = null;
            reconnect = null;
            current = link;
            state = ConnectionState.JOINED;
        }
        // Not advancing the sequence from the result's seq: replayed events may still follow the answer.
        joined = JsonRpcCodec.joinResult(result);
        rememberSecret(result);
        resumes.incrementAndGet();
        return new ReconnectLoop.Resumed(joined, link.deliveredEvents());
    }

    private void abandon(SocketLink link) {
        synchronized (stateLock) {
            if (resuming == link) {
                resuming = null;
            }
        }
        link.abort("resume attempt on " + link.uri() + " abandoned");
    }

    private final class LoopOutcome implements ReconnectLoop.Outcome {
        @Override
        public void reconnecting(Reconnecting attempt) {
            log.debug("resume attempt {} on {} in {} ms", attempt.attempt(), attempt.uri(), attempt.delay().toMillis());
            notify(reconnectingListener, attempt);
        }

        @Override
        public void reconnected(Reconnected info) {
            lastReconnectDuration = info.elapsed();
            log.info("resumed on {} after {} attempt(s) in {} ms", info.uri(), info.attempts(), info.elapsed().toMillis());
            notify(reconnectedListener, info);
        }

        @Override
        public void disconnected(Disconnected info) {
            synchronized (stateLock) {
                if (state != ConnectionState.RECONNECTING) {
                    return; // close() won
                }
                reconnect = null;
            }
            log.warn("resuming failed ({}): {}", info.reason(), info.detail());
            finish(new CloseInfo(-1, "resume failed: " + info.reason() + ": " + info.detail(), info.cause()), info);
        }

        private <T> void notify(Consumer<T> listener, T value) {
            if (listener != null) {
                try {
                    listener.accept(value);
                } catch (RuntimeException e) {
                    log.warn("reconnect listener failed", e);
                }
            }
        }
    }

    private void startKeepalive() {
        if (keepaliveInterval == null) {
            return;
        }
        synchronized (stateLock) {
            if (state != ConnectionState.CLOSED) {
                long ms = keepaliveInterval.toMillis();
                keepaliveTask = Shared.TIMERS.scheduleWithFixedDelay(this::keepaliveTick, ms, ms, TimeUnit.MILLISECONDS);
            }
        }
    }

    // A frozen master keeps TCP open but says nothing: silence longer than the timeout means the socket is dead.
    private void keepaliveTick() {
        SocketLink link = current;
        ConnectionState s = state;
        if (link == null || (s != ConnectionState.OPEN && s != ConnectionState.JOINED)) {
            return;
        }
        long silentMs = TimeUnit.NANOSECONDS.toMillis(link.silentNanos());
        if (silentMs > keepaliveTimeout.toMillis()) {
            log.info("nothing from {} for {} ms (keepalive timeout {} ms): dropping the socket", link.uri(), silentMs,
                    keepaliveTimeout.toMillis());
            link.abort("no message from " + link.uri() + " for " + silentMs + " ms (keepalive)");
            return;
        }
        requestOn(link, "ping", pingParams(keepaliveInterval.toMillis()), keepaliveTimeout)
                .exceptionally(e -> null); // the silence check above is what decides
    }

    private void finish(CloseInfo info, Disconnected disconnected) {
        ScheduledFuture<?> keepalive;
        synchronized (stateLock) {
            state = ConnectionState.CLOSED;
            keepalive = keepaliveTask;
            keepaliveTask = null;
        }
        if (keepalive != null) {
            keepalive.cancel(false);
        }
        if (!closed.complete(info)) {
            return;
        }
        IOException cause = new IOException("signalling closed (" + info.statusCode() + " " + info.reason() + ")",
                info.error());
        List<Pending> left = new ArrayList<>(pending.values());
        left.forEach(p -> p.future().completeExceptionally(cause));
        if (disconnected != null && disconnectedListener != null) {
            try {
                disconnectedListener.accept(disconnected);
            } catch (RuntimeException e) {
                log.warn("disconnected listener failed", e);
            }
        }
        Consumer<CloseInfo> l;
        synchronized (closeLock) {
            // Under the lock so that a listener set concurrently is called exactly once.
            l = closeNotified.compareAndSet(false, true) ? closeListener : null;
        }
        if (l != null) {
            try {
                l.accept(info);
            } catch (RuntimeException e) {
                log.warn("close listener failed", e);
            }
        }
    }

    /** Options for one client; every queue, wait and retry is bounded. */
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
        private List<URI> failoverUris = List.of();
        private ReconnectPolicy reconnectPolicy;
        // On by default: masters cut off a client that sends nothing for 20 s (like openvidu-browser's 5 s ping).
        private Duration keepaliveInterval = Duration.ofSeconds(5);
        private Duration keepaliveTimeout = Duration.ofSeconds(15);
        private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
        private Consumer<Reconnecting> reconnectingListener;
        private Consumer<Reconnected> reconnectedListener;
        private Consumer<Disconnected> disconnectedListener;

        private Builder(URI uri) {
            this.uri = webSocketUri(uri);
        }

        /** How long opening the first socket may take (default 10 s). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /** The default timeout of a request (default 10 s). */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive(d, "requestTimeout");
            return this;
        }

        /** The capacity of the event queue (default 10 000). */
        public Builder eventQueueCapacity(int n) {
            this.eventQueueCapacity = atLeastOne(n, "eventQueueCapacity");
            return this;
        }

        /** How many requests may wait for an answer at once (default 1 000). */
        public Builder maxPendingRequests(int n) {
            this.maxPendingRequests = atLeastOne(n, "maxPendingRequests");
            return this;
        }

        /** The longest message accepted from the server; longer ones are dropped (default 4 Mi chars). */
        public Builder maxMessageChars(int n) {
            this.maxMessageChars = atLeastOne(n, "maxMessageChars");
            return this;
        }

        /** The HTTP client that opens the sockets (default: one shared by all clients of this JVM). */
        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        /**
         * For {@code wss://} masters whose certificate the JVM's default trust store does not know (a private CA, a
         * self-signed cluster certificate in tests): the sockets are opened by an HTTP client of their own that
         * trusts what {@code context} trusts. Host names are still verified. Short for
         * {@code httpClient(HttpClient.newBuilder().sslContext(context).build())}; clients sharing one context should
         * share one such HTTP client through {@link #httpClient} instead.
         */
        public Builder sslContext(SSLContext context) {
            this.httpClient = HttpClient.newBuilder().sslContext(Objects.requireNonNull(context, "context")).build();
            return this;
        }

        /** Set here rather than after connecting so that no event can arrive before the listener. */
        public Builder onEvent(Consumer<ServerEvent> listener) {
            this.eventListener = listener;
            return this;
        }

        /** Called once when the client ends; see {@link SignallingClient#onClose}. */
        public Builder onClose(Consumer<CloseInfo> listener) {
            this.closeListener = listener;
            return this;
        }

        /**
         * Other masters (or one load-balancer URL) to resume on; the URI given to {@link SignallingClient#builder}
         * is part of the ring too. Attempts go round robin, starting with the URI after the one lost. Needs
         * {@link #reconnect(ReconnectPolicy)}.
         */
        public Builder failoverUris(List<URI> uris) {
            List<URI> checked = new ArrayList<>();
            for (URI u : Objects.requireNonNull(uris, "uris")) {
                checked.add(webSocketUri(u));
            }
            this.failoverUris = List.copyOf(checked);
            return this;
        }

        /** Turns on resuming a joined session after losing the socket (off by default). */
        public Builder reconnect(ReconnectPolicy policy) {
            this.reconnectPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Sends {@code ping} every {@code interval} and drops the socket when nothing at all (answer or event) came
         * for {@code timeout}: how a master frozen with its TCP connection still open is noticed. Default 5 s / 15 s
         * (masters close sockets silent for 20 s); 1 s / 3 s is recommended with {@link #reconnect(ReconnectPolicy)}.
         */
        public Builder keepalive(Duration interval, Duration timeout) {
            positive(interval, "keepalive interval");
            positive(timeout, "keepalive timeout");
            if (timeout.compareTo(interval) <= 0) {
                throw new IllegalArgumentException("keepalive timeout " + timeout + " must exceed the interval "
                        + interval + ", or every quiet interval would drop the socket");
            }
            this.keepaliveInterval = interval;
            this.keepaliveTimeout = timeout;
            return this;
        }

        /** No keepalive pings: only for servers that do not cut off silent clients (Tessera's masters do, after 20 s). */
        public Builder keepaliveOff() {
            this.keepaliveInterval = null;
            this.keepaliveTimeout = null;
            return this;
        }

        /** Called before each resume attempt, on an SDK thread: keep it short. */
        public Builder onReconnecting(Consumer<Reconnecting> listener) {
            this.reconnectingListener = listener;
            return this;
        }

        /** Called after a resume succeeded, on an SDK thread: keep it short. */
        public Builder onReconnected(Consumer<Reconnected> listener) {
            this.reconnectedListener = listener;
            return this;
        }

        /** Called when resuming failed for good (then {@code onClose} follows); the application must join again. */
        public Builder onDisconnected(Consumer<Disconnected> listener) {
            this.disconnectedListener = listener;
            return this;
        }

        // Tests pin the jitter to make the backoff sequence exact.
        Builder jitter(DoubleSupplier unitRandom) {
            this.jitter = Objects.requireNonNull(unitRandom, "unitRandom");
            return this;
        }

        /** Opens the first socket; the future fails when it cannot be opened within the connect timeout. */
        public CompletableFuture<SignallingClient> connectAsync() {
            if (!failoverUris.isEmpty() && reconnectPolicy == null) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "failoverUris are only used when resuming: set reconnect(ReconnectPolicy) too"));
            }
            SignallingClient client = new SignallingClient(this);
            return SocketLink.open(client.http, uri, connectTimeout, maxMessageChars, client.linkOwner).thenApply(link -> {
                synchronized (client.stateLock) {
                    client.current = link;
                    client.state = ConnectionState.OPEN;
                }
                // Lost while connecting: report it now that the link is the client's.
                if (!link.isOpen()) {
                    client.finish(new CloseInfo(-1, "socket to " + uri + " closed at once", null), null);
                }
                client.startKeepalive();
                return client;
            });
        }

        /** Opens the first socket, waiting at most the connect timeout. */
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
                if (c instanceof IllegalStateException ise) {
                    throw ise;
                }
                if (c instanceof TimeoutException) {
                    throw new IOException("could not connect to " + uri + " within " + connectTimeout.toMillis() + " ms", c);
                }
                throw new IOException("could not connect to " + uri + ": " + c, c);
            }
        }

        private static URI webSocketUri(URI uri) {
            Objects.requireNonNull(uri, "uri");
            String s = uri.getScheme();
            if (!"ws".equalsIgnoreCase(s) && !"wss".equalsIgnoreCase(s)) {
                throw new IllegalArgumentException("WebSocket URI must be ws:// or wss://, got " + uri);
            }
            return uri;
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
