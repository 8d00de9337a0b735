package io.tessera.media.webrtc.janus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Janus's admin API ({@code janus-admin-protocol}, loopback only): what sessions and handles Janus holds, to check that
 * the media node released what it no longer uses.
 */
public final class JanusAdminClient implements AutoCloseable {
    public static final String PROTOCOL = "janus-admin-protocol";

    private final JanusSocket socket;
    private final String adminSecret;

    private JanusAdminClient(JanusSocket socket, String adminSecret) {
        this.socket = socket;
        this.adminSecret = adminSecret;
    }

    public static CompletableFuture<JanusAdminClient> connect(URI uri, String adminSecret, Duration requestTimeout) {
        return JanusSocket.open(uri, PROTOCOL, requestTimeout, 64, message -> { }, reason -> { })
                .thenApply(socket -> new JanusAdminClient(socket, adminSecret));
    }

    /** Ids of every Janus session. */
    public CompletableFuture<List<Long>> sessions() {
        return socket.request(request("list_sessions"), JanusSocket.Reply.FIRST)
                .thenApply(reply -> ids(reply, "sessions"));
    }

    /** Ids of the handles of one session. */
    public CompletableFuture<List<Long>> handles(long sessionId) {
        ObjectNode request = request("list_handles");
        request.put("session_id", sessionId);
        return socket.request(request, JanusSocket.Reply.FIRST).thenApply(reply -> ids(reply, "handles"));
    }

    @Override
    public void close() {
        socket.close();
    }

    private ObjectNode request(String janus) {
        ObjectNode request = JanusSocket.JSON.createObjectNode();
        request.put("janus", janus);
        request.put("admin_secret", adminSecret);
        return request;
    }

    private static List<Long> ids(JsonNode reply, String field) {
        JanusClient.expect(reply, "success");
        List<Long> ids = new ArrayList<>();
        reply.path(field).forEach(id -> ids.add(id.asLong()));
        return ids;
    }
}
