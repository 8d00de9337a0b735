package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.SignallingListener.CloseInfo;
import io.tessera.wire.jsonrpc.OpenViduRequest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

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
 * <p>This class is the API; the socket in use and the {@link ConnectionState} are kept by a
 * {@link SignallingConnection}, which resumes through a {@link Resumption} and pings through a {@link Keepalive};
 * requests wait in {@link PendingRequests}, events go out through {@link EventDelivery}.
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

    private final ClientOptions options;
    private final Callbacks callbacks;
    private final PendingRequests requests;
    private final EventDelivery delivery;
    private final SignallingConnection connection;

    SignallingClient(ClientOptions options, Callbacks callbacks) {
        this.options = options;
        this.callbacks = callbacks;
        this.requests = new PendingRequests(options.maxPendingRequests(), SharedResources.TIMERS);
        this.delivery = new EventDelivery(options.eventQueueCapacity(), callbacks);
        this.connection = new SignallingConnection(options, callbacks, requests, delivery);
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
        return connection.open(timeout).thenApply(opened -> this);
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
        SocketLink link = connection.current();
        ConnectionState s = connection.state();
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
            connection.joined(j, r);
            return j;
        });
    }

    /** Leaves the session; from now on a lost socket is not resumed. */
    public CompletableFuture<JsonNode> leaveRoom() {
        connection.notJoinedAnyMore();
        return request("leaveRoom", new OpenViduRequest.LeaveRoom().params());
    }

    /** Sends {@code ping}; the result is {@code {"value":"pong"}}. */
    public CompletableFuture<JsonNode> ping() {
        return request("ping", SignallingConnection.pingParams(5000));
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

    /**
     * {@link #receiveVideoFrom}, with the whole result: after a move the node may answer an offer for a stream's old
     * id with the stream published again under a new one, named by the result's {@code id} (docs/CONTRACT.md).
     */
    CompletableFuture<JsonNode> receiveVideoFromResult(String streamId, String sdpOffer) {
        return request("receiveVideoFrom", JsonRpcCodec.receiveVideoFromParams(streamId, sdpOffer));
    }

    /** Stops publishing our stream; subscribers get {@code participantUnpublished}. */
    public CompletableFuture<JsonNode> unpublishVideo() {
        return request("unpublishVideo", new OpenViduRequest.UnpublishVideo().params());
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
        return connection.resumeCount();
    }

    /** From losing the socket to the {@code connect} answer, for the last successful resume; empty before any. */
    public Optional<Duration> lastReconnectDuration() {
        return Optional.ofNullable(connection.lastReconnectDuration());
    }

    /** The latest resume secret (from {@code joinRoom} or {@code connect}); kept out of the public API. */
    String resumeSecret() {
        return connection.resumeSecret();
    }

    /** Where the client is now. */
    public ConnectionState state() {
        return connection.state();
    }

    /** The result of the last successful {@code joinRoom} or resume, or null before any. */
    public JoinResult joined() {
        return connection.joined();
    }

    /** True when a socket is open and the client is not reconnecting or closed. */
    public boolean isOpen() {
        SocketLink link = connection.current();
        ConnectionState s = connection.state();
        return link != null && link.isOpen() && (s == ConnectionState.OPEN || s == ConnectionState.JOINED);
    }

    /** Completes with how the client ended. */
    public CompletableFuture<CloseInfo> closeFuture() {
        return connection.closeFuture();
    }

    /** The URI the client was built with. */
    public URI uri() {
        return options.uri();
    }

    /** The master the current socket goes to; empty while reconnecting or closed. */
    public Optional<URI> currentUri() {
        SocketLink link = connection.current();
        return link == null || connection.state() == ConnectionState.CLOSED ? Optional.empty() : Optional.of(link.uri());
    }

    /**
     * Ends the client: cancels a reconnect in progress, or closes the socket (normal closure), waiting at most 2 s for
     * the server's reply before aborting. Idempotent.
     */
    @Override
    public void close() {
        connection.close();
    }
}
