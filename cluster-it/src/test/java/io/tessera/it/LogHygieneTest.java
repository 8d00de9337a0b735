package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.MasterRestClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Drives one small cluster (1 master, 1 media node) through the paths most likely to leak a secret into a log
 * (wrong and right Basic auth, malformed headers and request lines, joins with good, foreign and revoked tokens,
 * resumes with wrong and right secrets, malformed JSON-RPC that the server echoes, a webhook with an Authorization
 * header), then reads every node's log: no secret in any line, every line a JSON object with the documented
 * fields, and the lines Tessera writes about a session carry its id in the MDC. docs/OPERATIONS.md "Logs".
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogHygieneTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final Set<String> FIELDS = Set.of("timestamp", "level", "logger", "thread", "message", "nodeId",
            "role");

    private static final String HOOK_AUTH = "Bearer hook_" + random(12);
    private static final String HOOK_PASSWORD = "pw_" + random(10);
    private static final String HOOK_QUERY = "q_" + random(10);

    private static ClusterProcesses cluster;
    private static ClusterProcesses.Node master;
    private static HttpServer hook;
    private static final List<String> hookAuthorizations = new CopyOnWriteArrayList<>();

    private final String sessionA = "hyg-a-" + RUN;
    private final String sessionB = "hyg-b-" + RUN;

    @BeforeAll
    static void startCluster() throws Exception {
        // The webhook receiver refuses every event: the master's failure path logs, with the header configured.
        hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hook.createContext("/hook", exchange -> {
            hookAuthorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        hook.start();
        String hookUrl = "http://hookuser:" + HOOK_PASSWORD + "@127.0.0.1:" + hook.getAddress().getPort()
                + "/hook?key=" + HOOK_QUERY;
        cluster = ClusterProcesses.start("LogHygieneTest", 1, 1, Map.of(
                "TESSERA_WEBHOOK_URLS", hookUrl,
                "TESSERA_WEBHOOK_AUTHORIZATION", HOOK_AUTH));
        for (String s : List.of(HOOK_AUTH, HOOK_AUTH.substring("Bearer ".length()), HOOK_PASSWORD, HOOK_QUERY)) {
            cluster.forbidInLogs(s);
        }
        master = cluster.masters().get(0);
        cluster.awaitReady(STARTUP);
    }

    @AfterAll
    static void stopCluster() {
        try {
            if (cluster != null) {
                cluster.close(); // scans the logs again, after the nodes wrote their last lines
            }
        } finally {
            if (hook != null) {
                hook.stop(0);
            }
        }
    }

    @Test
    @Order(1)
    void provokeThePathsThatCouldLeak() throws Exception {
        MasterRestClient rest = cluster.rest(master);
        String wrongSecret = "wrong_" + random(12);
        cluster.forbidInLogs(wrongSecret);

        // REST: no, wrong and right Basic auth; malformed bodies that carry the secret.
        assertEquals(401, rest.withoutCredentials().send("GET", "/openvidu/api/sessions").status());
        assertEquals(401, rest.withSecret(wrongSecret).send("GET", "/openvidu/api/sessions").status());
        assertEquals(200, rest.send("GET", "/openvidu/api/sessions").status());
        assertEquals(400, rest.send("POST", "/openvidu/api/sessions", "{\"customSessionId\":\"" + cluster.secret()).status());
        assertEquals(400, rest.sendJson("POST", "/openvidu/api/sessions", Map.of("customSessionId", "x " + wrongSecret)).status());

        // Malformed Authorization header and request line (Pekko HTTP quotes them in full when verbose).
        assertTrue(rawHttp("GET /openvidu/api/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Basic @@"
                + cluster.secret() + " ==\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 401"));

        TestSessions.createSession(rest, sessionA);
        TestSessions.createSession(rest, sessionB);
        Connection a1 = TestSessions.createConnection(rest, sessionA, "a1");
        Connection a2 = TestSessions.createConnection(rest, sessionA, "a2");
        Connection b1 = TestSessions.createConnection(rest, sessionB, "b1");
        Connection revoked = TestSessions.createConnection(rest, sessionA, "revoked");
        String tokenA1 = a1.token();
        String tokenB1 = b1.token();
        String tokenRevoked = revoked.token();
        for (Connection r : List.of(a1, a2, b1, revoked)) {
            cluster.forbidInLogs(r.token());
            cluster.forbidInLogs(bareToken(r.token()));
        }
        rest.deleteConnection(sessionA, revoked.connectionId());
        assertTrue(rawHttp("GET /openvidu?sessionId=" + sessionA + "&token=" + bareToken(tokenA1)
                + "{ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 4"));

        try (RawSocket joined = RawSocket.open(master.webSocketUri());
             RawSocket other = RawSocket.open(master.webSocketUri())) {
            // A valid join; its resume secret must stay out of the logs too.
            JsonNode join = call(joined, 1, "joinRoom", params("token", tokenA1, "session", sessionA,
                    "metadata", "{\"clientData\":\"a1\"}"));
            String connectionId = join.at("/result/id").asText();
            String resumeSecret = join.at("/result/resumeSecret").asText();
            assertTrue(resumeSecret.length() >= 32, join::toString);
            cluster.forbidInLogs(resumeSecret);

            // Refused joins: another session's token, a revoked token, a token URL where the session id belongs.
            assertEquals(401, call(other, 2, "joinRoom", params("token", tokenB1, "session", sessionA))
                    .at("/error/code").asInt());
            assertEquals(401, call(other, 3, "joinRoom", params("token", tokenRevoked, "session", sessionA))
                    .at("/error/code").asInt());
            JsonNode tokenAsSession = call(other, 4, "joinRoom", params("token", tokenA1, "session", tokenA1));
            assertTrue(tokenAsSession.has("error"), tokenAsSession::toString);

            // Resume: a wrong secret is refused; the right one (from another socket) is accepted.
            String wrongResume = random(16);
            cluster.forbidInLogs(wrongResume);
            assertEquals(401, call(other, 5, "connect", params("sessionId", sessionA, "connectionId", connectionId,
                    "resumeSecret", wrongResume)).at("/error/code").asInt());
            JsonNode resumed = call(other, 6, "connect", params("sessionId", sessionA, "connectionId", connectionId,
                    "resumeSecret", resumeSecret, "lastSeq", "0"));
            assertTrue(resumed.at("/result/resumed").asBoolean(), resumed::toString);
            cluster.forbidInLogs(resumed.at("/result/resumeSecret").asText());

            // Malformed JSON-RPC the server answers by echoing parts of it.
            other.send("not JSON " + cluster.secret() + " " + tokenA1);
            assertEquals(-32700, next(other, null).at("/error/code").asInt());
            assertEquals(-32601, call(other, 7, bareToken(tokenA1), params()).at("/error/code").asInt());
            JsonNode message = call(other, 8, "sendMessage", params("message",
                    "{\"type\":\"signal:x\",\"data\":\"" + tokenA1 + " " + resumeSecret + "\"}"));
            assertTrue(message.has("result"), message::toString);
        }

        // The webhook endpoint saw the configured header, so the master really sent (and failed) with it.
        await("webhook attempts").atMost(WAIT).until(() -> !hookAuthorizations.isEmpty());
        assertEquals(HOOK_AUTH, hookAuthorizations.get(0));
        await("the master logs the refused webhook").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.readString(master.log()).contains("failed after"));
        // The media node's line about the wrong resume secret is written before the checks below read the logs.
        await("the media node logs the refused resume").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.readString(cluster.mediaNodes().get(0).log()).contains("wrong resume secret"));
        cluster.assertAllAlive();
    }

    @Test
    @Order(2)
    void logsHoldNoSecretAreJsonAndNameTheSession() throws Exception {
        List<String> leaks = cluster.logLeaks();
        assertTrue(leaks.isEmpty(), "secrets in the logs:\n" + String.join("\n", leaks));

        List<String> problems = new ArrayList<>();
        int aboutA = 0;
        Set<String> rolesWithSessionMdc = new java.util.HashSet<>();
        for (ClusterProcesses.Node n : cluster.allNodes()) {
            List<String> lines = Files.readAllLines(n.log(), StandardCharsets.UTF_8);
            assertTrue(lines.size() > 5, n.id() + " logged almost nothing");
            for (int i = 0; i < lines.size(); i++) {
                String where = n.id() + ":" + (i + 1);
                JsonNode json;
                try {
                    json = TestJson.MAPPER.readTree(lines.get(i));
                } catch (Exception e) {
                    problems.add(where + " is not JSON: " + abbreviate(lines.get(i)));
                    continue;
                }
                if (json == null || !json.isObject()) {
                    problems.add(where + " is not a JSON object: " + abbreviate(lines.get(i)));
                    continue;
                }
                for (String field : FIELDS) {
                    if (!json.hasNonNull(field)) {
                        problems.add(where + " has no " + field + ": " + abbreviate(lines.get(i)));
                    }
                }
                if (!n.id().equals(json.path("nodeId").asText())) {
                    problems.add(where + " names node " + json.path("nodeId"));
                }
                boolean ours = json.path("logger").asText().startsWith("io.tessera");
                if (ours && json.path("message").asText().contains(sessionA)) {
                    aboutA++;
                    if (!sessionA.equals(json.path("sessionId").asText())) {
                        problems.add(where + " is about " + sessionA + " without it in the MDC: " + abbreviate(lines.get(i)));
                    } else {
                        rolesWithSessionMdc.add(json.path("role").asText());
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " bad log lines:\n" + String.join("\n",
                problems.subList(0, Math.min(30, problems.size()))));
        assertTrue(aboutA >= 4, "only " + aboutA + " lines about " + sessionA);
        assertEquals(Set.of("master", "media"), rolesWithSessionMdc, "both kinds of node tag the session's lines");
    }

    // ---------------------------------------------------------------- helpers

    private static ObjectNode params(String... keyValues) {
        ObjectNode p = TestJson.MAPPER.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            if ("lastSeq".equals(keyValues[i])) {
                p.put(keyValues[i], Long.parseLong(keyValues[i + 1]));
            } else {
                p.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return p;
    }

    /** Sends a request and returns its answer (notifications in between are skipped). */
    private static JsonNode call(RawSocket socket, int id, String method, ObjectNode params) throws Exception {
        ObjectNode request = TestJson.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        request.set("params", params);
        socket.send(request.toString());
        return next(socket, id);
    }

    private static JsonNode next(RawSocket socket, Integer id) throws Exception {
        while (true) {
            JsonNode m = socket.nextJson(WAIT);
            if (m.has("method")) {
                continue; // a notification
            }
            if (id == null || m.path("id").asInt(-1) == id) {
                return m;
            }
        }
    }

    /** Sends raw bytes to the master's HTTP port and returns the status line (for requests no client would send). */
    private static String rawHttp(String request) throws Exception {
        try (Socket s = new Socket(master.host(), master.httpPort())) {
            s.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))
                    .readLine();
            return status == null ? "(no answer)" : status;
        }
    }

    private static String bareToken(String tokenUrl) {
        return tokenUrl.substring(tokenUrl.indexOf("token=") + "token=".length());
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return bytes == 16 ? Base64.getUrlEncoder().withoutPadding().encodeToString(b) + "Aa1"
                : HexFormat.of().formatHex(b);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
