package io.tessera.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted in-test WebSocket server: framing, ids, errors, events, close. */
class SignallingClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private MiniWebSocketServer server;
    private SignallingClient client;
    private final List<ServerEvent> heard = new CopyOnWriteArrayList<>();
    private final CompletableFuture<SignallingClient.CloseInfo> closedInfo = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        server = new MiniWebSocketServer();
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    private SignallingClient connect(SignallingClient.Builder b) throws Exception {
        client = b.onEvent(heard::add).onClose(closedInfo::complete).connect();
        server.awaitConnected();
        return client;
    }

    private SignallingClient connect() throws Exception {
        return connect(SignallingClient.builder(server.uri()));
    }

    private JsonNode nextRequest() throws Exception {
        String text = server.nextReceived(WAIT);
        assertNotNull(text, "client sent nothing");
        return JsonRpcCodec.MAPPER.readTree(text);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        return e.getCause();
    }

    @Test
    void requestIdsIncreaseAndResponsesMatchByIdNotOrder() throws Exception {
        connect();
        CompletableFuture<JsonNode> ping = client.ping();
        CompletableFuture<JsonNode> msg = client.sendMessage(List.of("con_b"), "signal:chat", "hi");
        JsonNode r1 = nextRequest();
        JsonNode r2 = nextRequest();
        assertEquals("2.0", r1.get("jsonrpc").asText());
        assertEquals(1, r1.get("id").asLong());
        assertEquals("ping", r1.get("method").asText());
        assertEquals(2, r2.get("id").asLong());
        assertEquals("sendMessage", r2.get("method").asText());
        assertTrue(r2.at("/params/message").isTextual(), "message is a stringified JSON object");

        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"type\":\"signal:chat\"}}");
        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"value\":\"pong\"}}");
        assertEquals("pong", get(ping).get("value").asText());
        assertEquals("signal:chat", get(msg).get("type").asText());
    }

    @Test
    void errorResponseFailsTheFutureWithCodeAndMessage() throws Exception {
        connect();
        CompletableFuture<JoinResult> join = client.joinRoom("ws://h:1?sessionId=s1&token=tok_bad", "meta");
        JsonNode req = nextRequest();
        assertEquals("joinRoom", req.get("method").asText());
        assertEquals("ws://h:1?sessionId=s1&token=tok_bad", req.at("/params/token").asText());
        assertEquals("s1", req.at("/params/session").asText());
        assertEquals("meta", req.at("/params/metadata").asText());
        assertEquals("tessera-java-sdk", req.at("/params/platform").asText());

        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"error\":{\"code\":401,\"message\":\"invalid token\"}}");
        JsonRpcException e = assertInstanceOf(JsonRpcException.class, failureOf(join));
        assertEquals(401, e.code());
        assertEquals("invalid token", e.errorMessage());
        assertTrue(client.isOpen(), "an error response does not close the socket");
    }

    @Test
    void joinResultIsMappedAndSetsLastSeq() throws Exception {
        connect();
        CompletableFuture<JoinResult> join = client.joinRoom("ws://h:1?sessionId=s1&token=tok_a", "");
        JsonNode req = nextRequest();
        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":{\"id\":\"con_me\",\"createdAt\":1,"
                + "\"metadata\":\"\",\"value\":[{\"id\":\"con_x\",\"createdAt\":1,\"metadata\":\"x\",\"streams\":[]}],"
                + "\"session\":\"s1\",\"sessionId\":\"s1\",\"role\":\"PUBLISHER\",\"mediaNodeId\":\"media-2\",\"seq\":3}}");
        JoinResult j = get(join);
        assertEquals("con_me", j.connectionId());
        assertEquals("media-2", j.mediaNodeId());
        assertEquals(List.of("con_x"), j.participants().stream().map(RemoteParticipant::connectionId).toList());
        assertEquals(3, client.lastSeq());
        assertEquals(j, client.joined());
    }

    @Test
    void requestWithoutResponseTimesOut() throws Exception {
        connect(SignallingClient.builder(server.uri()).requestTimeout(Duration.ofMillis(200)));
        CompletableFuture<JsonNode> ping = client.ping();
        assertEquals(1, nextRequest().get("id").asLong());
        Throwable t = failureOf(ping);
        assertInstanceOf(TimeoutException.class, t);
        assertTrue(t.getMessage().contains("ping"), t.getMessage());

        // A late answer is ignored and the socket keeps working.
        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
        CompletableFuture<JsonNode> again = client.request("ping", JsonRpcCodec.MAPPER.createObjectNode(), WAIT);
        assertEquals(2, nextRequest().get("id").asLong());
        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"value\":\"pong\"}}");
        assertEquals("pong", get(again).get("value").asText());
    }

    @Test
    void fragmentedNotificationIsReassembled() throws Exception {
        connect();
        String meta = "{\\\"name\\\":\\\"Zoë ✓ 名前\\\"}";
        server.sendFragmented("{\"jsonrpc\":\"2.0\",\"method\":\"participantJoined\",\"params\":{\"id\":\"con_b\","
                + "\"createdAt\":1,\"metadata\":\"" + meta + "\",\"seq\":1}}", 7);
        ServerEvent ev = client.nextEvent(WAIT).orElseThrow();
        assertEquals("participantJoined", ev.method());
        assertEquals(1, ev.seq());
        assertEquals("{\"name\":\"Zoë ✓ 名前\"}", ev.param("metadata"));
        assertEquals(1, client.lastSeq());
        assertEquals(List.of(ev), heard);
    }

    @Test
    void fullQueueDropsAndCountsButListenerSeesEverything() throws Exception {
        connect(SignallingClient.builder(server.uri()).eventQueueCapacity(2));
        for (int i = 1; i <= 5; i++) {
            server.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"sendMessage\",\"params\":{\"data\":\"" + i + "\",\"seq\":" + i + "}}");
        }
        // Messages on one socket are handled in order: once this answer arrives the five events were too.
        CompletableFuture<JsonNode> ping = client.ping();
        JsonNode req = nextRequest();
        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":{\"value\":\"pong\"}}");
        get(ping);
        assertEquals(2, client.events().size());
        assertEquals(3, client.droppedEvents());
        assertEquals(5, client.lastSeq());
        assertEquals(5, heard.size());
        assertEquals("1", client.nextEvent(WAIT).orElseThrow().param("data"), "the oldest events are kept");
    }

    @Test
    void serverCloseFailsPendingRequestsAndCallsOnClose() throws Exception {
        connect();
        CompletableFuture<JsonNode> ping = client.ping();
        nextRequest();
        server.sendClose(1001, "going away");
        SignallingClient.CloseInfo info = get(closedInfo);
        assertEquals(1001, info.statusCode());
        assertEquals("going away", info.reason());
        assertInstanceOf(IOException.class, failureOf(ping));
        assertFalse(client.isOpen());
        assertInstanceOf(IOException.class, failureOf(client.ping()), "requests after close fail at once");
    }

    @Test
    void errorWithoutIdIsLoggedAndTheSocketKeepsWorking() throws Exception {
        connect();
        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}");
        server.sendText("garbage that is not JSON");
        CompletableFuture<JsonNode> ping = client.ping();
        JsonNode req = nextRequest();
        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":{\"value\":\"pong\"}}");
        assertEquals("pong", get(ping).get("value").asText());
    }

    @Test
    void clientCloseSendsNormalClosureOnce() throws Exception {
        connect();
        client.close();
        assertEquals(1000, get(closedInfo).statusCode());
        assertFalse(client.isOpen());
        client.close(); // idempotent
        assertEquals(1000, server.clientCloseCode());
    }

    @Test
    void inFlightRequestsAreBounded() throws Exception {
        connect(SignallingClient.builder(server.uri()).maxPendingRequests(2));
        client.ping();
        client.ping();
        Throwable t = failureOf(client.ping());
        assertInstanceOf(IllegalStateException.class, t);
        assertTrue(t.getMessage().contains("limit 2"), t.getMessage());
    }

    @Test
    void onCloseSetAfterTheEndIsCalledAtOnce() throws Exception {
        connect();
        client.close();
        CompletableFuture<SignallingClient.CloseInfo> late = new CompletableFuture<>();
        client.onClose(late::complete);
        assertTrue(late.isDone());
    }
}
