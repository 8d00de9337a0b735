package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.client.JsonRpcException;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.ServerEvent;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.MasterRestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The WebRTC signalling at the wire level, without a browser, against real node JVMs (two masters, one media node
 * running Janus): {@code streamPropertyChanged} reaching the others and the REST view; what a buggy or hostile client
 * can send (malformed SDP, candidates for unknown endpoints, publishing twice, subscribing to unknown streams,
 * oversized messages and values) getting a JSON-RPC error with a clear message on a socket that stays open; and a
 * publisher whose PeerConnection never comes up being released after {@code TESSERA_WEBRTC_PUBLISHER_UP_TIMEOUT}.
 *
 * <p>Tag {@code browser}: it runs in the browser tests' network namespace, where Janus has an address to gather on.
 */
@Tag("browser")
class WebRtcSignallingTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration WAIT = Participant.WAIT;
    private static final Duration PUBLISHER_UP_TIMEOUT = Duration.ofSeconds(3);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    /** A plain RTP offer (no RTP is ever sent: these tests are about signalling). */
    private static final String RTP_OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=video 47000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=sendonly\r\n";

    private static ClusterProcesses cluster;
    private static ClusterProcesses.Node m1;
    private static ClusterProcesses.Node m2;
    private final List<Participant> participants = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterProcesses.start("WebRtcSignallingTest", 2, 1, JanusEnvironment.of(20200, 20299,
                Map.of("TESSERA_WEBRTC_PUBLISHER_UP_TIMEOUT", PUBLISHER_UP_TIMEOUT.toMillis() + "ms")));
        cluster.awaitReady(STARTUP);
        m1 = cluster.masters().get(0);
        m2 = cluster.masters().get(1);
    }

    /**
     * Each participant leaves before its socket closes: a closed socket alone keeps it for the grace window, and a
     * WebRTC publisher it left behind would time out during the next test.
     */
    @AfterEach
    void leave() throws Exception {
        for (Participant p : participants) {
            p.client.leaveRoom().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            p.close();
        }
        participants.clear();
        // nothing a test did (refused offers included) leaves anything in Janus: only the room manager's handle
        await("every WebRTC endpoint, handle and room released").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    PrometheusText m = media();
                    return m.value("tessera_media_webrtc_publishers") == 0
                            && m.value("tessera_media_webrtc_subscribers") == 0
                            && m.value("tessera_media_webrtc_handles") == 1
                            && m.value("tessera_media_webrtc_rooms") == 0;
                });
        cluster.assertAllAlive();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ------------------------------------------------------------------ streamPropertyChanged

    @Test
    void aPublishersPropertyChangesReachEveryOtherParticipantAndTheRestViewOfEveryMaster() throws Exception {
        String sessionId = "props-" + RUN;
        Participant a = joined(sessionId, "A", m1);
        Participant b = joined(sessionId, "B", m2);
        Participant c = joined(sessionId, "C", m1);
        String idA = a.client.joined().connectionId();
        PublishResult published = a.client.publishVideo(new PublishOptions(RTP_OFFER, false, true, false, true,
                "CAMERA", 30, 640, 480, false)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String streamId = published.streamId();
        b.awaitEvent("participantPublished", e -> idA.equals(e.param("id")), "A's stream");

        // Publisher.publishVideo(false), then a new size, as openvidu-browser sends them
        assertEquals("{}", change(a, streamId, "videoActive", TestJson.MAPPER.getNodeFactory().booleanNode(false),
                "publishVideo").toString(), "the publisher gets {} as from OpenVidu");
        change(a, streamId, "videoDimensions", TestJson.MAPPER.getNodeFactory()
                .textNode("{\"width\":1280,\"height\":720}"), "screenResized");
        for (Participant other : List.of(b, c)) {
            ServerEvent video = other.awaitEvent("streamPropertyChanged",
                    e -> "videoActive".equals(e.param("property")), "A's video off");
            assertEquals(Map.of("connectionId", idA, "streamId", streamId, "property", "videoActive",
                    "newValue", "false", "reason", "publishVideo"), fields(video), video.params().toString());
            ServerEvent size = other.awaitEvent("streamPropertyChanged",
                    e -> "videoDimensions".equals(e.param("property")), "A's new size");
            // openvidu-browser parses it twice: a JSON string holding the object, inside the string
            assertEquals("\"{\\\"width\\\":1280,\\\"height\\\":720}\"", size.param("newValue"), size.toString());
            assertTrue(video.seq() < size.seq(), "in the order sent");
        }
        // A itself hears nothing of it: a message to everyone, sent after, is the first thing A gets
        a.client.sendMessage(List.of(), "signal:after", "x").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        a.awaitEvent("sendMessage", e -> "signal:after".equals(e.param("type")), "its own message");
        assertTrue(a.events().stream().noneMatch(e -> e.method().equals("streamPropertyChanged")),
                a.events().toString());

        for (ClusterProcesses.Node master : cluster.masters()) {
            MasterRestClient rest = cluster.rest(master);
            JsonNode options = await("A's mediaOptions through " + master.id()).atMost(WAIT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> publisherOptions(rest, sessionId, idA), o -> o != null);
            assertFalse(options.path("videoActive").asBoolean(true), options.toString());
            assertEquals("{\"width\":1280,\"height\":720}", options.path("videoDimensions").asText());
        }
        Participant late = joined(sessionId, "D", m2);
        JsonNode seen = late.client.joined().raw().path("value");
        JsonNode stream = null;
        for (JsonNode peer : seen) {
            if (idA.equals(peer.path("id").asText())) {
                stream = peer.path("streams").get(0);
            }
        }
        assertEquals(false, stream.path("videoActive").asBoolean(true), "a later joiner sees it off: " + seen);

        // B publishes nothing: it cannot change A's stream, nor any
        assertError(404, b.client.request("streamPropertyChanged", changeParams(streamId, "audioActive",
                TestJson.MAPPER.getNodeFactory().booleanNode(true), "publishAudio")), "B changing A's stream");
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void whatABuggyOrHostileClientSendsGetsAClearErrorAndTheSessionStaysHealthy() throws Exception {
        String sessionId = "hostile-" + RUN;
        Participant control = joined(sessionId, "control", m1);
        Participant h = joined(sessionId, "hostile", m2);
        String idH = h.client.joined().connectionId();
        var f = TestJson.MAPPER.getNodeFactory();

        List<Executable> checks = new ArrayList<>();
        // malformed SDP: WebRTC-looking garbage goes to Janus, which refuses it; anything else to the RTP parser
        expect(checks, 400, h.client.request("publishVideo", publish("v=0\r\na=ice-ufrag:x\r\nm=video garbage\r\n")),
                "a WebRTC offer Janus cannot parse");
        expect(checks, 400, h.client.request("publishVideo", publish("hello")), "an offer that is no SDP");
        expect(checks, -32602, h.client.request("publishVideo", publish("v=0\r\n" + "a=x\r\n".repeat(4000))),
                "an offer over 16 KiB");
        // candidates for endpoints that do not exist, or are not ids
        expect(checks, 404, h.client.request("onIceCandidate", candidate("con_nobody")), "a candidate for nobody");
        expect(checks, -32602, h.client.request("onIceCandidate", candidate("../../etc")), "an endpoint not an id");
        ObjectNode longCandidate = candidate(idH).put("candidate", "candidate:" + "1".repeat(600));
        expect(checks, -32602, h.client.request("onIceCandidate", longCandidate), "a candidate over 512 chars");
        // subscriptions to streams that do not exist
        expect(checks, 404, h.client.request("prepareReceiveVideoFrom", f.objectNode().put("sender", "str_CAM_x_con_x")
                .put("reconnect", false)), "a server offer for an unknown stream");
        expect(checks, 404, h.client.request("receiveVideoFrom", f.objectNode().put("sender", "str_CAM_x_con_x")
                .put("sdpAnswer", JANUS_LIKE_OFFER)), "an answer for an unknown stream");
        expect(checks, 404, h.client.request("receiveVideoFrom", f.objectNode().put("sender", "str_CAM_x_con_x")
                .put("sdpOffer", RTP_OFFER)), "a client offer for an unknown stream");
        expect(checks, 404, h.client.request("unsubscribeFromVideo", f.objectNode().put("sender", "con_nobody")),
                "unsubscribing from nothing");
        // properties of a stream it does not have, or of the wrong shape
        expect(checks, 404, h.client.request("streamPropertyChanged", changeParams("str_CAM_x_" + idH, "audioActive",
                f.booleanNode(true), "publishAudio")), "a property of a stream not published");
        expect(checks, -32602, h.client.request("streamPropertyChanged", changeParams("s", "videoDimensions",
                f.textNode("{\"width\":1e9}"), "screenResized")), "dimensions of the wrong shape");
        expect(checks, -32602, h.client.request("streamPropertyChanged", changeParams("s", "filter",
                f.objectNode(), "applyFilter")), "a filter (server-side only)");
        // publishing twice: the second is refused, the first is unharmed
        CompletableFuture<PublishResult> first = h.client.publishVideo(new PublishOptions(JANUS_LIKE_OFFER, true, true,
                true, true, "CAMERA", 30, 640, 480, false));
        PublishResult published = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(published.sdpAnswer().contains("a=fingerprint:"), "Janus answered: " + published.sdpAnswer());
        expect(checks, 409, h.client.request("publishVideo", publish(JANUS_LIKE_OFFER)), "publishing twice");
        expect(checks, 409, h.client.request("publishVideo", publish(RTP_OFFER)), "publishing twice, plain RTP");
        assertEquals("{}", h.client.request("onIceCandidate", candidate(idH)).get(WAIT.toSeconds(),
                TimeUnit.SECONDS).toString(), "a candidate for its own publisher is taken");
        assertAll("errors through " + m2.id(), checks.stream());

        // a message over the socket's limit (64 KiB): 413 before it is read, and the socket stays open
        try (RawSocket raw = RawSocket.open(m2.webSocketUri())) {
            raw.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"publishVideo\",\"params\":{\"sdpOffer\":\""
                    + "x".repeat(70_000) + "\"}}");
            JsonNode answer = raw.nextJson(WAIT);
            assertEquals(413, answer.at("/error/code").asInt(), answer.toString());
            assertNoStackTrace(answer.toString());
            assertTrue(raw.isOpen(), "socket open after an oversized message");
        }

        assertTrue(h.client.isOpen(), "the hostile client's socket is still open");
        assertEquals("pong", h.client.ping().get(WAIT.toSeconds(), TimeUnit.SECONDS).path("value").asText());
        control.client.sendMessage(List.of(), "signal:alive", "1").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        h.awaitEvent("sendMessage", e -> "signal:alive".equals(e.param("type")), "the control's message");
        assertTrue(control.events().stream().noneMatch(e -> e.method().equals("participantLeft")),
                "nobody left: " + control.events());
    }

    // ------------------------------------------------------------------ publisher-up timeout

    @Test
    void aPublisherWhoseWebRtcNeverComesUpIsReleasedCountedAndMayPublishAgain() throws Exception {
        String sessionId = "neverup-" + RUN;
        Participant watcher = joined(sessionId, "watcher", m1);
        Participant p = joined(sessionId, "silent", m2);
        String idP = p.client.joined().connectionId();
        double timedOutBefore = media().value("tessera_media_webrtc_publishers_timed_out_total");

        long started = System.nanoTime();
        p.client.publishVideo(new PublishOptions(JANUS_LIKE_OFFER, true, true, true, true, "CAMERA", 30, 640, 480,
                false)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await("Janus holds its endpoint").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> media().value("tessera_media_webrtc_publishers") == 1);
        await("the publisher released").atMost(PUBLISHER_UP_TIMEOUT.plus(WAIT)).pollInterval(Duration.ofMillis(200))
                .until(() -> media().value("tessera_media_webrtc_publishers_timed_out_total") == timedOutBefore + 1
                        && media().value("tessera_media_webrtc_publishers") == 0);
        long releasedAfterMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(releasedAfterMillis >= PUBLISHER_UP_TIMEOUT.toMillis(), "not before the timeout: "
                + releasedAfterMillis + " ms");
        JsonNode options = publisherOptions(cluster.rest(m1), sessionId, idP);
        assertEquals(null, options, "no publisher in REST");
        assertTrue(watcher.events().stream().noneMatch(e -> e.method().startsWith("participant")
                        && !e.method().equals("participantJoined")),
                "never announced, so never withdrawn: " + watcher.events());

        PublishResult again = p.client.publishVideo(new PublishOptions(JANUS_LIKE_OFFER, true, true, true, true,
                "CAMERA", 30, 640, 480, false)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(again.streamId().endsWith(idP), again.streamId());
        p.client.unpublishVideo().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await("every endpoint handle released").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> media().value("tessera_media_webrtc_publishers") == 0);
        assertEquals(timedOutBefore + 1, media().value("tessera_media_webrtc_publishers_timed_out_total"),
                "the unpublished one is not counted as timed out");
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A WebRTC offer (audio and video, BUNDLE, DTLS) that Janus answers; its one candidate is on loopback, and Janus
     * (ICE lite) never checks it, so its PeerConnection never comes up.
     */
    static final String JANUS_LIKE_OFFER = String.join("\r\n",
            "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
            "a=msid-semantic: WMS s",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", "a=ice-ufrag:tEsT",
            "a=ice-pwd:abcdefghijklmnopqrstuvwx", "a=ice-options:trickle", fingerprint(), "a=setup:actpass",
            "a=mid:0", "a=sendonly", "a=msid:s a", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
            "a=ssrc:1111 cname:tessera",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0", "a=ice-ufrag:tEsT",
            "a=ice-pwd:abcdefghijklmnopqrstuvwx", "a=ice-options:trickle", fingerprint(), "a=setup:actpass",
            "a=mid:1", "a=sendonly", "a=msid:s v", "a=rtcp-mux", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack pli",
            "a=ssrc:2222 cname:tessera", "a=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host", "");

    private static String fingerprint() {
        return "a=fingerprint:sha-256 "
                + "AC:64:0F:87:91:A0:A0:B9:E5:BA:DF:9B:6B:DB:59:8E:72:82:C3:5E:66:FC:48:C8:95:07:4D:55:2D:4B:82:67";
    }

    /** A participant that joined {@code sessionId} through {@code master}, closed after the test. */
    private Participant joined(String sessionId, String name, ClusterProcesses.Node master) throws Exception {
        MasterRestClient rest = cluster.rest(m1);
        if (rest.session(sessionId).isEmpty()) {
            TestSessions.createSession(rest, sessionId);
        }
        Connection connection = TestSessions.createConnection(rest, sessionId, name);
        TestSessions.awaitConnectionVisible(cluster.rest(master), sessionId, connection.connectionId());
        Participant p = Participant.connect(name, master.webSocketUri());
        participants.add(p);
        p.join(connection.token(), "{\"n\":\"" + name + "\"}");
        return p;
    }

    private static ObjectNode publish(String offer) {
        return TestJson.MAPPER.createObjectNode().put("sdpOffer", offer).put("hasAudio", true).put("hasVideo", true)
                .put("audioActive", true).put("videoActive", true).put("typeOfVideo", "CAMERA").put("frameRate", 30)
                .put("videoDimensions", "{\"width\":640,\"height\":480}").put("doLoopback", false);
    }

    private static ObjectNode candidate(String endpoint) {
        return TestJson.MAPPER.createObjectNode().put("endpointName", endpoint)
                .put("candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host").put("sdpMid", "0")
                .put("sdpMLineIndex", 0);
    }

    private static ObjectNode changeParams(String streamId, String property, JsonNode newValue, String reason) {
        ObjectNode params = TestJson.MAPPER.createObjectNode().put("streamId", streamId).put("property", property);
        params.set("newValue", newValue);
        return params.put("reason", reason);
    }

    private static JsonNode change(Participant p, String streamId, String property, JsonNode newValue, String reason)
            throws Exception {
        return p.client.request("streamPropertyChanged", changeParams(streamId, property, newValue, reason))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static Map<String, String> fields(ServerEvent event) {
        return Map.of("connectionId", event.param("connectionId"), "streamId", event.param("streamId"),
                "property", event.param("property"), "newValue", event.param("newValue"),
                "reason", event.param("reason"));
    }

    /** The {@code mediaOptions} of the connection's publisher in REST, null when it publishes nothing. */
    private static JsonNode publisherOptions(MasterRestClient rest, String sessionId, String connectionId)
            throws Exception {
        JsonNode session = rest.send("GET", "/openvidu/api/sessions/" + sessionId).json();
        for (JsonNode c : session.path("connections").path("content")) {
            if (connectionId.equals(c.path("connectionId").asText()) && c.path("publishers").size() > 0) {
                return c.path("publishers").get(0).path("mediaOptions");
            }
        }
        return null;
    }

    private static PrometheusText media() throws Exception {
        ClusterProcesses.Node media = cluster.mediaNodes().get(0);
        return PrometheusText.parse(cluster.rest(media).withoutCredentials().send("GET", "/metrics").text());
    }

    private static void expect(List<Executable> checks, int code, CompletableFuture<JsonNode> request, String what)
            throws Exception {
        JsonRpcException error = Participant.rpcError(request);
        checks.add(() -> {
            assertEquals(code, error.code(), what + ": " + error.errorMessage());
            assertFalse(error.errorMessage().isBlank(), what + ": a message");
            assertNoStackTrace(error.errorMessage());
        });
    }

    private static void assertError(int code, CompletableFuture<JsonNode> request, String what) throws Exception {
        JsonRpcException error = Participant.rpcError(request);
        assertEquals(code, error.code(), what + ": " + error.errorMessage());
        assertNoStackTrace(error.errorMessage());
    }

    private static void assertNoStackTrace(String text) {
        assertFalse(text.contains("Exception") || text.contains("\tat ") || text.contains("at io.tessera"),
                "no stack trace or exception name in an answer: " + text);
    }
}
