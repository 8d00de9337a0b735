package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.JoinResult;
import io.tessera.client.RemoteParticipant;
import io.tessera.client.ServerEvent;
import io.tessera.client.SignallingClient;
import io.tessera.client.TesseraToken;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestException;
import io.tessera.client.rest.RestResponse;
import io.tessera.client.rest.Session;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Three masters and two media nodes as real processes: replication of sessions between masters, placement,
 * signalling across masters, session deletion, and rejection of bad input. One cluster for the whole class.
 */
class ClusterFoundationTest {

    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration REPLICATION = Duration.ofSeconds(10);
    private static final int MAX_RACE_ATTEMPTS = 20;
    private static final int WANTED_RACES = 3;
    // Unique per run so that a leftover process of an earlier run can never answer for this one.
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static ClusterProcesses cluster;
    private static Map<String, Long> pids = Map.of();
    private static ClusterProcesses.Node a;
    private static ClusterProcesses.Node b;
    private static ClusterProcesses.Node c;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterProcesses.start("ClusterFoundationTest", 3, 2);
        pids = cluster.pids();
        cluster.awaitReady(STARTUP);
        a = cluster.masters().get(0);
        b = cluster.masters().get(1);
        c = cluster.masters().get(2);
    }

    @AfterEach
    void noNodeCrashed() {
        cluster.assertAllAlive();
    }

    @AfterAll
    static void stopClusterAndCheckNothingLeaks() {
        if (cluster != null) {
            cluster.close();
        }
        // 5. After the class every child process is gone.
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            boolean alive = ProcessHandle.of(e.getValue()).map(ProcessHandle::isAlive).orElse(false);
            assertFalse(alive, e.getKey() + " (pid " + e.getValue() + ") is still alive after close()");
        }
    }

    private static MasterRestClient rest(ClusterProcesses.Node master) {
        return cluster.rest(master);
    }

    private static Set<String> mediaIds() {
        return cluster.mediaNodes().stream().map(ClusterProcesses.Node::id).collect(Collectors.toSet());
    }

    private static Session createSession(MasterRestClient rest, String customSessionId) throws IOException, InterruptedException {
        return TestSessions.createSession(rest, customSessionId);
    }

    private static Connection createConnection(MasterRestClient rest, String sessionId, String data)
            throws IOException, InterruptedException {
        return TestSessions.createConnection(rest, sessionId, data);
    }

    private static void awaitConnectionVisible(ClusterProcesses.Node master, String sessionId, String connectionId) {
        TestSessions.awaitConnectionVisible(rest(master), sessionId, connectionId);
    }

    // ------------------------------------------------------------------ 1

    @Test
    void sessionsCreatedOnOneMasterAreReadableOnEveryMasterPinnedAndSpread() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = "fnd-place-" + i + "-" + RUN;
            createSession(rest(a), id);
            ids.add(id);
        }
        Map<String, String> placement = new HashMap<>();
        for (String id : ids) {
            await("session " + id + " readable with one media node through every master")
                    .atMost(REPLICATION).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        Set<String> seen = new HashSet<>();
                        for (ClusterProcesses.Node m : cluster.masters()) {
                            Session session = rest(m).session(id)
                                    .orElseThrow(() -> new AssertionError(id + " not found through " + m.id()));
                            String node = session.mediaNodeId();
                            assertTrue(mediaIds().contains(node), "mediaNodeId " + node + " is not one of "
                                    + mediaIds() + ": " + session.json());
                            seen.add(node);
                        }
                        assertEquals(1, seen.size(), "masters disagree on the media node of " + id + ": " + seen);
                        placement.put(id, seen.iterator().next());
                    });
        }
        Map<String, Long> perNode = placement.values().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertEquals(mediaIds(), perNode.keySet(), "least-loaded placement should use both media nodes: " + perNode);
    }

    // ------------------------------------------------------------------ 2

    @Test
    void participantsOnDifferentMastersSignalEachOtherWithGaplessSequences() throws Exception {
        String sid = "fnd-join-" + RUN;
        createSession(rest(a), sid);
        Connection conA = createConnection(rest(a), sid, "alice-data");
        Connection conB = createConnection(rest(a), sid, "bob-data");
        String aliceId = conA.connectionId();
        String bobId = conB.connectionId();
        awaitConnectionVisible(b, sid, aliceId);
        awaitConnectionVisible(c, sid, bobId);

        try (Participant alice = Participant.connect("alice", b.webSocketUri());
             Participant bob = Participant.connect("bob", c.webSocketUri())) {
            JoinResult aj = alice.join(conA.token(), "{\"name\":\"alice\"}");
            assertEquals(aliceId, aj.connectionId(), "the REST connection id becomes the participant's id");
            assertEquals(sid, aj.sessionId());
            assertTrue(mediaIds().contains(aj.mediaNodeId()), "mediaNodeId in joinRoom: " + aj.raw());
            assertTrue(aj.participants().isEmpty(), "first in the room: " + aj.raw());

            JoinResult bj = bob.join(conB.token(), "{\"name\":\"bob\"}");
            assertEquals(bobId, bj.connectionId());
            assertEquals(aj.mediaNodeId(), bj.mediaNodeId(), "one media node per session, whatever the master");
            assertEquals(List.of(aliceId), bj.participants().stream().map(RemoteParticipant::connectionId).toList(),
                    "bob's joinRoom lists alice: " + bj.raw());

            ServerEvent joined = alice.awaitEvent("participantJoined", e -> bobId.equals(e.param("id")), "bob joined");
            assertTrue(String.valueOf(joined.param("metadata")).contains("bob"), "metadata: " + joined.params());

            JsonNode sent = alice.client.sendMessage(List.of(bobId), "signal:chat", "hello bob")
                    .get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("signal:chat", sent.path("type").asText(), "sendMessage result: " + sent);
            ServerEvent toBob = bob.awaitEvent("sendMessage", e -> "hello bob".equals(e.param("data")), "alice's message");
            assertEquals(aliceId, toBob.param("from"));
            assertEquals("signal:chat", toBob.param("type"));

            // No recipients means everyone, sender included.
            bob.client.sendMessage(List.of(), "signal:all", "hi all").get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
            alice.awaitEvent("sendMessage", e -> "hi all".equals(e.param("data")), "bob's broadcast");
            bob.awaitEvent("sendMessage", e -> "hi all".equals(e.param("data")), "its own broadcast");

            bob.client.leaveRoom().get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
            ServerEvent left = alice.awaitEvent("participantLeft", e -> bobId.equals(e.param("connectionId")), "bob left");
            assertEquals("disconnect", left.param("reason"));
            assertAll(
                    () -> assertEquals(alice.expectedSeqs(), alice.seqs(), alice::describeEvents),
                    () -> assertEquals(bob.expectedSeqs(), bob.seqs(), bob::describeEvents),
                    () -> assertEquals(alice.events().size(), alice.client.lastSeq(), "alice lastSeq"),
                    () -> assertEquals(0, alice.client.droppedEvents()),
                    () -> assertEquals(0, bob.client.droppedEvents()));
        }
    }

    // ------------------------------------------------------------------ 3

    @Test
    void sessionDeletedThroughAnotherMasterIsGoneEverywhereAndParticipantsAreTold() throws Exception {
        String sid = "fnd-del-" + RUN;
        createSession(rest(a), sid);
        Connection con1 = createConnection(rest(a), sid, "one");
        Connection con2 = createConnection(rest(a), sid, "two");
        String id2 = con2.connectionId();
        awaitConnectionVisible(b, sid, id2);

        try (Participant one = Participant.connect("one", a.webSocketUri());
             Participant two = Participant.connect("two", b.webSocketUri())) {
            one.join(con1.token(), "one");
            two.join(con2.token(), "two");
            one.awaitEvent("participantJoined", e -> id2.equals(e.param("id")), "two joined");

            await("session visible on " + c.id()).atMost(REPLICATION).pollInterval(Duration.ofMillis(100))
                    .until(() -> rest(c).session(sid).isPresent());
            rest(c).deleteSession(sid);

            for (ClusterProcesses.Node m : cluster.masters()) {
                await("session gone on " + m.id()).atMost(REPLICATION).pollInterval(Duration.ofMillis(100))
                        .until(() -> rest(m).session(sid).isEmpty());
            }
            // As OpenVidu: participants are evicted one by one (join order); each gets participantEvicted for itself,
            // and those still there get participantLeft for the ones evicted before them.
            String id1 = one.client.joined().connectionId();
            one.awaitEvent("participantEvicted", e -> id1.equals(e.param("connectionId"))
                    && "sessionClosedByServer".equals(e.param("reason")), "one evicted");
            two.awaitEvent("participantLeft", e -> id1.equals(e.param("connectionId"))
                    && "sessionClosedByServer".equals(e.param("reason")), "one left, seen by two");
            two.awaitEvent("participantEvicted", e -> id2.equals(e.param("connectionId"))
                    && "sessionClosedByServer".equals(e.param("reason")), "two evicted");
        }
        RestException late = assertThrows(RestException.class,
                () -> rest(a).createConnection(sid, ConnectionProperties.publisher("late")));
        assertEquals(404, late.status(), "connection on a deleted session: " + late.getMessage());
    }

    // ------------------------------------------------------------------ 4

    @Test
    void badInputIsRejectedCleanlyAndTheNodeStaysHealthy() throws Exception {
        MasterRestClient rest = rest(b);
        String sessions = "/openvidu/api/sessions";
        String existing = "fnd-bad-" + RUN;
        createSession(rest, existing);
        String unknown = "/openvidu/api/sessions/fnd-nope-" + RUN;
        String big = "{\"customSessionId\":\"fnd-big-" + RUN + "\",\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}";
        List<Executable> checks = new ArrayList<>();

        checks.add(() -> {
            RestResponse r = rest.send("POST", sessions, "{\"customSessionId\": ");
            assertEquals(400, r.status(), "malformed JSON: " + r);
            assertEquals(400, r.json().path("status").asInt(), "JSON error body: " + r);
            assertFalse(r.json().path("message").asText().isEmpty(), "error message: " + r);
            assertEquals(sessions, r.json().path("path").asText(), "error path: " + r);
        });
        checks.add(() -> {
            RestResponse r = rest.sendJson("POST", sessions, Map.of("customSessionId", List.of("x")));
            assertEquals(400, r.status(), "customSessionId as an array: " + r);
        });
        checks.add(() -> {
            RestResponse r = rest.sendJson("POST", sessions + "/" + existing + "/connection", Map.of("role", "KING"));
            assertEquals(400, r.status(), "unknown role: " + r);
        });
        checks.add(() -> {
            RestResponse r = rest.send("POST", sessions, big);
            assertEquals(413, r.status(), "body over 1 MiB: " + r);
        });
        checks.add(() -> {
            RestResponse r = rest.withoutCredentials().send("GET", sessions);
            assertEquals(401, r.status(), "no credentials: " + r);
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"),
                    "WWW-Authenticate header: " + r.headers().map());
        });
        checks.add(() -> {
            RestResponse r = rest.withSecret("wrong-" + RUN).send("GET", sessions);
            assertEquals(401, r.status(), "wrong secret: " + r);
        });
        checks.add(() -> assertEquals(404, rest.send("GET", unknown).status(), "GET unknown session"));
        checks.add(() -> assertEquals(404, rest.send("DELETE", unknown).status(), "DELETE unknown session"));
        checks.add(() -> assertEquals(404, rest.sendJson("POST", unknown + "/connection", Map.of()).status(),
                "connection on unknown session"));
        checks.add(() -> {
            RestResponse r = rest.sendJson("POST", sessions, Map.of("customSessionId", "bad id!"));
            assertEquals(400, r.status(), "customSessionId with illegal characters: " + r);
        });
        checks.add(() -> {
            RestResponse r = rest.sendJson("POST", sessions, Map.of("customSessionId", existing));
            assertEquals(409, r.status(), "duplicate customSessionId: " + r);
        });

        checks.add(() -> {
            try (RawSocket raw = RawSocket.open(b.webSocketUri())) {
                raw.send("this is not JSON");
                JsonNode parseError = raw.nextJson(Duration.ofSeconds(5));
                assertEquals(-32700, parseError.at("/error/code").asInt(), "non-JSON text: " + parseError);
                assertTrue(raw.isOpen(), "socket stays open after a parse error");
                raw.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"interval\":5000}}");
                JsonNode pong = raw.nextJson(Duration.ofSeconds(5));
                assertEquals("pong", pong.at("/result/value").asText(), "ping after the parse error: " + pong);
                raw.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"noSuchMethod\",\"params\":{}}");
                JsonNode unknownMethod = raw.nextJson(Duration.ofSeconds(5));
                assertEquals(-32601, unknownMethod.at("/error/code").asInt(), "unknown method: " + unknownMethod);
                assertEquals(2, unknownMethod.path("id").asInt(), "error carries the request id: " + unknownMethod);
            }
        });

        // An existing session X with a real token, and another session Y.
        Connection conX = createConnection(rest, existing, "x");
        String tokenX = conX.token();
        String other = "fnd-bad-other-" + RUN;
        createSession(rest, other);
        checks.add(() -> {
            try (SignallingClient sdk = SignallingClient.connect(b.webSocketUri())) {
                String forged = "ws://" + b.host() + ":" + b.httpPort() + "?sessionId=" + existing + "&token=tok_forged" + RUN;
                assertEquals(401, rpcErrorCode(sdk.joinRoom(TesseraToken.parse(forged), "")), "joinRoom, unknown token");
                var params = TestJson.MAPPER.createObjectNode()
                        .put("token", tokenX).put("session", other).put("metadata", "").put("platform", "it");
                assertEquals(401, rpcErrorCode(sdk.request("joinRoom", params)), "joinRoom, token of another session");
                assertEquals("pong", sdk.ping().get(5, TimeUnit.SECONDS).path("value").asText(), "socket still usable");
            }
        });

        assertAll("bad input through " + b.id(), checks.stream());

        RestResponse live = rest.withoutCredentials().send("GET", "/health/live");
        assertEquals(200, live.status(), "still alive after bad input: " + live);
        assertEquals("UP", live.json().path("status").asText(), live::toString);
        assertTrue(cluster.isAlive(b), b.id() + " process still running");
    }

    private static int rpcErrorCode(CompletableFuture<?> f) throws Exception {
        return Participant.rpcError(f).code();
    }

    // ------------------------------------------------------------------ 6

    /**
     * Two masters create the same session at the same moment, each on another media node, and a participant joins
     * through each before they converge: after convergence both are in one session on the winner (they hear each
     * other), whichever copy they joined. Repeated, so that the race does happen.
     */
    @Test
    void aPlacementRaceConvergesToOneMediaNodeWithEveryParticipant() throws Exception {
        List<String> media = cluster.mediaNodes().stream().map(ClusterProcesses.Node::id).sorted().toList();
        int races = 0;
        int moved = 0;
        int attempts = 0;
        // Two dedicated threads released together by a barrier: the common pool has parallelism 1 on a 2-core
        // machine, so supplyAsync would send the two creates one after the other and the race would never happen.
        ExecutorService senders = Executors.newFixedThreadPool(2);
        try {
            while (attempts < MAX_RACE_ATTEMPTS && races < WANTED_RACES) {
                String sid = "race-" + attempts + "-" + RUN;
                attempts++;
                rest(a).send("GET", "/openvidu/api/sessions"); // warm both connections: no TCP/HTTP setup inside the race
                rest(b).send("GET", "/openvidu/api/sessions");
                CyclicBarrier start = new CyclicBarrier(2);
                var onA = senders.submit(() -> {
                    start.await();
                    return rest(a).sendJson("POST", "/openvidu/api/sessions",
                            Map.of("customSessionId", sid, "mediaNode", Map.of("id", media.get(0))));
                });
                var onB = senders.submit(() -> {
                    start.await();
                    return rest(b).sendJson("POST", "/openvidu/api/sessions",
                            Map.of("customSessionId", sid, "mediaNode", Map.of("id", media.get(1))));
                });
                RestResponse ra = onA.get(20, TimeUnit.SECONDS);
                RestResponse rb = onB.get(20, TimeUnit.SECONDS);
                assertTrue(Set.of(200, 409).contains(ra.status()) && Set.of(200, 409).contains(rb.status()), ra + " / " + rb);
                if (ra.status() == 200 && rb.status() == 200) {
                    races++;
                }
                Connection conA = rest(a).createConnection(sid, ConnectionProperties.publisher("race-a"));
                Connection conB = rest(b).createConnection(sid, ConnectionProperties.publisher("race-b"));
                try (Participant pa = Participant.connect("race-a", a.webSocketUri());
                     Participant pb = Participant.connect("race-b", b.webSocketUri())) {
                    JoinResult ja = pa.join(conA.token(), "{}");
                    JoinResult jb = pb.join(conB.token(), "{}");
                    if (!ja.mediaNodeId().equals(jb.mediaNodeId())) {
                        moved++;
                    }
                    String winner = await("masters agree on one media node for " + sid).atMost(REPLICATION)
                            .until(() -> {
                                Set<String> seen = new HashSet<>();
                                for (ClusterProcesses.Node m : cluster.masters()) {
                                    seen.add(rest(m).session(sid).map(Session::mediaNodeId).orElse("none"));
                                }
                                return seen.size() == 1 ? seen.iterator().next() : null;
                            }, w -> w != null);
                    // Each hears the other: they are in one session, on the winner.
                    pa.awaitEvent("participantJoined", e -> jb.connectionId().equals(e.param("id")), "b in the same session");
                    if (jb.participants().stream().noneMatch(p -> p.connectionId().equals(ja.connectionId()))) {
                        pb.awaitEvent("participantJoined", e -> ja.connectionId().equals(e.param("id")), "a in the same session");
                    }
                    pb.client.sendMessage(List.of(), "signal:race", "one room").get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
                    pa.awaitEvent("sendMessage", e -> "signal:race".equals(e.param("type")), "b's message on " + winner);
                    pa.client.leaveRoom().get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
                    pb.client.leaveRoom().get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
                }
            }
        } finally {
            senders.shutdownNow();
        }
        System.out.printf("placement race: %d of %d attempts created the session on two masters, %d had participants "
                + "on two media nodes before convergence%n", races, attempts, moved);
        assertTrue(races > 0, "the race never happened in " + attempts + " attempts: the test proves nothing");
    }
}
