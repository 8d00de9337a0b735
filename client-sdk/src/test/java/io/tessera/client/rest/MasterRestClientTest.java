package io.tessera.client.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.rest.FakeMaster.Answer;
import io.tessera.client.rest.FakeMaster.Request;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a JDK HttpServer on 127.0.0.1 standing in for a master. */
class MasterRestClientTest {
    private static final String SECRET = "s3cret-rest-client";
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString(("OPENVIDUAPP:" + SECRET).getBytes(StandardCharsets.UTF_8));

    private static final String CONNECTION = """
            {"id":"con_A","object":"connection","type":"WEBRTC","status":"pending","sessionId":"s-1",
             "connectionId":"con_A","createdAt":17,"token":"ws://127.0.0.1:4443?sessionId=s-1&token=tok_X",
             "serverData":"alice","clientData":null,"record":true,"role":"PUBLISHER"}""";
    private static final String SESSION = """
            {"id":"s-1","object":"session","sessionId":"s-1","createdAt":12,"mediaNodeId":"media-2",
             "priority":"protected","customSessionId":"s-1","connections":{"numberOfElements":1,"content":[%s]}}"""
            .formatted(CONNECTION);

    private FakeMaster master;

    @AfterEach
    void stop() {
        if (master != null) {
            master.close();
        }
    }

    private MasterRestClient client(Function<Request, Answer> answers) {
        master = FakeMaster.start(answers);
        return MasterRestClient.create(master.uri(), SECRET);
    }

    @Test
    void typedCallsSendBasicAuthTheRightRequestsAndReadTheAnswers() throws Exception {
        MasterRestClient rest = client(request -> switch (request.method() + " " + request.rawPath()) {
            case "POST /openvidu/api/sessions", "GET /openvidu/api/sessions/s-1" -> Answer.json(200, SESSION);
            case "POST /openvidu/api/sessions/s-1/connection" -> Answer.json(200, CONNECTION);
            case "DELETE /openvidu/api/sessions/s-1" -> Answer.json(204, "");
            default -> Answer.json(404, "{\"status\":404,\"message\":\"no\"}");
        });

        Session created = rest.createSession(SessionProperties.withId("s-1").priority("protected").mediaNodeId("media-2"));
        Connection con = rest.createConnection("s-1", ConnectionProperties.publisher("alice"));
        Session read = rest.session("s-1").orElseThrow();
        rest.deleteSession("s-1");

        assertEquals("media-2", created.mediaNodeId());
        assertEquals("protected", created.priority());
        assertEquals(List.of("con_A"), read.connections().stream().map(Connection::connectionId).toList());
        assertEquals("ws://127.0.0.1:4443?sessionId=s-1&token=tok_X", con.token());
        assertEquals("alice", con.serverData());
        assertNull(con.clientData());
        assertEquals("WEBRTC", con.json().path("type").asText(), "the whole answer stays reachable");

        List<Request> sent = master.requests();
        assertEquals(4, sent.size());
        assertTrue(sent.stream().allMatch(r -> BASIC.equals(r.authorization())), sent::toString);
        JsonNode sessionBody = MasterRestClient.JSON.readTree(sent.get(0).body());
        assertEquals("s-1", sessionBody.path("customSessionId").asText());
        assertEquals("protected", sessionBody.path("priority").asText());
        assertEquals("media-2", sessionBody.path("mediaNode").path("id").asText());
        assertEquals("application/json", sent.get(0).contentType());
        JsonNode connectionBody = MasterRestClient.JSON.readTree(sent.get(1).body());
        assertEquals(Map.of("type", "WEBRTC", "role", "PUBLISHER", "data", "alice"),
                MasterRestClient.JSON.convertValue(connectionBody, Map.class));
        assertEquals("", sent.get(3).body(), "DELETE has no body");
        assertNull(sent.get(3).contentType());
    }

    @Test
    void aNonSuccessAnswerIsARestExceptionWithTheStatusAndTheServersMessage() throws Exception {
        MasterRestClient rest = client(request -> request.rawPath().endsWith("/cluster")
                ? Answer.json(502, "<html>bad gateway</html>")
                : Answer.json(409, "{\"timestamp\":1,\"status\":409,\"error\":\"Conflict\","
                        + "\"message\":\"session s-1 already exists\",\"path\":\"/openvidu/api/sessions\"}"));

        RestException conflict = assertThrows(RestException.class, () -> rest.createSession("s-1"));
        assertEquals(409, conflict.status());
        assertEquals("session s-1 already exists", conflict.serverMessage());
        assertEquals("POST /openvidu/api/sessions answered 409: session s-1 already exists", conflict.getMessage());
        assertTrue(conflict.responseBody().contains("\"error\":\"Conflict\""), conflict.responseBody());

        RestException proxy = assertThrows(RestException.class, rest::clusterView);
        assertEquals(502, proxy.status());
        assertEquals("<html>bad gateway</html>", proxy.serverMessage(), "not JSON: the body's start is the message");
    }

    @Test
    void notFoundIsEmptyForLookupsAndAnErrorForChanges() throws Exception {
        MasterRestClient rest = client(request -> Answer.json(404, "{\"status\":404,\"message\":\"session x not found\"}"));

        assertTrue(rest.session("x").isEmpty());
        assertTrue(rest.connection("x", "con_1").isEmpty());
        assertTrue(rest.mediaNode("media-9").isEmpty());
        RestException delete = assertThrows(RestException.class, () -> rest.deleteSession("x"));
        assertEquals(404, delete.status());
        assertEquals("session x not found", delete.serverMessage());
    }

    @Test
    void theRawCallAnswersAnyStatusAndSendsPathAndBodyVerbatim() throws Exception {
        MasterRestClient rest = client(request -> request.rawPath().equals("/health/live")
                ? Answer.json(200, "up, in plain words")
                : Answer.json(400, "{\"status\":400,\"message\":\"bad\"}"));

        RestResponse answer = rest.send("POST", "/openvidu/api/sessions/hi%00x?pendingConnections=true", "{\"a\": ");

        assertEquals(400, answer.status());
        assertEquals("bad", answer.json().path("message").asText());
        assertFalse(answer.isSuccess());
        Request sent = master.requests().get(0);
        assertEquals("/openvidu/api/sessions/hi%00x?pendingConnections=true", sent.rawPath());
        assertEquals("{\"a\": ", sent.body());
        assertEquals(BASIC, sent.authorization());
        RestResponse live = rest.withoutCredentials().send("GET", "/health/live");
        assertTrue(live.json().isMissingNode(), "a body that is not JSON");
        assertEquals("up, in plain words", live.text());
        assertNull(master.requests().get(1).authorization());
        rest.withSecret("wrong").send("GET", "/openvidu/api/sessions");
        assertEquals("Basic " + Base64.getEncoder().encodeToString("OPENVIDUAPP:wrong".getBytes(StandardCharsets.UTF_8)),
                master.requests().get(2).authorization());
    }

    @Test
    void idsAreOnePathSegment() throws Exception {
        MasterRestClient rest = client(request -> Answer.json(404, "{}"));

        rest.session("a/b?c d");
        rest.mediaNode("médïa");

        assertEquals("/openvidu/api/sessions/a%2Fb%3Fc%20d", master.requests().get(0).rawPath());
        assertEquals("/openvidu/api/media-nodes/m%C3%A9d%C3%AFa", master.requests().get(1).rawPath());
    }

    @Test
    void mediaNodesAreDrainedAndReadWithTheirLoad() throws Exception {
        String node = """
                {"id":"media-1","object":"mediaNode","ip":"10.0.0.5","status":"draining","reachable":true,
                 "drainDeadline":"2026-11-24T10:00:00Z",
                 "tesseraLoad":{"sessions":3,"participants":7,"streams":2,"subscriptions":4,"mediaPorts":12,"cpu":0.25}}""";
        MasterRestClient rest = client(request -> request.method().equals("GET") && request.rawPath().endsWith("media-nodes")
                ? Answer.json(200, "{\"numberOfElements\":1,\"content\":[" + node + "]}")
                : Answer.json(200, node));

        MediaNode drained = rest.drainMediaNode("media-1", Instant.parse("2026-11-24T10:00:00Z"));
        rest.resumeMediaNode("media-1");
        List<MediaNode> all = rest.mediaNodes();

        assertEquals(Instant.parse("2026-11-24T10:00:00Z"), drained.drainDeadline());
        assertEquals(new MediaLoad(3, 7, 2, 4, 12, 0, 0.25), drained.load());
        assertEquals("10.0.0.5", all.get(0).publicAddress());
        JsonNode drainBody = MasterRestClient.JSON.readTree(master.requests().get(0).body());
        assertEquals("PATCH", master.requests().get(0).method());
        assertEquals("/openvidu/api/media-nodes/media-1", master.requests().get(0).rawPath());
        assertEquals("draining", drainBody.path("status").asText());
        assertEquals("2026-11-24T10:00:00Z", drainBody.path("deadline").asText());
        assertEquals("{\"status\":\"running\"}", master.requests().get(1).body());
    }

    @Test
    void theClusterViewIsReadAndAnAnswerWithoutItsFieldsIsAnIoErrorNamingTheCall() throws Exception {
        String view = """
                {"self":"master-1","selfConnections":12,
                 "masters":[{"id":"master-1","address":"pekko://tessera@127.0.0.1:2551","status":"up","reachable":true}],
                 "mediaNodes":[{"id":"media-1","status":"running","reachable":true,
                   "load":{"sessions":4,"participants":0,"streams":0,"subscriptions":0,"mediaPorts":0,"capacity":500,"cpu":0.03},
                   "lastReportAgeMs":120}],
                 "routing":{"sessions":3},"haPlan":{"overcommitted":false}}""";
        String[] answer = {view};
        MasterRestClient rest = client(request -> Answer.json(200, answer[0]));

        ClusterView cluster = rest.clusterView();
        assertEquals("master-1", cluster.self());
        assertEquals(12, cluster.selfConnections());
        assertEquals("up", cluster.masters().get(0).status());
        assertEquals(500, cluster.mediaNodes().get(0).load().capacity());
        assertTrue(cluster.mediaNodes().get(0).isRunning());
        assertEquals(3, cluster.routedSessions());
        assertFalse(cluster.json().path("haPlan").path("overcommitted").asBoolean(true));

        answer[0] = "{\"self\":\"m\",\"mediaNodes\":[]}"; // a master older than the selfConnections field
        IOException old = assertThrows(IOException.class, rest::clusterView);
        assertFalse(old instanceof RestException, "a 200 answer is not a refusal");
        assertTrue(old.getMessage().startsWith("GET /openvidu/api/cluster answered 200 without what this client reads "
                + "(no number 'selfConnections')"), old.getMessage());
        answer[0] = "not json";
        assertTrue(assertThrows(IOException.class, rest::clusterView).getMessage().contains("not JSON"));
    }

    @Test
    void aCallWithoutAnAnswerEndsAtTheRequestTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        master = FakeMaster.start(request -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.json(200, "{}");
        });
        MasterRestClient rest = MasterRestClient.builder(master.uri()).secret(SECRET)
                .requestTimeout(Duration.ofMillis(300)).build();
        try {
            long start = System.nanoTime();
            assertThrows(HttpTimeoutException.class, rest::clusterView);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMs >= 300 && tookMs < 5_000, "took " + tookMs + " ms");
        } finally {
            release.countDown();
        }
        assertThrows(IllegalArgumentException.class, () -> MasterRestClient.builder(master.uri()).requestTimeout(Duration.ZERO));
    }

    @Test
    void theSecretIsInNoMessageNoToStringAndNoUrl() throws Exception {
        master = FakeMaster.start(request -> Answer.json(401,
                "{\"status\":401,\"message\":\"missing or wrong credentials: use HTTP Basic OPENVIDUAPP:<secret>\"}"));
        URI withUserInfo = URI.create("http://ops:" + SECRET + "@127.0.0.1:" + master.uri().getPort() + "/");
        MasterRestClient rest = MasterRestClient.create(withUserInfo, SECRET);

        RestException refused = assertThrows(RestException.class, rest::sessions);
        RestResponse raw = rest.send("GET", "/openvidu/api/sessions");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        MasterRestClient nobody = MasterRestClient.create(
                URI.create("http://ops:" + SECRET + "@127.0.0.1:" + closedPort), SECRET);
        IOException noAnswer = assertThrows(IOException.class, nobody::clusterView);

        assertEquals(401, refused.status());
        assertEquals(URI.create("http://127.0.0.1:" + master.uri().getPort()), rest.baseUri());
        assertEquals(BASIC, master.requests().get(0).authorization(), "the header, not the URL, carries the secret");
        String base64 = BASIC.substring("Basic ".length());
        for (String text : List.of(refused.toString(), refused.responseBody(), raw.toString(), rest.toString(),
                rest.baseUri().toString(), noAnswer.toString(), String.valueOf(noAnswer.getCause()), nobody.toString())) {
            assertFalse(text.contains(SECRET) || text.contains(base64), text);
        }
    }
}
