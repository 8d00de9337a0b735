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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection behind a {@link SignallingClient}: which socket is in use and the {@link ConnectionState}. Moves
 * between the states as sockets open, are joined, are lost and are resumed, and ends exactly once. Owns every socket
 * of the client: a message is handled only while its socket is the one in use or the resume attempt's, so an old
 * socket cannot slip a late answer or event in. Starts a {@link Resumption} when a joined socket is lost and a
 * {@link Keepalive} for the socket in use; each sees only a narrow interface of this class.
 */
final class SignallingConnection {

    private static final Logger log = LoggerFactory.getLogger(SignallingConnection.class);

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

    SignallingConnection(ClientOptions options, Callbacks callbacks, PendingRequests requests,
                         EventDelivery delivery) {
        this.options = options;
        this.callbacks = callbacks;
        this.requests = requests;
        this.delivery = delivery;
    }

    /** Opens the first socket within {@code timeout}. */
    CompletableFuture<Void> open(Duration timeout) {
        URI uri = options.uri();
        return SocketLink.open(options.http(), uri, timeout, options.maxMessageChars(), linkOwner).thenAccept(link -> {
            synchronized (stateLock) {
                current = link;
                state = ConnectionState.OPEN;
            }
            // Lost while connecting: report it now that the link is the client's.
            if (!link.isOpen()) {
                finish(new CloseInfo(-1, "socket to " + uri + " closed at once", null), null);
            }
            startKeepalive();
        });
    }

    /** A {@code joinRoom} succeeded: its result is what a resume sends back, and the state becomes JOINED. */
    void joined(JoinResult result, JsonNode rawResult) {
        delivery.restartAt(result.seq());
        joined = result;
        rememberSecret(rawResult);
        synchronized (stateLock) {
            if (state == ConnectionState.OPEN) {
                state = ConnectionState.JOINED;
            }
        }
    }

    ConnectionState state() {
        return state;
    }

    /** The socket in use; null before the first opened, while reconnecting, and possibly after the end. */
    SocketLink current() {
        return current;
    }

    JoinResult joined() {
        return joined;
    }

    String resumeSecret() {
        return resumeSecret;
    }

    long resumeCount() {
        return resumes.get();
    }

    Duration lastReconnectDuration() {
        return lastReconnectDuration;
    }

    CompletableFuture<CloseInfo> closeFuture() {
        return closed.copy();
    }

    /** Ends the connection: see {@link SignallingClient#close()}. */
    void close() {
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

    private void rememberSecret(JsonNode result) {
        JsonNode secret = result.get("resumeSecret");
        if (secret != null && secret.isTextual() && !secret.asText().isEmpty()) {
            resumeSecret = secret.asText();
        }
    }

    /** Leaving or evicted: from now on a lost socket is not resumed. */
    void notJoinedAnyMore() {
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
            return requests.send(link, "connect", JsonRpcCodec.connectParams(j.sessionId(), j.connectionId(),
                    resumeSecret, delivery.lastSeq()), timeout);
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

    /** The params of {@code ping}: {@code interval} tells the master how often to expect one. */
    static ObjectNode pingParams(long intervalMillis) {
        return JsonRpcCodec.pingParams(intervalMillis);
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
