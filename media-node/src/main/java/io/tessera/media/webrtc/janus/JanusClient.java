package io.tessera.media.webrtc.janus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The media node's connection to its Janus: one WebSocket ({@code janus-protocol}) and one Janus session on it, kept
 * alive by a keepalive well inside Janus's {@code session_timeout}. Janus destroys the session and every handle of it
 * when this socket closes, which is why the media node, not a master, holds it.
 *
 * <p>All requests are asynchronous and end within the request timeout, with a {@link JanusException} carrying
 * Janus's code and reason when Janus refuses.
 */
public final class JanusClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JanusClient.class);
    public static final String PROTOCOL = "janus-protocol";
    public static final String VIDEOROOM_PLUGIN = "janus.plugin.videoroom";
    /** Well inside {@link JanusConfigWriter#SESSION_TIMEOUT_SECONDS}, so one lost keepalive does not end the session. */
    static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(15);

    /** How a client talks to Janus. */
    public record Options(Duration requestTimeout, int maxPendingRequests, Optional<String> apiSecret,
                          Duration keepaliveInterval) {
        public Options {
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(keepaliveInterval, "keepaliveInterval");
            if (maxPendingRequests < 1) {
                throw new IllegalArgumentException("maxPendingRequests must be positive");
            }
            if (keepaliveInterval.isNegative() || keepaliveInterval.isZero()) {
                throw new IllegalArgumentException("keepaliveInterval must be positive");
            }
        }

        public Options(Duration requestTimeout, int maxPendingRequests, Optional<String> apiSecret) {
            this(requestTimeout, maxPendingRequests, apiSecret, KEEPALIVE_INTERVAL);
        }

        public static Options defaults(Optional<String> apiSecret) {
            return new Options(Duration.ofSeconds(10), 1024, apiSecret);
        }

        public Options withKeepaliveInterval(Duration interval) {
            return new Options(requestTimeout, maxPendingRequests, apiSecret, interval);
        }

        @Override
        public String toString() {
            return "Options[requestTimeout=" + requestTimeout + ", maxPendingRequests=" + maxPendingRequests
                    + ", keepaliveInterval=" + keepaliveInterval + "]";
        }
    }

    private final JanusSocket socket;
    private final Options options;
    private final JanusEvent.Listener listener;
    private final ScheduledExecutorService keepalives;
    private volatile long sessionId;
    private volatile ScheduledFuture<?> keepalive;

    private JanusClient(JanusSocket socket, Options options, JanusEvent.Listener listener,
                        ScheduledExecutorService keepalives) {
        this.socket = socket;
        this.options = options;
        this.listener = listener;
        this.keepalives = keepalives;
    }

    /** Connects to Janus at {@code uri} (e.g. {@code ws://127.0.0.1:8188}) and creates the session. */
    public static CompletableFuture<JanusClient> connect(URI uri, Options options, JanusEvent.Listener listener) {
        ScheduledExecutorService keepalives = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "janus-keepalive");
            thread.setDaemon(true);
            return thread;
        });
        JanusClient[] holder = new JanusClient[1];
        return JanusSocket.open(uri, PROTOCOL, options.requestTimeout(), options.maxPendingRequests(),
                        message -> {
                            if (holder[0] != null) {
                                holder[0].onUnasked(message);
                            }
                        },
                        reason -> {
                            keepalives.shutdownNow();
                            listener.onClosed(reason);
                        })
                .thenCompose(socket -> {
                    JanusClient client = new JanusClient(socket, options, listener, keepalives);
                    holder[0] = client;
                    return client.createSession().thenApply(ignored -> client);
                })
                .whenComplete((client, error) -> {
                    if (error != null) {
                        keepalives.shutdownNow();
                        if (holder[0] != null) {
                            holder[0].socket.close();
                        }
                    }
                });
    }

    /** Janus's session id of this client (Janus's numeric id). */
    public long sessionId() {
        return sessionId;
    }

    public boolean isOpen() {
        return socket.isOpen();
    }

    /** Requests sent but not yet answered (bounded by {@link Options#maxPendingRequests()}). */
    public int pendingRequests() {
        return socket.pendingCount();
    }

    /** Answers {@code pong} when Janus's core is alive; needs no session. */
    public CompletableFuture<Void> ping() {
        return socket.request(base("ping"), JanusSocket.Reply.FIRST).thenApply(reply -> {
            expect(reply, "pong");
            return null;
        });
    }

    /** Attaches a handle of the VideoRoom plugin to this session. */
    public CompletableFuture<VideoRoomHandle> attachVideoRoom() {
        ObjectNode attach = sessionRequest("attach");
        attach.put("plugin", VIDEOROOM_PLUGIN);
        return socket.request(attach, JanusSocket.Reply.FIRST).thenApply(reply -> {
            expect(reply, "success");
            return new VideoRoomHandle(this, reply.path("data").path("id").asLong());
        });
    }

    @Override
    public void close() {
        ScheduledFuture<?> task = keepalive;
        if (task != null) {
            task.cancel(false);
        }
        keepalives.shutdownNow();
        if (socket.isOpen() && sessionId != 0) {
            // Janus destroys the session's handles with it; whether it answers in time does not matter any more.
            socket.send(sessionRequest("destroy"));
        }
        socket.close();
    }

    // --- used by VideoRoomHandle ---

    /** A plugin message on {@code handleId}: {@code body}, optionally a JSEP, ended as {@code reply} says. */
    CompletableFuture<JsonNode> message(long handleId, ObjectNode body, JsonNode jsep, JanusSocket.Reply reply) {
        ObjectNode message = handleRequest("message", handleId);
        message.set("body", body);
        if (jsep != null) {
            message.set("jsep", jsep);
        }
        return socket.request(message, reply);
    }

    /** A request of Janus's core about a handle ({@code trickle}, {@code detach}, {@code hangup}). */
    CompletableFuture<JsonNode> handleRequest(long handleId, ObjectNode fields) {
        ObjectNode request = handleRequest(fields.path("janus").asText(), handleId);
        fields.fields().forEachRemaining(field -> request.set(field.getKey(), field.getValue()));
        return socket.request(request, JanusSocket.Reply.FIRST);
    }

    static void expect(JsonNode reply, String janus) {
        if (!janus.equals(reply.path("janus").asText())) {
            throw JanusException.local("Janus answered '" + reply.path("janus").asText() + "' where '" + janus
                    + "' was expected");
        }
    }

    // --- internals ---

    private CompletableFuture<Void> createSession() {
        return socket.request(base("create"), JanusSocket.Reply.FIRST).thenApply(reply -> {
            expect(reply, "success");
            sessionId = reply.path("data").path("id").asLong();
            long period = options.keepaliveInterval().toMillis();
            keepalive = keepalives.scheduleAtFixedRate(this::sendKeepalive, period, period, TimeUnit.MILLISECONDS);
            return null;
        });
    }

    private void sendKeepalive() {
        socket.request(sessionRequest("keepalive"), JanusSocket.Reply.FIRST).whenComplete((reply, error) -> {
            if (error != null && socket.isOpen()) {
                log.warn("Janus keepalive for session {} failed: {}", sessionId, error.getMessage());
            }
        });
    }

    private ObjectNode base(String janus) {
        ObjectNode request = JanusSocket.JSON.createObjectNode();
        request.put("janus", janus);
        options.apiSecret().ifPresent(secret -> request.put("apisecret", secret));
        return request;
    }

    private ObjectNode sessionRequest(String janus) {
        ObjectNode request = base(janus);
        request.put("session_id", sessionId);
        return request;
    }

    private ObjectNode handleRequest(String janus, long handleId) {
        ObjectNode request = sessionRequest(janus);
        request.put("handle_id", handleId);
        return request;
    }

    private void onUnasked(JsonNode message) {
        String janus = message.path("janus").asText("");
        if ("ack".equals(janus) || "success".equals(janus)) {
            return; // late answers to requests that already timed out
        }
        listener.onEvent(new JanusEvent(JanusEvent.Kind.of(janus), message.path("sender").asLong(0), message));
    }

}
