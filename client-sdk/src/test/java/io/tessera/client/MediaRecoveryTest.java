package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link MediaRecovery} against a scripted WebSocket server: after {@code mediaNodeFailed} it publishes again and, at
 * the same time, offers again for every stream it received, by the streams' old ids; it falls back to the stream
 * announced by {@code participantPublished} when the node refuses that offer.
 */
class MediaRecoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String PUBLISH_OFFER = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 5004 RTP/AVP 96\r\na=sendonly\r\n";
    private static final String SUBSCRIBE_OFFER = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 5008 RTP/AVP 96\r\na=recvonly\r\n";
    private static final String OLD_STREAM = "str_CAM_Oldd_con_a";
    private static final String NEW_STREAM = "str_CAM_Neww_con_a";

    private MiniWebSocketServer server;
    private SignallingClient client;
    private MediaRecovery recovery;
    private final List<MediaRecovery.Resubscribed> resubscribed = new CopyOnWriteArrayList<>();
    private final List<PublishResult> republished = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new MiniWebSocketServer();
        client = SignallingClient.builder(server.uri()).connect();
        server.awaitConnected();
        recovery = MediaRecovery.attach(client).onResubscribed(resubscribed::add).onRepublished(republished::add);
        // Before the failure: it publishes its own stream and receives con_a's.
        CompletableFuture<PublishResult> published = recovery.publish(PublishOptions.camera(PUBLISH_OFFER));
        reply(expect("publishVideo"), "{\"id\":\"str_CAM_Mine_con_me\",\"createdAt\":1,\"sdpAnswer\":\"p1\"}");
        published.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<String> subscribed = recovery.subscribe("con_a", OLD_STREAM, SUBSCRIBE_OFFER);
        reply(expect("receiveVideoFrom"), "{\"sdpAnswer\":\"s1\"}");
        subscribed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void afterAFailureItOffersForTheOldStreamAtOnceAndTakesTheNewIdFromTheAnswer() throws Exception {
        event("mediaNodeFailed", "{\"sessionId\":\"s\",\"failedMediaNodeId\":\"media-1\",\"mediaNodeId\":\"media-2\"}");
        JsonNode publish = expect("publishVideo");
        JsonNode early = expect("receiveVideoFrom");
        assertEquals(OLD_STREAM, early.get("params").get("sender").asText(), "no wait for participantPublished");
        assertEquals(SUBSCRIBE_OFFER, early.get("params").get("sdpOffer").asText(), "the offer made before");

        reply(publish, "{\"id\":\"str_CAM_Agan_con_me\",\"createdAt\":2,\"sdpAnswer\":\"p2\"}");
        reply(early, "{\"id\":\"" + NEW_STREAM + "\",\"createdAt\":2,\"sdpAnswer\":\"s2\"}");
        await().atMost(WAIT).until(() -> resubscribed.size() == 1 && republished.size() == 1);
        assertEquals(new MediaRecovery.Resubscribed("con_a", NEW_STREAM, "s2"), resubscribed.get(0));
        assertEquals("p2", republished.get(0).sdpAnswer());

        event("participantPublished", streamOf("con_a", NEW_STREAM));
        assertNull(server.nextReceived(Duration.ofMillis(300)), "subscribed already: no second offer");

        // A second failure offers for the stream by the id it has now.
        event("mediaNodeFailed", "{\"sessionId\":\"s\",\"failedMediaNodeId\":\"media-2\",\"mediaNodeId\":\"media-1\"}");
        expect("publishVideo");
        assertEquals(NEW_STREAM, expect("receiveVideoFrom").get("params").get("sender").asText());
    }

    @Test
    void anOfferRefusedFallsBackToTheStreamAnnouncedLater() throws Exception {
        event("mediaNodeFailed", "{\"sessionId\":\"s\",\"failedMediaNodeId\":\"media-1\",\"mediaNodeId\":\"media-2\"}");
        expect("publishVideo");
        refuse(expect("receiveVideoFrom"), 404);
        event("participantPublished", streamOf("con_a", NEW_STREAM));
        JsonNode again = expect("receiveVideoFrom");
        assertEquals(NEW_STREAM, again.get("params").get("sender").asText());
        reply(again, "{\"sdpAnswer\":\"s3\"}");
        await().atMost(WAIT).until(() -> resubscribed.size() == 1);
        assertEquals(new MediaRecovery.Resubscribed("con_a", NEW_STREAM, "s3"), resubscribed.get(0));
    }

    @Test
    void aStreamAnnouncedWhileTheOfferIsHeldIsUsedWhenTheOfferIsRefused() throws Exception {
        event("mediaNodeFailed", "{\"sessionId\":\"s\",\"failedMediaNodeId\":\"media-1\",\"mediaNodeId\":\"media-2\"}");
        expect("publishVideo");
        JsonNode early = expect("receiveVideoFrom");
        event("participantPublished", streamOf("con_a", NEW_STREAM));
        assertNull(server.nextReceived(Duration.ofMillis(300)), "the early offer may still be answered");
        refuse(early, 404);
        assertEquals(NEW_STREAM, expect("receiveVideoFrom").get("params").get("sender").asText());
    }

    @Test
    void aPublisherThatLeftIsNotSubscribedAgain() throws Exception {
        event("mediaNodeFailed", "{\"sessionId\":\"s\",\"failedMediaNodeId\":\"media-1\",\"mediaNodeId\":\"media-2\"}");
        expect("publishVideo");
        JsonNode early = expect("receiveVideoFrom");
        event("participantLeft", "{\"connectionId\":\"con_a\",\"reason\":\"disconnect\"}");
        refuse(early, 404);
        event("participantPublished", streamOf("con_a", NEW_STREAM));
        assertNull(server.nextReceived(Duration.ofMillis(300)));
        assertEquals(List.of(), resubscribed);
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private JsonNode expect(String method) throws Exception {
        String text = server.nextReceived(WAIT);
        assertNotNull(text, "client sent nothing; expected " + method);
        JsonNode request = JsonRpcCodec.MAPPER.readTree(text);
        assertEquals(method, request.get("method").asText(), text);
        return request;
    }

    private void reply(JsonNode request, String resultJson) throws IOException {
        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"result\":" + resultJson + "}");
    }

    private void refuse(JsonNode request, int code) throws IOException {
        server.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id") + ",\"error\":{\"code\":" + code
                + ",\"message\":\"stream is not published\"}}");
    }

    private void event(String method, String paramsJson) throws IOException {
        server.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}");
    }

    private static String streamOf(String connectionId, String streamId) {
        return "{\"id\":\"" + connectionId + "\",\"streams\":[{\"id\":\"" + streamId + "\",\"createdAt\":2,"
                + "\"hasVideo\":true,\"typeOfVideo\":\"CAMERA\"}]}";
    }
}
