package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.client.SignallingListener.CloseInfo;
import io.tessera.client.SignallingListener.Disconnected;
import io.tessera.client.SignallingListener.Reconnected;
import io.tessera.client.SignallingListener.Reconnecting;
import java.io.IOException;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A signalling connection to Tessera masters, speaking OpenVidu 2 JSON-RPC over WebSocket.
 *
 * <p>Requests return futures completed by the matching response, failed with {@link JsonRpcException} on an error
 * response, or with {@link TimeoutException} after the request timeout. Server notifications go to a bounded queue
 * ({@link #events()}, {@link #nextEvent(Duration)}) and to an optional {@link SignallingListener}; when the queue is
 * full new events are dropped and counted ({@link #droppedEvents()}), never blocking the socket.
 *
 * <p>With {@link SignallingClientBuilder#reconnect(ReconnectPolicy)}, a joined client whose socket is lost (the master
 * died, or was found frozen by the {@linkplain SignallingClientBuilder#keepalive keepalive}) opens a socket to another
 * master and resumes with {@code connect}; the same object keeps working and the application sees every event exactly
 * once, in order. See the module README for the details.
 *
 * <p>This class holds the connection's state ({@link ConnectionState} and the socket in use) and the requests; the
 * resume runs in {@link Resumption}, the pings in {@link Keepalive}, event delivery in {@link EventDelivery}.
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

    private final ClientOptions options;
    private final Callbacks callbacks;
    private final PendingRequests requests;
    private final EventDelivery delivery;
    private final SocketLink.Owner linkOwner = new LinkOwner();
    private final AtomicLong resumes = new AtomicLong();
    private final CompletableFuture<CloseInfo> closed = new CompletableFuture<>();
    private final Object stateLock = new Object();
    private volatile ConnectionState state = ConnectionState.CONNECTING; // written under stateLock
    private volatile SocketLink current; // written under stateLock; null while reconnecting
    private Resumption resumption; // guarded by stateLock; set while RECONNECTING
    private Keepalive keepalive; // guarded by stateLock
    private volatile JoinResult joined;
    private volatile String resumeSecret;
    private volatile Duration lastReconnectDuration;

    SignallingClient(ClientOptions options, Callbacks callbacks) {
        this.options = options;
        this.callbacks = callbacks;
        this.requests = new PendingRequests(options.maxPendingRequests(), SharedResources.TIMERS);
        this.delivery = new EventDelivery(options.eventQueueCapacity(), callbacks);
    }

    /** A builder for a client of the master at {@code webSocketUri} ({@code ws://} or {@code wss://}). */
    public static SignallingClientBuilder builder(URI webSocketUri) {
        return new SignallingClientBuilder(webSocketUri);
    }

    /** Connects with default options (no reconnect, keepalive 5 s / 15 s). */
    public static SignallingClient connect(URI webSocketUri) throws IOException {
        return builder(webSocketUri).connect();
    }

    /** Opens the first socket within {@code timeout}; the builder's last step. */
    CompletableFuture<SignallingClient> open(Duration timeout) {
        URI uri = options.uri();
        return SocketLink.open(options.http(), uri, timeout, options.maxMessageChars(), linkOwner).thenApply(link -> {
            synchronized (stateLock) {
                current = link;
                state = ConnectionState.OPEN;
            }
            // Lost while connecting: report it now that the link is the client's.
            if (!link.isOpen()) {
                finish(new CloseInfo(-1, "socket to " + uri + " closed at once", null), null);
            }
            startKeepalive();
            return this;
        });
    }

    // ---------------------------------------------------------------- requests

    /** Sends any JSON-RPC request with the default timeout; the future holds {@code result}. */
    public CompletableFuture<JsonNode> request(String method, JsonNode params) {
        return request(method, params, options.requestTimeout());
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
                    + options.uri() + ", not sending " + method + "; retry after onReconnected"));
        }
        if (link == null || s == ConnectionState.CLOSED || !link.isOpen()) {
            return CompletableFuture.failedFuture(new IOException(
                    "signalling socket to " + options.uri() + " is closed"));
        }
        return requests.send(link, method, params, timeout);
    }

    /** Joins with a token URL or {@code tok_...} token. */
    public CompletableFuture<JoinResult> joinRoom(String token, String metadata) {
        return joinRoom(TesseraToken.parse(token), metadata);
    }

    /** Joins the token's session; on success the client is {@link ConnectionState#JOINED} and can be resumed. */
    public CompletableFuture<JoinResult> joinRoom(TesseraToken token, String metadata) {
        return request("joinRoom", JsonRpcCodec.joinRoomParams(token, metadata)).thenApply(r -> {
            JoinResult j = JsonRpcCodec.joinResult(r);
            delivery.restartAt(j.seq());
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
        return delivery.queue();
    }

    /** Waits up to {@code timeout} for the next event; empty on timeout or interrupt (the flag is kept). */
    public Optional<ServerEvent> nextEvent(Duration timeout) {
        try {
            return Optional.ofNullable(delivery.queue().poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Replaces the listener called for every event, on the socket's thread, after it is queued: keep it short. */
    public SignallingClient onEvent(Consumer<ServerEvent> listener) {
        callbacks.replaceOnEvent(listener);
        return this;
    }

    /** Adds a listener for every event, besides the one of {@link #onEvent}; for SDK parts such as {@link MediaRecovery}. */
    void addEventHook(Consumer<ServerEvent> hook) {
        callbacks.addEventHook(hook);
    }

    /** Called once when the client ends (not when a socket is lost and resumed); called at once if it already has. */
    public SignallingClient onClose(Consumer<CloseInfo> listener) {
        callbacks.replaceOnClose(listener);
        return this;
    }

    /** The capacity of {@link #events()}. */
    public int eventQueueCapacity() {
        return delivery.capacity();
    }

    /** Events not queued because the queue was full (the listener saw them). */
    public long droppedEvents() {
        return delivery.dropped();
    }

    /** The {@code seq} of the last event delivered, or of the join result (0 before any). */
    public long lastSeq() {
        return delivery.lastSeq();
    }

    /** Events that arrived with a {@code seq} beyond the next expected one: events were lost in between. */
    public long gapsDetected() {
        return delivery.gaps();
    }

    /** Events dropped because their {@code seq} was already delivered (replayed again after a resume). */
    public long duplicatesDropped() {
        return delivery.duplicates();
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
        return options.uri();
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
        Resumption resuming;
        synchronized (stateLock) {
            if (state == ConnectionState.CLOSED) {
                return;
            }
            state = ConnectionState.CLOSED;
            link = current;
            resuming = resumption;
            resumption = null;
        }
        if (resuming != null) {
            resuming.cancel();
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
    private void handleText(SocketLink link, String text) {
        JsonRpcCodec.Incoming in = JsonRpcCodec.decode(text);
        if (in instanceof JsonRpcCodec.Result r) {
            requests.answer(r.id(), r.result());
        } else if (in instanceof JsonRpcCodec.Error e) {
            if (!requests.refuse(e.id(), e.toException())) {
                log.warn("error from {} for no pending request (id {}): {} {}", link.uri(), e.id(), e.code(), e.message());
            }
        } else if (in instanceof JsonRpcCodec.Notification n) {
            ServerEvent event = n.toEvent();
            delivery.deliver(event, () -> {
                link.countDelivered();
                learnFrom(event);
            });
        } else if (in instanceof JsonRpcCodec.Invalid bad) {
            log.warn("ignoring message from {}: {}", link.uri(), bad.reason());
        }
    }

    /** What the client itself takes from an event it delivers. */
    private void learnFrom(ServerEvent event) {
        if ("mediaNodeFailed".equals(event.method()) && event.params().hasNonNull("resumeSecret")) {
            // The session moved to another media node, which issued a new secret for resuming.
            resumeSecret = event.params().get("resumeSecret").asText();
        }
        JoinResult j = joined;
        if ("participantEvicted".equals(event.method()) && j != null
                && Objects.equals(j.connectionId(), event.param("connectionId"))) {
            notJoinedAnyMore();
        }
    }

    private final class LinkOwner implements SocketLink.Owner {
        @Override
        public void onText(SocketLink link, String text) {
            boolean live;
            synchronized (stateLock) {
                // While connecting the opening socket is the only one, not yet recorded as current.
                live = link == current || state == ConnectionState.CONNECTING
                        || (resumption != null && resumption.isAttempt(link));
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
        requests.failSentOn(link, lost);
        Resumption started = null;
        synchronized (stateLock) {
            if (link != current || state == ConnectionState.CLOSED) {
                return; // an attempt's socket (its connect request just failed), an old socket, or close() under way
            }
            current = null;
            if (state == ConnectionState.JOINED && canResume()) {
                state = ConnectionState.RECONNECTING;
                started = new Resumption(options.reconnectPolicy(), options.failoverRing(), link.uri(),
                        SharedResources.TIMERS, options.jitter(), new ResumeHooks());
                resumption = started;
            }
        }
        if (started != null) {
            log.info("signalling socket to {} lost ({} {}), resuming elsewhere", link.uri(), statusCode, reason);
            started.start(error != null ? error : lost);
        } else {
            finish(new CloseInfo(statusCode, reason, error), null);
        }
    }

    private boolean canResume() {
        JoinResult j = joined;
        if (options.reconnectPolicy() == null) {
            return false;
        }
        if (j == null || j.connectionId() == null || j.sessionId() == null || resumeSecret == null) {
            log.warn("cannot resume: the join result had no connection id, session id or resumeSecret");
            return false;
        }
        return true;
    }

    /** The client as a {@link Resumption} sees it: sockets to open, the {@code connect} to send, the outcome. */
    private final class ResumeHooks implements Resumption.Client {
        @Override
        public CompletableFuture<SocketLink> open(URI uri, Duration timeout) {
            return SocketLink.open(options.http(), uri, timeout, options.maxMessageChars(), linkOwner);
        }

        @Override
        public CompletableFuture<JsonNode> sendConnect(SocketLink link, Duration timeout) {
            JoinResult j = joined;
            ObjectNode params = JsonRpcCodec.MAPPER.createObjectNode();
            params.put("sessionId", j.sessionId());
            params.put("connectionId", j.connectionId());
            params.put("resumeSecret", resumeSecret);
            params.put("lastSeq", delivery.lastSeq());
            return requests.send(link, "connect", params, timeout);
        }

        @Override
        public ReconnectLoop.Resumed adopt(SocketLink link, JsonNode result) {
            synchronized (stateLock) {
                if (state != ConnectionState.RECONNECTING || resumption == null || !resumption.isAttempt(link)) {
                    throw new IllegalStateException("client closed while resuming");
                }
                resumption = null;
                current = link;
                state = ConnectionState.JOINED;
            }
            // Not advancing the sequence from the result's seq: replayed events may still follow the answer.
            JoinResult j = JsonRpcCodec.joinResult(result);
            joined = j;
            rememberSecret(result);
            resumes.incrementAndGet();
            return new ReconnectLoop.Resumed(j, link.deliveredEvents());
        }

        @Override
        public void reconnecting(Reconnecting attempt) {
            log.debug("resume attempt {} on {} in {} ms", attempt.attempt(), attempt.uri(), attempt.delay().toMillis());
            callbacks.onReconnecting(attempt);
        }

        @Override
        public void reconnected(Reconnected info) {
            lastReconnectDuration = info.elapsed();
            log.info("resumed on {} after {} attempt(s) in {} ms", info.uri(), info.attempts(), info.elapsed().toMillis());
            callbacks.onReconnected(info);
        }

        @Override
        public void disconnected(Disconnected info) {
            synchronized (stateLock) {
                if (state != ConnectionState.RECONNECTING) {
                    return; // close() won
                }
                resumption = null;
            }
            log.warn("resuming failed ({}): {}", info.reason(), info.detail());
            finish(new CloseInfo(-1, "resume failed: " + info.reason() + ": " + info.detail(), info.cause()), info);
        }
    }

    private void startKeepalive() {
        if (options.keepaliveInterval() == null) {
            return;
        }
        synchronized (stateLock) {
            if (state != ConnectionState.CLOSED) {
                keepalive = Keepalive.start(options.keepaliveInterval(), options.keepaliveTimeout(),
                        new KeepaliveHooks(), SharedResources.TIMERS);
            }
        }
    }

    /** The client as its {@link Keepalive} sees it: the socket in use, and how to ping on it. */
    private final class KeepaliveHooks implements Keepalive.Connection {
        @Override
        public SocketLink liveLink() {
            SocketLink link = current;
            ConnectionState s = state;
            return s == ConnectionState.OPEN || s == ConnectionState.JOINED ? link : null;
        }

        @Override
        public void ping(SocketLink link, Duration interval, Duration timeout) {
            requests.send(link, "ping", pingParams(interval.toMillis()), timeout)
                    .exceptionally(e -> null); // the keepalive's silence check is what decides
        }
    }

    private void finish(CloseInfo info, Disconnected disconnected) {
        Keepalive pinging;
        synchronized (stateLock) {
            state = ConnectionState.CLOSED;
            pinging = keepalive;
            keepalive = null;
        }
        if (pinging != null) {
            pinging.stop();
        }
        if (!closed.complete(info)) {
            return;
        }
        requests.failAll(new IOException("signalling closed (" + info.statusCode() + " " + info.reason() + ")",
                info.error()));
        if (disconnected != null) {
            callbacks.onDisconnected(disconnected);
        }
        callbacks.onClose(info);
    }
}
