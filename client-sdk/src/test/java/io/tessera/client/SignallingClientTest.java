package io.tessera.client;

import static org.awaitility.Awaitility.await;
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
    private final CompletableFuture<SignallingListener.CloseInfo> closedInfo = new CompletableFuture<>();

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

    private SignallingClient connect(SignallingClientBuilder b) throws Exception {
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
        // The listener runs on the socket's thread after the event is queued: it may not have run yet.
        await().atMost(WAIT).untilAsserted(() -> assertEquals(List.of(ev), heard));
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
        SignallingListener.CloseInfo info = get(closedInfo);
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
        CompletableFuture<SignallingListener.CloseInfo> late = new CompletableFuture<>();
        client.onClose(late::complete);
        assertTrue(late.isDone());
    }

    @Test
    void oneListenerGetsEventsAndTheEndAndAFailingCallbackDoesNotSkipTheSdkHooks() throws Exception {
        List<String> got = new CopyOnWriteArrayList<>();
        CompletableFuture<SignallingListener.CloseInfo> ended = new CompletableFuture<>();
        client = SignallingClient.builder(server.uri()).listener(new SignallingListener() {
            @Override
            public void onEvent(ServerEvent event) {
                got.add(event.param("data"));
                if ("boom".equals(event.param("data"))) {
                    throw new IllegalStateException("application bug");
                }
            }

            @Override
            public void onClose(CloseInfo info) {
                ended.complete(info);
            }
        }).connect();
        server.awaitConnected();
        List<String> hooked = new CopyOnWriteArrayList<>();
        client.addEventHook(e -> hooked.add(e.param("data")));
        for (String data : List.of("a", "boom", "b")) {
            server.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"sendMessage\",\"params\":{\"data\":\"" + data + "\"}}");
        }
        await().atMost(WAIT).untilAsserted(() -> assertEquals(List.of("a", "boom", "b"), hooked,
                "SDK hooks (MediaRecovery) still see the event the application's callback failed on"));
        assertEquals(List.of("a", "boom", "b"), got);
        assertEquals(3, client.events().size());
        server.sendClose(1001, "going away");
        assertEquals(1001, get(ended).statusCode());
    }

    @Test
    void aSingleCallbackSetAfterTheListenerReplacesThatMethodOnly() throws Exception {
        List<String> byListener = new CopyOnWriteArrayList<>();
        List<String> byCallback = new CopyOnWriteArrayList<>();
        client = SignallingClient.builder(server.uri()).listener(new SignallingListener() {
            @Override
            public void onEvent(ServerEvent event) {
                byListener.add(event.param("data"));
            }

            @Override
            public void onClose(CloseInfo info) {
                byListener.add("closed");
            }
        }).onEvent(e -> byCallback.add(e.param("data"))).connect();
        server.awaitConnected();
        server.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"sendMessage\",\"params\":{\"data\":\"x\"}}");
        await().atMost(WAIT).untilAsserted(() -> assertEquals(List.of("x"), byCallback));
        client.close();
        assertEquals(List.of("closed"), byListener, "onClose still goes to the listener, events do not");
    }

    private void reply(JsonNode req, String resultJson) throws IOException {
        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":" + resultJson + "}");
    }

    @Test
    void publishVideoSendsTheOpenViduParamsAndMapsTheResult() throws Exception {
        connect();
        String offer = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 5004 RTP/AVP 96\r\na=sendonly\r\n";
        CompletableFuture<PublishResult> pub = client.publishVideo(PublishOptions.camera(offer));
        JsonNode req = nextRequest();
        assertEquals("publishVideo", req.get("method").asText());
        JsonNode p = req.get("params");
        assertEquals(offer, p.get("sdpOffer").asText());
        assertFalse(p.get("hasAudio").asBoolean());
        assertTrue(p.get("hasVideo").asBoolean());
        assertFalse(p.get("audioActive").asBoolean());
        assertTrue(p.get("videoActive").asBoolean());
        assertEquals("CAMERA", p.get("typeOfVideo").asText());
        assertEquals(30, p.get("frameRate").asInt());
        assertTrue(p.get("videoDimensions").isTextual(), "videoDimensions is a stringified JSON object");
        assertEquals("{\"width\":640,\"height\":480}", p.get("videoDimensions").asText());
        assertFalse(p.get("doLoopback").asBoolean());
        assertEquals(9, p.size(), "no other params: " + p);

        reply(req, "{\"id\":\"str_CAM_abc\",\"createdAt\":123,\"sdpAnswer\":\"v=0\\r\\n\"}");
        PublishResult r = get(pub);
        assertEquals("str_CAM_abc", r.streamId());
        assertEquals(123, r.createdAt());
        assertEquals("v=0\r\n", r.sdpAnswer());
    }

    @Test
    void publishResultWithoutSdpAnswerFailsClearly() throws Exception {
        connect();
        CompletableFuture<PublishResult> pub = client.publishVideo(PublishOptions.camera("v=0"));
        reply(nextRequest(), "{\"id\":\"str_x\",\"createdAt\":1}");
        Throwable t = failureOf(pub);
        assertInstanceOf(IllegalStateException.class, t);
        assertTrue(t.getMessage().contains("sdpAnswer"), t.getMessage());
    }

    @Test
    void receiveVideoFromSendsSenderAndOfferAndReturnsTheAnswer() throws Exception {
        connect();
        CompletableFuture<String> answer = client.receiveVideoFrom("str_CAM_abc", "offer-sdp");
        JsonNode req = nextRequest();
        assertEquals("receiveVideoFrom", req.get("method").asText());
        assertEquals("str_CAM_abc", req.at("/params/sender").asText());
        assertEquals("offer-sdp", req.at("/params/sdpOffer").asText());
        assertEquals(2, req.get("params").size());
        reply(req, "{\"sdpAnswer\":\"answer-sdp\"}");
        assertEquals("answer-sdp", get(answer));
    }

    @Test
    void unpublishAndUnsubscribeRequestShapes() throws Exception {
        connect();
        CompletableFuture<JsonNode> unpublish = client.unpublishVideo();
        JsonNode r1 = nextRequest();
        assertEquals("unpublishVideo", r1.get("method").asText());
        assertEquals(0, r1.get("params").size());
        reply(r1, "{}");
        get(unpublish);

        CompletableFuture<JsonNode> unsubscribe = client.unsubscribeFromVideo("str_CAM_abc");
        JsonNode r2 = nextRequest();
        assertEquals("unsubscribeFromVideo", r2.get("method").asText());
        assertEquals("{\"sender\":\"str_CAM_abc\"}", r2.get("params").toString());
        reply(r2, "{}");
        get(unsubscribe);
    }

    @Test
    void joinResultAndPublishEventsCarryStreams() throws Exception {
        connect();
        CompletableFuture<JoinResult> join = client.joinRoom("ws://h:1?sessionId=s1&token=tok_a", "");
        reply(nextRequest(), "{\"id\":\"con_me\",\"value\":[{\"id\":\"con_x\",\"createdAt\":1,\"metadata\":\"\","
                + "\"streams\":[{\"id\":\"str_CAM_x\",\"createdAt\":7,\"hasAudio\":false,\"hasVideo\":true,"
                + "\"typeOfVideo\":\"CAMERA\",\"frameRate\":30}]},{\"id\":\"con_y\",\"createdAt\":2}],\"seq\":0}");
        JoinResult j = get(join);
        StreamInfo s = j.participants().get(0).streams().get(0);
        assertEquals("str_CAM_x", s.streamId());
        assertEquals(7, s.createdAt());
        assertFalse(s.hasAudio());
        assertTrue(s.hasVideo());
        assertEquals("CAMERA", s.typeOfVideo());
        assertEquals(30, s.raw().get("frameRate").asInt());
        assertEquals(List.of(), j.participants().get(1).streams(), "no streams field: empty");

        server.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"participantPublished\",\"params\":{\"id\":\"con_y\","
                + "\"streams\":[{\"id\":\"str_CAM_y\",\"createdAt\":9,\"hasAudio\":false,\"hasVideo\":true,"
                + "\"typeOfVideo\":\"CAMERA\"}],\"seq\":1}}");
        server.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"participantUnpublished\",\"params\":{\"connectionId\":\"con_y\","
                + "\"reason\":\"unpublish\",\"seq\":2}}");
        ServerEvent published = client.nextEvent(WAIT).orElseThrow();
        assertEquals("participantPublished", published.method());
        assertEquals("con_y", published.param("id"));
        assertEquals(List.of("str_CAM_y"), published.streams().stream().map(StreamInfo::streamId).toList());
        ServerEvent unpublished = client.nextEvent(WAIT).orElseThrow();
        assertEquals("participantUnpublished", unpublished.method());
        assertEquals("con_y", unpublished.param("connectionId"));
        assertEquals("unpublish", unpublished.param("reason"));
        assertEquals(List.of(), unpublished.streams());
        assertEquals(2, client.lastSeq());
    }
}
