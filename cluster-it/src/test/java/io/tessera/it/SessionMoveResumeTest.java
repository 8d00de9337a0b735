package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.SessionProperties;
import io.tessera.wire.jsonrpc.ResumeHandle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an unmodified openvidu-browser does around a session's move to another media node, spoken as raw JSON-RPC
 * against real node JVMs (three masters, two media nodes each running Janus):
 * <ul>
 *   <li>its resume handle (joinRoom's {@code sessionId}, which the library never renews) still resumes the
 *       participant after its session moved, through another master once its own master died;</li>
 *   <li>a publisher's {@code reconnectStream} sent after its media node died but before the session moved is served
 *       by the session's new node instead of being refused (the library never sends it again).</li>
 * </ul>
 * Tag {@code browser}: it runs in the browser tests' network namespace, where Janus has an address to gather on.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionMoveResumeTest {
    private static final Logger log = LoggerFactory.getLogger(SessionMoveResumeTest.class);
    private static final Duration STARTUP = Duration.ofSeconds(120);
    /** Far above failure detection (~3 s), the fence wait (1 s) and a placement on a busy machine. */
    private static final Duration MOVE = Duration.ofSeconds(30);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static ClusterProcesses cluster;
    private static ClusterProcesses.Node media1;
    private static ClusterProcesses.Node media2;

    @BeforeAll
    static void startCluster() throws Exception {
        Map<String, Map<String, String>> janusPorts = Map.of(
                "media-1", Map.of("TESSERA_JANUS_WS_PORT", Integer.toString(JanusEnvironment.freeLoopbackPort()),
                        "TESSERA_WEBRTC_PORT_MIN", "20400", "TESSERA_WEBRTC_PORT_MAX", "20499"),
                "media-2", Map.of("TESSERA_JANUS_WS_PORT", Integer.toString(JanusEnvironment.freeLoopbackPort()),
                        "TESSERA_WEBRTC_PORT_MIN", "20500", "TESSERA_WEBRTC_PORT_MAX", "20599"));
        cluster = ClusterProcesses.startWithNodeEnv("SessionMoveResumeTest", 3, 2, Map.of(
                "TESSERA_WEBRTC_ENGINE", "janus",
                "TESSERA_JANUS_ICE_ENFORCE_LIST", "127.0.0.2",
                "TESSERA_ICE_ALLOW", "127.0.0.0/8",
                // the test's publisher never gets a PeerConnection up: it must not be released meanwhile
                "TESSERA_WEBRTC_PUBLISHER_UP_TIMEOUT", "120s",
                // The reconnect test needs its request to reach the master before the session moves. With the crash
                // watch a killed node's sessions move ~0.1-0.3 s after the kill, which a loaded machine's REST read
                // after the send can miss (CI saw the route on media-2 already); off, the move waits for the
                // detector and fence-wait (~3-4 s), so the request is held as the test means. The crash watch path
                // is covered by MediaNodeFailoverTest and the browser failover tests.
                "TESSERA_CRASH_WATCH", "off"), node -> janusPorts.getOrDefault(node.id(), Map.of()));
        cluster.awaitReady(STARTUP);
        media1 = cluster.node("media-1");
        media2 = cluster.node("media-2");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close(); // also fails if a resume secret reached a node's log
        }
    }

    /**
     * Joined through master-3, the session drained from media-1 to media-2, then master-3 killed: the handle from
     * joinRoom resumes the participant through master-2 (before the fix the new node had made a new secret: 401).
     * master-3, not master-1: the oldest master runs the failover singleton, which the next test needs at once.
     */
    @Test
    @Order(1)
    void theResumeHandleFromJoinRoomStillWorksAfterTheSessionMovedAndItsMasterDied() throws Exception {
        ClusterProcesses.Node master3 = cluster.masters().get(2);
        ClusterProcesses.Node survivor = cluster.masters().get(1);
        MasterRestClient rest = cluster.rest(survivor);
        String sessionId = "moved-resume-" + RUN;
        rest.createSession(SessionProperties.withId(sessionId).mediaNodeId(media1.id()));
        Connection connection = rest.createConnection(sessionId, ConnectionProperties.publisher("resumer"));
        TestSessions.awaitConnectionVisible(cluster.rest(master3), sessionId, connection.connectionId());

        String handle;
        try (RawSocket first = RawSocket.open(master3.webSocketUri())) {
            JsonNode joined = request(first, 1, "joinRoom", TestJson.MAPPER.createObjectNode()
                    .put("token", connection.token()).put("session", sessionId).put("platform", "raw")
                    .put("metadata", "{}")).path("result");
            handle = joined.path("sessionId").asText();
            String secret = joined.path("resumeSecret").asText();
            cluster.forbidInLogs(secret);
            assertEquals(secret, ResumeHandle.decode(handle).orElseThrow().resumeSecret());
            assertEquals(media1.id(), joined.path("mediaNodeId").asText());

            assertEquals(200, cluster.rest(survivor).sendJson("PATCH", "/openvidu/api/media-nodes/" + media1.id(),
                    Map.of("status", "draining", "deadline", 0)).status());
            JsonNode failed = awaitNotification(first, "mediaNodeFailed");
            assertEquals(media2.id(), failed.path("params").path("mediaNodeId").asText());
            assertEquals("drain", failed.path("params").path("reason").asText());
        }
        cluster.kill(master3);

        try (RawSocket second = RawSocket.open(survivor.webSocketUri())) {
            // as openvidu-browser 2.32.2 resumes: the joinRoom result's sessionId, reconnect true, no lastSeq
            JsonNode resumed = request(second, 1, "connect", TestJson.MAPPER.createObjectNode()
                    .put("sessionId", handle).put("reconnect", true));
            assertFalse(resumed.has("error"), "resumed with the handle from joinRoom: " + resumed);
            assertEquals(media2.id(), resumed.path("result").path("mediaNodeId").asText());
            assertTrue(resumed.path("result").path("resumed").asBoolean(), resumed.toString());
        }
    }

    /**
     * A publisher on media-1; media-1 and its Janus killed; the publisher's reconnectStream sent at once, while the
     * route still names the dead node: it is answered by media-2 with an SDP answer under the same stream id.
     */
    @Test
    @Order(2)
    void aReconnectStreamSentBeforeTheSessionMovedIsServedByTheNewNode() throws Exception {
        ClusterProcesses.Node master2 = cluster.masters().get(1);
        MasterRestClient rest = cluster.rest(master2);
        // the cluster settled after the master killed above (the failover singleton must run when media-1 dies)
        await("master-3 removed from the cluster").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    JsonNode masters = rest.send("GET", "/openvidu/api/cluster").json().path("masters");
                    for (JsonNode m : masters) {
                        if ("master-3".equals(m.path("id").asText())) {
                            return false;
                        }
                    }
                    return masters.size() == 2;
                });
        assertTrue(rest.resumeMediaNode(media1.id()).isRunning());
        await("media-1 runs again").atMost(Duration.ofSeconds(10))
                .until(() -> rest.mediaNode(media1.id()).map(n -> n.isRunning()).orElse(false));
        String sessionId = "held-reconnect-" + RUN;
        rest.createSession(SessionProperties.withId(sessionId).mediaNodeId(media1.id()));
        Connection connection = rest.createConnection(sessionId, ConnectionProperties.publisher("publisher"));

        try (RawSocket socket = RawSocket.open(master2.webSocketUri())) {
            JsonNode joined = request(socket, 1, "joinRoom", TestJson.MAPPER.createObjectNode()
                    .put("token", connection.token()).put("session", sessionId).put("platform", "raw")
                    .put("metadata", "{}")).path("result");
            cluster.forbidInLogs(joined.path("resumeSecret").asText());
            assertEquals(media1.id(), joined.path("mediaNodeId").asText());
            JsonNode published = request(socket, 2, "publishVideo", TestJson.MAPPER.createObjectNode()
                    .put("sdpOffer", WebRtcSignallingTest.JANUS_LIKE_OFFER).put("hasAudio", true).put("hasVideo", true)
                    .put("audioActive", true).put("videoActive", true).put("typeOfVideo", "CAMERA")
                    .put("frameRate", 30).put("videoDimensions", "{\"width\":640,\"height\":480}")
                    .put("doLoopback", false));
            String streamId = published.path("result").path("id").asText();
            assertFalse(streamId.isEmpty(), "published: " + published);

            List<ProcessHandle> janus = ProcessHandle.of(cluster.pid(media1)).orElseThrow().descendants()
                    .filter(h -> h.info().command().map(c -> c.endsWith("/janus")).orElse(false)).toList();
            assertEquals(1, janus.size(), "media-1 supervises one Janus");
            cluster.kill(media1);
            janus.forEach(ProcessHandle::destroyForcibly);
            long killed = System.nanoTime();
            // openvidu-browser's rebuild of its own stream: a new offer under the same stream id
            socket.send(TestJson.MAPPER.writeValueAsString(TestJson.MAPPER.createObjectNode().put("jsonrpc", "2.0")
                    .put("id", 3).put("method", "reconnectStream").set("params", TestJson.MAPPER.createObjectNode()
                            .put("stream", streamId).put("sdpString", WebRtcSignallingTest.JANUS_LIKE_OFFER))));
            assertEquals(media1.id(), rest.session(sessionId).orElseThrow().mediaNodeId(),
                    "the request went out before the session moved");

            JsonNode answer = awaitAnswer(socket, 3);
            long answeredMs = (System.nanoTime() - killed) / 1_000_000;
            log.info("reconnectStream sent at the kill answered after {} ms: {}", answeredMs,
                    answer.has("error") ? answer.get("error") : "an SDP answer");
            assertFalse(answer.has("error"), "served, not refused: " + answer);
            assertEquals(streamId, answer.path("result").path("id").asText());
            assertTrue(answer.path("result").path("sdpAnswer").asText().startsWith("v=0"), answer.toString());
            assertEquals(media2.id(), rest.session(sessionId).orElseThrow().mediaNodeId());
            request(socket, 4, "leaveRoom", TestJson.MAPPER.createObjectNode());
        }
    }

    /** Sends a request and returns its answer, past the notifications that come before it. */
    private static JsonNode request(RawSocket socket, int id, String method, ObjectNode params) throws Exception {
        ObjectNode message = TestJson.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id)
                .put("method", method);
        message.set("params", params);
        socket.send(TestJson.MAPPER.writeValueAsString(message));
        return awaitAnswer(socket, id);
    }

    private static JsonNode awaitAnswer(RawSocket socket, int id) throws Exception {
        long deadline = System.nanoTime() + MOVE.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode next = socket.nextJson(MOVE);
            if (next.path("id").asInt(-1) == id && (next.has("result") || next.has("error"))) {
                return next;
            }
        }
        throw new AssertionError("no answer to request " + id + " within " + MOVE);
    }

    private static JsonNode awaitNotification(RawSocket socket, String method) throws Exception {
        long deadline = System.nanoTime() + MOVE.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode next = socket.nextJson(MOVE);
            if (method.equals(next.path("method").asText())) {
                return next;
            }
        }
        throw new AssertionError("no " + method + " within " + MOVE);
    }
}
