package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.client.JoinResult;
import io.tessera.client.JsonRpcException;
import io.tessera.client.ServerEvent;
import io.tessera.client.SignallingClient;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestException;
import io.tessera.client.rest.RestResponse;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A hostile-input suite against a running cluster (2 masters, 1 media node) with small limits, so that each limit
 * can be hit cheaply. Every case gets its documented error (docs/CONTRACT.md); after each test every node is alive
 * and healthy, and a control session whose participants sit on both masters still signals, without having seen a
 * single participant leave.
 */
class HostileInputTest {

    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration WAIT = Participant.WAIT;
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final String SESSIONS = "/openvidu/api/sessions";

    private static final Duration TOKEN_TTL = Duration.ofSeconds(8);
    private static final int MAX_PARTICIPANTS = 4;
    private static final int REPLAY_BUFFER = 20;
    private static final int MAX_CONNECTIONS = 40;
    private static final int MESSAGES_PER_SECOND = 50;
    private static final int OUTBOUND_BUFFER_CHARS = 256 * 1024;
    private static final int OUTBOUND_BUFFER_MESSAGES = 1024;

    private static ClusterProcesses cluster;
    private static ClusterProcesses.Node m1;
    private static ClusterProcesses.Node m2;
    private static Participant controlA;
    private static Participant controlB;
    private static String controlSession;
    private static final AtomicInteger controlMessages = new AtomicInteger();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterProcesses.start("HostileInputTest", 2, 1, Map.of(
                "TESSERA_TOKEN_TTL", TOKEN_TTL.toSeconds() + "s",
                "TESSERA_MAX_PARTICIPANTS_PER_SESSION", Integer.toString(MAX_PARTICIPANTS),
                "TESSERA_REPLAY_BUFFER", Integer.toString(REPLAY_BUFFER),
                "TESSERA_MAX_CONNECTIONS", Integer.toString(MAX_CONNECTIONS),
                "TESSERA_WS_MESSAGES_PER_SECOND", Integer.toString(MESSAGES_PER_SECOND),
                "TESSERA_WS_OUTBOUND_BUFFER_BYTES", Integer.toString(OUTBOUND_BUFFER_CHARS),
                "TESSERA_WS_OUTBOUND_BUFFER", Integer.toString(OUTBOUND_BUFFER_MESSAGES),
                "TESSERA_RTP_PORT_MIN", "47000", "TESSERA_RTP_PORT_MAX", "47099"));
        cluster.awaitReady(STARTUP);
        m1 = cluster.masters().get(0);
        m2 = cluster.masters().get(1);
        controlSession = "hi-control-" + RUN;
        TestSessions.createSession(rest(m1), controlSession);
        controlA = joined("control-a", m1, controlSession);
        controlB = joined("control-b", m2, controlSession);
    }

    @AfterAll
    static void stopCluster() {
        if (controlA != null) {
            controlA.close();
        }
        if (controlB != null) {
            controlB.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The blast radius check: nodes alive and healthy, the control session untouched and still working. */
    @AfterEach
    void nodesHealthyAndControlSessionUndisturbed() throws Exception {
        cluster.assertAllAlive();
        for (ClusterProcesses.Node n : cluster.allNodes()) {
            RestResponse live = cluster.rest(n).withoutCredentials().send("GET", "/health/live");
            assertEquals(200, live.status(), n.id() + " liveness: " + live);
        }
        String text = "still here " + controlMessages.incrementAndGet();
        controlA.client.sendMessage(List.of(), "signal:control", text).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        controlB.awaitEvent("sendMessage", e -> text.equals(e.param("data")), "the control message '" + text + "'");
        for (Participant p : List.of(controlA, controlB)) {
            assertTrue(p.events().stream().noneMatch(e -> e.method().equals("participantLeft")),
                    p.describeEvents());
            assertEquals(p.expectedSeqs(), p.seqs(), "gapless events at " + p.name);
        }
    }

    // ------------------------------------------------------------------ REST

    @Test
    void restRejectsMalformedWrongTypedHugeAndOversizedBodiesWithAJsonError() throws Exception {
        MasterRestClient rest = rest(m1);
        String existing = "hi-rest-" + RUN;
        TestSessions.createSession(rest, existing);
        String connection = SESSIONS + "/" + existing + "/connection";
        Map<String, String> badSessionBodies = new java.util.LinkedHashMap<>();
        badSessionBodies.put("truncated", "{\"customSessionId\": \"hi-t");
        badSessionBodies.put("not JSON", "customSessionId=hi");
        badSessionBodies.put("an array", "[]");
        badSessionBodies.put("a string", "\"hi\"");
        badSessionBodies.put("a number", "42");
        badSessionBodies.put("two documents", "{} {}");
        badSessionBodies.put("id as number", "{\"customSessionId\": 12}");
        badSessionBodies.put("id as object", "{\"customSessionId\": {\"a\": 1}}");
        badSessionBodies.put("huge number id", "{\"customSessionId\": 1e99999}");
        badSessionBodies.put("huge integer id", "{\"customSessionId\": " + "9".repeat(2000) + "}");
        badSessionBodies.put("priority as number", "{\"priority\": 123456789012345678901234567890}");
        badSessionBodies.put("unknown priority", "{\"priority\": \"urgent\"}");
        badSessionBodies.put("mediaNode as string", "{\"mediaNode\": \"media-1\"}");
        badSessionBodies.put("NUL in id", "{\"customSessionId\": \"hi\\u0000x\"}");
        badSessionBodies.put("newline in id", "{\"customSessionId\": \"hi\\nx\"}");
        badSessionBodies.put("emoji in id", "{\"customSessionId\": \"hi-\uD83D\uDE00\"}");
        badSessionBodies.put("right-to-left mark in id", "{\"customSessionId\": \"hi\u200Fx\"}");
        badSessionBodies.put("lone surrogate in id", "{\"customSessionId\": \"hi\\uD800\"}");
        badSessionBodies.put("id of 10k chars", "{\"customSessionId\": \"" + "a".repeat(10_000) + "\"}");
        badSessionBodies.put("deep nesting", "{\"x\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}");
        List<Executable> checks = new ArrayList<>();
        badSessionBodies.forEach((what, body) -> checks.add(
                () -> assertJsonError(400, rest.send("POST", SESSIONS, body), "POST /sessions with " + what)));
        checks.add(() -> assertJsonError(400, rest.send("POST", connection, "{\"role\": 7}"), "role as number"));
        checks.add(() -> assertJsonError(400, rest.send("POST", connection, "{\"data\": \"" + "d".repeat(10_001) + "\"}"),
                "connection data over 10000 characters"));
        checks.add(() -> assertJsonError(400, rest.send("POST", SESSIONS, "{\"defaultRecordingProperties\":{\"name\":\""
                + "n".repeat(10_000) + "\"}}"), "defaultRecordingProperties over 10000 characters"));
        checks.add(() -> assertJsonError(400, rest.send("POST", "/openvidu/api/signal",
                "{\"session\": \"" + existing + "\", \"to\": \"not-a-list\"}"), "signal 'to' as string"));
        checks.add(() -> assertJsonError(413, rest.send("POST", SESSIONS,
                "{\"customSessionId\":\"hi-big\",\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}"), "2 MiB body"));
        checks.add(() -> assertJsonError(400, rest.send("GET", SESSIONS + "/hi-%F0%9F%98%80"), "GET a session id with an emoji"));
        checks.add(() -> assertJsonError(400, rest.send("GET", SESSIONS + "/hi%00x"), "GET a session id with NUL"));
        checks.add(() -> assertJsonError(400, rest.send("DELETE", SESSIONS + "/hi%E2%80%AEx"), "DELETE an id with an RTL override"));
        checks.add(() -> assertJsonError(404, rest.send("GET", "/openvidu/api/no-such-thing"), "unknown path"));
        checks.add(() -> assertJsonError(405, rest.send("PUT", SESSIONS, "{}"), "PUT on /sessions"));
        assertAll("REST through " + m1.id(), checks.stream());
        assertEquals(200, rest.send("GET", SESSIONS + "/" + existing).status(), "the session next door is intact");
    }

    @Test
    void restFloodsAreAnsweredAndTheMasterStaysResponsive() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            Map<Integer, Integer> authorized = flood(pool, 800, () -> rest(m2).send("GET", SESSIONS).status());
            Map<Integer, Integer> anonymous = flood(pool, 800,
                    () -> rest(m2).withSecret("guess-" + RUN).send("GET", SESSIONS).status());
            assertEquals(Map.of(200, 800), authorized, "800 authorized GETs in 16 threads");
            assertEquals(Map.of(401, 800), anonymous, "800 GETs with a wrong secret in 16 threads");
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<Integer, Integer> flood(ExecutorService pool, int requests,
                                               java.util.concurrent.Callable<Integer> request) throws Exception {
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            answers.add(pool.submit(request));
        }
        Map<Integer, Integer> byStatus = new HashMap<>();
        for (Future<Integer> f : answers) {
            byStatus.merge(f.get(60, TimeUnit.SECONDS), 1, Integer::sum);
        }
        return byStatus;
    }

    // ------------------------------------------------------------------ WebSocket messages

    @Test
    void webSocketRejectsMalformedMessagesWithTheirErrorCodeAndStaysUsable() throws Exception {
        Map<String, Integer> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"", -32700);
        cases.put("\u0000\u0001\u0002", -32700);
        cases.put("[]", -32600);
        cases.put("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", -32600);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":2}", -32600);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":42}", -32600);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"joinRoom\",\"params\":[1,2]}", -32602);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"joinRoom\",\"params\":{\"token\":12,\"session\":\"x\"}}", -32602);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"joinRoom\",\"params\":{\"token\":\"tok_x\",\"session\":"
                + "\"" + "s".repeat(2000) + "\"}}", -32602);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":14,\"method\":\"connect\",\"params\":{\"sessionId\":\"a\\u0000\","
                + "\"connectionId\":\"con_x\",\"resumeSecret\":\"s\",\"lastSeq\":1}}", -32602);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"connect\",\"params\":{\"sessionId\":\"x\","
                + "\"connectionId\":\"con_x\",\"resumeSecret\":\"s\",\"lastSeq\":" + "9".repeat(400) + "}}", -32700);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"connect\",\"params\":{\"sessionId\":\"x\","
                + "\"connectionId\":\"con_x\",\"resumeSecret\":\"s\",\"lastSeq\":1e30}}", -32602);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":1e999999,\"method\":\"ping\"}", -32700);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":15,\"method\":\"ping\"} {\"id\":16}", -32700);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":17,\"method\":\"ping\",\"method\":\"leaveRoom\"}", -32700);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"noSuchMethod\",\"params\":{}}", -32601);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"sendMessage\",\"params\":{\"message\":\"{}\"}}", 102);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"" + "m".repeat(5_000) + "\"}", -32601);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"ping\",\"params\":" + "[".repeat(3_000) + "]".repeat(3_000)
                + "}", -32700);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"joinRoom\",\"params\":{\"token\":\"tok_\\u0000\\n\","
                + "\"session\":\"\uD83D\uDE00\\u202E\"}}", -32602);
        cases.put("{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(70_000) + "\"}}", 413);
        try (RawSocket raw = RawSocket.open(m2.webSocketUri())) {
            List<Executable> checks = new ArrayList<>();
            for (Map.Entry<String, Integer> c : cases.entrySet()) {
                raw.send(c.getKey());
                JsonNode answer = raw.nextJson(WAIT);
                String what = abbreviate(c.getKey());
                checks.add(() -> assertRpcError(c.getValue(), answer, what));
                checks.add(() -> assertTrue(raw.isOpen(), "socket open after " + what));
            }
            raw.sendBinary(new byte[] {1, 2, 3});
            JsonNode binary = raw.nextJson(WAIT);
            checks.add(() -> assertRpcError(-32600, binary, "a binary frame"));
            raw.send("{\"jsonrpc\":\"2.0\",\"id\":\"last\",\"method\":\"ping\",\"params\":{\"interval\":5000}}");
            JsonNode pong = raw.nextJson(WAIT);
            checks.add(() -> assertEquals("pong", pong.at("/result/value").asText(), "ping after all that: " + pong));
            checks.add(() -> assertEquals("last", pong.path("id").asText(), "its id: " + pong));
            assertAll("JSON-RPC through " + m2.id(), checks.stream());
        }
    }

    @Test
    void aRequestFloodOnOneSocketIsAnsweredWith429AndEveryRequestGetsOneAnswer() throws Exception {
        int sent = 300;
        try (RawSocket raw = RawSocket.open(m1.webSocketUri())) {
            for (int i = 0; i < sent; i++) {
                raw.send("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"ping\",\"params\":{}}");
            }
            int pongs = 0;
            int tooMany = 0;
            boolean[] answered = new boolean[sent];
            for (int i = 0; i < sent; i++) {
                JsonNode answer = raw.nextJson(WAIT);
                int id = answer.path("id").asInt(-1);
                assertTrue(id >= 0 && id < sent && !answered[id], "one answer per request id: " + answer);
                answered[id] = true;
                if ("pong".equals(answer.at("/result/value").asText())) {
                    pongs++;
                } else {
                    assertRpcError(429, answer, "ping " + id);
                    tooMany++;
                }
            }
            System.out.printf("request flood: %d pings sent at once -> %d pongs, %d x 429%n", sent, pongs, tooMany);
            int burst = 2 * MESSAGES_PER_SECOND;
            assertTrue(pongs >= burst, "at least the burst of " + burst + " is served: " + pongs);
            assertTrue(tooMany > 0, "a flood of " + sent + " gets some 429s");
            await("the rate refills").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                raw.send("{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"ping\",\"params\":{}}");
                return "pong".equals(raw.nextJson(WAIT).at("/result/value").asText());
            });
        }
    }

    @Test
    void connectionsPastTheMastersLimitAreRefusedWith503UntilOthersClose() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<WebSocket> open = new ArrayList<>();
        WebSocketHandshakeException refused = null;
        try {
            for (int i = 0; i < MAX_CONNECTIONS + 5 && refused == null; i++) {
                try {
                    open.add(http.newWebSocketBuilder().buildAsync(m2.webSocketUri(), new WebSocket.Listener() { })
                            .get(10, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    refused = assertInstanceOf(WebSocketHandshakeException.class, e.getCause(), "refusal: " + e);
                }
            }
            assertNotNull(refused, "a connection past " + MAX_CONNECTIONS + " is refused");
            assertEquals(503, refused.getResponse().statusCode(), "refused with 503");
            assertTrue(open.size() <= MAX_CONNECTIONS && open.size() >= MAX_CONNECTIONS - 2,
                    "refused after about " + MAX_CONNECTIONS + " (the control participant holds one): " + open.size());
            assertTrue(String.valueOf(refused.getResponse().body()).contains("maximum of " + MAX_CONNECTIONS)
                    || refused.getResponse().body() == null, "the refusal says why: " + refused.getResponse().body());
        } finally {
            open.forEach(WebSocket::abort);
        }
        await("connections are accepted again").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            try (RawSocket again = RawSocket.open(m2.webSocketUri())) {
                return again.isOpen();
            } catch (Exception e) {
                return false;
            }
        });
    }

    // ------------------------------------------------------------------ tokens and resume

    @Test
    void tokensOfOtherSessionsForgedRevokedReplayedAndExpiredTokensAreRefused() throws Exception {
        MasterRestClient rest = rest(m1);
        String mine = "hi-tok-" + RUN;
        String other = "hi-tok-other-" + RUN;
        TestSessions.createSession(rest, mine);
        TestSessions.createSession(rest, other);
        String tokenOfOther = TestSessions.createConnection(rest, other, "o").token();
        Connection revokedCon = TestSessions.createConnection(rest, mine, "r");
        Connection usedCon = TestSessions.createConnection(rest, mine, "u");
        Connection expiringCon = TestSessions.createConnection(rest, mine, "e");
        long expiringCreatedAt = System.currentTimeMillis();
        rest.deleteConnection(mine, revokedCon.connectionId()); // revokes its token
        try (Participant user = Participant.connect("token-user", m1.webSocketUri());
             SignallingClient sdk = SignallingClient.connect(m2.webSocketUri())) {
            user.join(usedCon.token(), "{}");
            List<Executable> checks = new ArrayList<>();
            checks.add(() -> assertEquals(401, rpcErrorCode(sdk.request("joinRoom", joinParams(tokenOfOther, mine))),
                    "a token of another session"));
            checks.add(() -> assertEquals(401, rpcErrorCode(sdk.request("joinRoom",
                    joinParams("tok_" + "A".repeat(16), mine))), "a forged token"));
            checks.add(() -> assertEquals(401, rpcErrorCode(sdk.request("joinRoom",
                    joinParams(revokedCon.token(), mine))), "a revoked token"));
            checks.add(() -> assertEquals(409, rpcErrorCode(sdk.request("joinRoom",
                    joinParams(usedCon.token(), mine))), "a token in use by a participant"));
            assertAll("tokens", checks.stream());
            await("the token TTL passes").atMost(TOKEN_TTL.plus(WAIT)).pollInterval(Duration.ofMillis(250))
                    .until(() -> System.currentTimeMillis() > expiringCreatedAt + TOKEN_TTL.toMillis() + 500);
            assertEquals(401, rpcErrorCode(sdk.request("joinRoom",
                    joinParams(expiringCon.token(), mine))), "an expired token");
            assertEquals("pong", sdk.ping().get(WAIT.toSeconds(), TimeUnit.SECONDS).path("value").asText(),
                    "the socket is still usable");
            assertTrue(user.events().stream().noneMatch(e -> e.method().equals("participantJoined")),
                    "no refused join reached the session: " + user.describeEvents());
        }
    }

    @Test
    void resumeWithAWrongSecretOrForAParticipantThatMissedTooMuchIsRefused() throws Exception {
        MasterRestClient rest = rest(m1);
        String sid = "hi-resume-" + RUN;
        TestSessions.createSession(rest, sid);
        try (Participant speaker = joined("speaker", m1, sid);
             RawSocket leaver = RawSocket.open(m2.webSocketUri())) {
            leaver.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"joinRoom\",\"params\":" + joinParams(
                    TestSessions.createConnection(rest, sid, "leaver").token(), sid) + "}");
            JsonNode left = leaver.nextJson(WAIT).path("result");
            String leaverId = left.path("id").asText();
            String secret = left.path("resumeSecret").asText();
            long seq = left.path("seq").asLong();
            assertFalse(secret.isEmpty(), "join result carries a resume secret: " + left);
            try (SignallingClient sdk = SignallingClient.connect(m1.webSocketUri())) {
                assertEquals(401, rpcErrorCode(sdk.request("connect",
                        resumeParams(sid, leaverId, "wrong-" + secret, seq))), "a wrong resume secret");
                assertEquals(401, rpcErrorCode(sdk.request("connect",
                        resumeParams(sid, leaverId, "", seq))), "an empty resume secret");
                assertEquals(404, rpcErrorCode(sdk.request("connect",
                        resumeParams(sid, "con_nobody", secret, 0))), "an unknown connection");
                assertEquals(400, rpcErrorCode(sdk.request("connect",
                        resumeParams(sid, leaverId, secret, seq + 1000))), "a lastSeq it never had");
                assertEquals(-32602, rpcErrorCode(sdk.request("connect",
                        resumeParams(sid, leaverId, secret, -1))), "a negative lastSeq");
            }
            // The leaver's socket dies (no leaveRoom); while it is detached it misses more events than are kept.
            leaver.close();
            // The master notices the dead socket a moment later; signals until then still went out. So send until
            // the media node refuses: it evicts the participant the moment it has missed one more than it keeps.
            int signals = 0;
            boolean refused = false;
            while (!refused && signals < 10 * REPLAY_BUFFER) {
                try {
                    speaker.client.sendMessage(List.of(leaverId), "signal:missed", "m" + signals)
                            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    signals++;
                } catch (ExecutionException e) {
                    assertEquals(404, assertInstanceOf(JsonRpcException.class, e.getCause()).code(), e.toString());
                    refused = true;
                }
            }
            assertTrue(refused && signals > REPLAY_BUFFER, "evicted after missing more than " + REPLAY_BUFFER
                    + " events: " + signals + " signals sent");
            ServerEvent gone = speaker.awaitEvent("participantLeft",
                    e -> leaverId.equals(e.param("connectionId")), "the leaver evicted");
            assertEquals("networkDisconnect", gone.param("reason"), gone.toString());
            try (SignallingClient sdk = SignallingClient.connect(m1.webSocketUri())) {
                assertEquals(404, rpcErrorCode(sdk.request("connect",
                        resumeParams(sid, leaverId, secret, seq))), "resume after the eviction");
            }
        }
    }

    @Test
    void aFullSessionRefusesOneMoreParticipantWith429() throws Exception {
        MasterRestClient rest = rest(m1);
        String sid = "hi-full-" + RUN;
        TestSessions.createSession(rest, sid);
        List<Participant> in = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_PARTICIPANTS; i++) {
                in.add(joined("full-" + i, i % 2 == 0 ? m1 : m2, sid));
            }
            String token = TestSessions.createConnection(rest, sid, "one-too-many").token();
            try (SignallingClient sdk = SignallingClient.connect(m2.webSocketUri())) {
                assertEquals(429, rpcErrorCode(sdk.request("joinRoom", joinParams(token, sid))), "participant "
                        + (MAX_PARTICIPANTS + 1));
            }
            Participant leaving = in.remove(0);
            leaving.client.leaveRoom().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            leaving.close();
            try (Participant late = Participant.connect("late", m2.webSocketUri())) {
                late.join(token, "{}"); // a place is free again
            }
        } finally {
            in.forEach(Participant::close);
        }
    }

    /**
     * One session's tokens with large data fill its routing shard: past three quarters of a remoting frame they are
     * refused with 507 and a message (a shard past the frame would no longer replicate: OversizedPayloadException),
     * and every token created before stays readable from a majority through the other master.
     */
    @Test
    void tokensThatWouldOutgrowTheirRoutingShardAreRefusedWith507() throws Exception {
        MasterRestClient rest = rest(m1);
        String sid = "hi-shard-" + RUN;
        TestSessions.createSession(rest, sid);
        java.util.Random random = new java.util.Random(RUN.hashCode());
        int created = 0;
        RestResponse refused = null;
        while (refused == null && created < 100) { // 100 tokens of 9 000 characters would be 900 KB, 3.5 frames
            StringBuilder data = new StringBuilder(9_000);
            random.ints(9_000, 'a', 'z' + 1).forEach(c -> data.append((char) c));
            RestResponse r = rest.send("POST", SESSIONS + "/" + sid + "/connection", "{\"data\":\"" + data + "\"}");
            if (r.status() == 200) {
                created++;
            } else {
                refused = r;
            }
        }
        assertTrue(refused != null, created + " tokens of 9 000 characters, none refused");
        assertJsonError(507, refused, "token " + (created + 1));
        assertTrue(refused.json().path("message").asText().contains(sid), refused.toString());
        assertTrue(created >= 15, "tokens before the refusal: " + created);
        RestResponse listed = rest(m2).send("GET", SESSIONS + "/" + sid + "/connection?pendingConnections=true");
        assertEquals(200, listed.status(), listed.toString());
        assertEquals(created, listed.json().path("numberOfElements").asInt(), "every token, through " + m2.id());
        for (ClusterProcesses.Node m : cluster.masters()) {
            assertEquals(0, cluster.logLinesWith(m, "OversizedPayloadException"), m.id() + " sent no oversized frame");
        }
        assertEquals(204, rest.send("DELETE", SESSIONS + "/" + sid).status());
    }

    // ------------------------------------------------------------------ slow consumers

    @Test
    void aClientThatStopsReadingIsCutOffWithoutHurtingTheOthers() throws Exception {
        MasterRestClient rest = rest(m1);
        String sid = "hi-slow-" + RUN;
        TestSessions.createSession(rest, sid);
        Connection con = TestSessions.createConnection(rest, sid, "stalled");
        String stalledId = con.connectionId();
        try (Participant neighbour = joined("neighbour", m1, sid);
             StalledClient stalled = StalledClient.open(m1.webSocketUri())) {
            stalled.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"joinRoom\",\"params\":"
                    + joinParams(con.token(), sid) + "}");
            JsonNode joinAnswer = stalled.readJson();
            assertEquals(stalledId, joinAnswer.at("/result/id").asText(), "stalled client joined: " + joinAnswer);
            // From here on it reads nothing. Signals of ~9 KB pile up for it at the master until the master cuts it
            // off; detached, it then misses more than the replay buffer keeps and leaves the session, which is when
            // signals to it are refused (406).
            String data = "z".repeat(9_000);
            long started = System.nanoTime();
            int sent = 0;
            int status = 200;
            while (status == 200 && sent < 20_000) {
                try {
                    rest.signal(sid, List.of(stalledId), "signal:pile", data);
                } catch (RestException refused) {
                    status = refused.status();
                    assertEquals(406, status, "signal " + sent + ": " + refused.getMessage());
                }
                sent++;
            }
            long floodMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("slow consumer: cut off and gone from the session after %d signals of 9000 characters"
                    + " (%d ms)%n", sent - 1, floodMillis);
            assertEquals(406, status, "the stalled participant is gone after " + sent + " signals");
            // The bound in characters cut it off, before the bound in messages could have (the kernel's socket
            // buffers take a few hundred of these signals first).
            assertTrue(sent - 1 < OUTBOUND_BUFFER_MESSAGES, "cut off by the character bound: " + (sent - 1) + " signals");
            ServerEvent left = neighbour.awaitEvent("participantLeft", e -> stalledId.equals(e.param("connectionId")),
                    "the stalled participant leaving");
            assertEquals("networkDisconnect", left.param("reason"), left.toString());
            assertTrue(rest.connection(sid, stalledId).isEmpty(), "its connection is gone");
            // The neighbour on the same master and session is served.
            neighbour.client.sendMessage(List.of(), "signal:neighbour", "fine").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            neighbour.awaitEvent("sendMessage", e -> "fine".equals(e.param("data")), "its own broadcast");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static MasterRestClient rest(ClusterProcesses.Node master) {
        return cluster.rest(master);
    }

    private static Participant joined(String name, ClusterProcesses.Node master, String sessionId) throws Exception {
        Connection con = TestSessions.createConnection(rest(master), sessionId, name);
        Participant p = Participant.connect(name, master.webSocketUri());
        p.join(con.token(), "{\"name\":\"" + name + "\"}");
        return p;
    }

    private static ObjectNode joinParams(String token, String sessionId) {
        return TestJson.MAPPER.createObjectNode().put("token", token).put("session", sessionId)
                .put("metadata", "").put("platform", "hostile-input-test");
    }

    private static ObjectNode resumeParams(String sessionId, String connectionId, String secret, long lastSeq) {
        return TestJson.MAPPER.createObjectNode().put("sessionId", sessionId).put("connectionId", connectionId)
                .put("resumeSecret", secret).put("lastSeq", lastSeq);
    }

    private static int rpcErrorCode(CompletableFuture<?> f) throws Exception {
        JsonRpcException rpc = Participant.rpcError(f);
        assertNoStackTrace(rpc.errorMessage());
        return rpc.code();
    }

    private static void assertJsonError(int status, RestResponse r, String what) {
        assertEquals(status, r.status(), what + ": " + r);
        assertEquals(status, r.json().path("status").asInt(), what + ", JSON error body: " + r);
        assertFalse(r.json().path("message").asText().isBlank(), what + ", a message: " + r);
        assertNoStackTrace(r.text());
    }

    private static void assertRpcError(int code, JsonNode answer, String what) {
        assertEquals(code, answer.at("/error/code").asInt(), what + " -> " + abbreviate(answer.toString()));
        assertFalse(answer.at("/error/message").asText().isBlank(), what + ", a message: " + answer);
        assertNoStackTrace(answer.toString());
    }

    private static void assertNoStackTrace(String text) {
        assertFalse(text.contains("Exception") || text.contains("\tat ") || text.contains("at io.tessera"),
                "no stack trace or exception name in an answer: " + abbreviate(text));
    }

    private static String abbreviate(String s) {
        return s.length() > 160 ? s.substring(0, 160) + "...(" + s.length() + " chars)" : s;
    }
}
