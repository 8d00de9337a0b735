package io.tessera.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Read-your-writes across masters for REST reads (issue 15): a session or a connection created through one master is
 * in the answer of the very next request to any other master, the list of sessions ({@code GET /sessions}, what
 * openvidu-node-client's {@code fetch()} calls) included. No waiting between the write and the reads: a majority
 * write is acknowledged by one other master, and the third gets it with the next delta (up to 2 s later), so a
 * read of the local replica alone misses it on one of the two other masters in most rounds.
 * Three masters and one media node of its own.
 */
class RestReadYourWritesTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final int ROUNDS = 30;

    private static ClusterProcesses cluster;

    @BeforeAll
    static void start() {
        cluster = ClusterProcesses.start("RestReadYourWritesTest", 3, 1);
        cluster.awaitReady(STARTUP);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aSessionAndAConnectionCreatedThroughOneMasterAreReadThroughEveryOtherOnTheNextRequest() throws Exception {
        List<ClusterProcesses.Node> masters = cluster.masters();
        List<Long> listNanos = new ArrayList<>();
        List<Long> sessionNanos = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            ClusterProcesses.Node writer = masters.get(round % masters.size());
            MasterRestClient through = cluster.rest(writer);
            String sessionId = "ryw_" + RUN + "_" + round;
            through.createSession(sessionId);
            for (ClusterProcesses.Node reader : masters) {
                if (reader == writer) {
                    continue;
                }
                // A token through another master at once, before a list that would repair its replica: its session
                // is looked up (the last master in address order holds another master's create only once its delta
                // came).
                RestResponse token = cluster.rest(reader).send("POST", "/openvidu/api/sessions/" + sessionId
                        + "/connection", "{}");
                assertEquals(200, token.status(), "round " + round + ": a token through " + reader.id()
                        + " for session " + sessionId + " created through " + writer.id() + ": " + token);
                long started = System.nanoTime();
                RestResponse list = cluster.rest(reader).send("GET", "/openvidu/api/sessions");
                listNanos.add(System.nanoTime() - started);
                assertEquals(200, list.status(), list.toString());
                assertTrue(ids(list.json(), "sessionId").contains(sessionId), "round " + round + ": session "
                        + sessionId + " created through " + writer.id() + " is missing from the list of " + reader.id());
            }

            String connectionId = through.send("POST", "/openvidu/api/sessions/" + sessionId + "/connection", "{}")
                    .json().path("connectionId").asText();
            for (ClusterProcesses.Node reader : masters) {
                if (reader == writer) {
                    continue;
                }
                MasterRestClient rest = cluster.rest(reader);
                long started = System.nanoTime();
                RestResponse one = rest.send("GET", "/openvidu/api/sessions/" + sessionId + "?pendingConnections=true");
                sessionNanos.add(System.nanoTime() - started);
                assertEquals(200, one.status(), one.toString());
                assertTrue(ids(one.json().path("connections"), "connectionId").contains(connectionId), "round " + round
                        + ": connection " + connectionId + " created through " + writer.id() + " is missing from "
                        + reader.id() + "'s view of the session: " + one.text());
                RestResponse connections = rest.send("GET", "/openvidu/api/sessions/" + sessionId
                        + "/connection?pendingConnections=true");
                assertEquals(200, connections.status(), connections.toString());
                assertTrue(ids(connections.json(), "connectionId").contains(connectionId), "round " + round
                        + ": connection " + connectionId + " missing from " + reader.id() + "'s connection list");
                RestResponse listed = rest.send("GET", "/openvidu/api/sessions?pendingConnections=true");
                JsonNode session = find(listed.json(), sessionId);
                assertTrue(session != null && ids(session.path("connections"), "connectionId").contains(connectionId),
                        "round " + round + ": connection " + connectionId + " missing from the session in "
                                + reader.id() + "'s list");
            }
        }
        for (ClusterProcesses.Node master : masters) {
            // The layout every master must share (OPERATIONS.md "Upgrading masters"), in the cluster view.
            JsonNode routing = cluster.rest(master).send("GET", "/openvidu/api/cluster").json().path("routing");
            assertEquals(1000, routing.path("shards").asInt(), master.id() + ": " + routing);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("rounds", ROUNDS);
        report.put("sessionsInTheList", ROUNDS);
        report.put("listMs", percentiles(listNanos));
        report.put("sessionWithConnectionsMs", percentiles(sessionNanos));
        MeasuredResults.write("rest-read-your-writes", report);
    }

    private static List<String> ids(JsonNode page, String field) {
        List<String> ids = new ArrayList<>();
        page.path("content").forEach(item -> ids.add(item.path(field).asText()));
        return ids;
    }

    private static JsonNode find(JsonNode page, String sessionId) {
        for (JsonNode s : page.path("content")) {
            if (s.path("sessionId").asText().equals(sessionId)) {
                return s;
            }
        }
        return null;
    }

    private static Map<String, Object> percentiles(List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("n", sorted.size());
        p.put("p50", sorted.get((sorted.size() - 1) / 2) / 1e6);
        p.put("p99", sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1) / 1e6);
        p.put("max", sorted.get(sorted.size() - 1) / 1e6);
        return p;
    }
}
