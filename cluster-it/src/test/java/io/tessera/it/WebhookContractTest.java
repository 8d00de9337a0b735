package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.tessera.client.MediaRecovery;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.SignallingClient;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestResponse;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import io.tessera.wire.sdp.PlainRtpAnswer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The webhook contract (docs/CONTRACT.md, "Webhooks") as an outside receiver sees it: a scripted scenario (create,
 * two joins, publish, subscribe, leave, a media node killed, a drain, a graceful stop, REST close) runs against a
 * receiver of the test's own, and every event must arrive exactly once with the documented fields and values.
 * Every discrepancy is collected and reported together.
 */
class WebhookContractTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static ClusterProcesses cluster;
    private static HttpServer receiver;
    private static RtpReactor reactor;
    private static final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final List<String> problems = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks", exchange -> {
            events.add(TestJson.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        cluster = ClusterProcesses.start("WebhookContractTest", 2, 2, Map.of(
                "TESSERA_WEBHOOK_URLS", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks"));
        cluster.awaitReady(STARTUP);
        reactor = new RtpReactor("webhook-contract-rtp");
    }

    @AfterAll
    static void stop() throws Exception {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (reactor != null) {
            reactor.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyEventOfTheScenarioArrivesOnceWithTheDocumentedFields() throws Exception {
        ClusterProcesses.Node m1 = cluster.masters().get(0);
        ClusterProcesses.Node m2 = cluster.masters().get(1);
        ClusterProcesses.Node media1 = cluster.mediaNodes().get(0);
        ClusterProcesses.Node media2 = cluster.mediaNodes().get(1);
        MasterRestClient rest1 = cluster.rest(m1);
        MasterRestClient rest2 = cluster.rest(m2);
        long scenarioStart = System.currentTimeMillis();

        // create: S1 on media-1 (its participants publish and subscribe), S2 on media-2 (killed later); both protected.
        String s1 = "wh-one-" + RUN;
        String s2 = "wh-two-" + RUN;
        long s1CreatedAt = create(rest1, s1, media1.id());
        long s2CreatedAt = create(rest2, s2, media2.id());
        String tokenA = connection(rest1, s1, "srv-A");
        String tokenB = connection(rest1, s1, "srv-B");
        String tokenC = connection(rest2, s2, "srv-C");

        // two joins in S1 (through both masters), one in S2
        try (Participant a = Participant.of("A", SignallingClient.builder(m1.webSocketUri()).connect());
             Participant b = Participant.of("B", SignallingClient.builder(m2.webSocketUri()).connect());
             Participant c = Participant.of("C", SignallingClient.builder(m1.webSocketUri()).connect());
             SyntheticPublisher source = SyntheticPublisher.builder(reactor).localAddress(InetAddress.getByName("127.0.0.1"))
                     .packetsPerSecond(50).packetSize(500).bind();
             RtpReceiver sink = RtpReceiver.builder(reactor).localAddress(InetAddress.getByName("127.0.0.1")).bind()) {
            MediaRecovery aMedia = MediaRecovery.attach(a.client);
            String idA = a.join(tokenA, "{\"n\":\"A\"}").connectionId();
            String idB = b.join(tokenB, "{\"n\":\"B\"}").connectionId();
            String idC = c.join(tokenC, "{\"n\":\"C\"}").connectionId();
            JsonNode restA = awaitActive(rest1, s1, idA);
            JsonNode restB = awaitActive(rest1, s1, idB);
            JsonNode restC = awaitActive(rest2, s2, idC);

            // publish, subscribe
            PublishResult published = aMedia.publish(PublishOptions.camera(source.sdpOffer())).get(15, TimeUnit.SECONDS);
            source.start(PlainRtpAnswer.parse(published.sdpAnswer()));
            sink.remote(PlainRtpAnswer.parse(b.client.receiveVideoFrom(published.streamId(), sink.sdpOffer(96, "VP8"))
                    .get(15, TimeUnit.SECONDS)));
            awaitEvents("the stream and the subscription", e -> is(e, "webrtcConnectionCreated") && e.path("sessionId")
                    .asText().equals(s1), 2);

            // leave
            b.client.leaveRoom().get(15, TimeUnit.SECONDS);
            awaitEvents("B left", e -> is(e, "participantLeft") && idB.equals(e.path("connectionId").asText()), 1);
            long beforeKill = System.currentTimeMillis();

            // media node kill: S2 (protected) is placed on media-1, C follows it
            String media2Ip = rest1.send("GET", "/openvidu/api/media-nodes/" + media2.id()).json().path("ip").asText();
            long recoveredBefore = planRecoveries();
            long alertsBefore = planAlerts();
            cluster.kill(media2);
            c.awaitEvent("mediaNodeFailed", e -> true, "its session moved after the kill");
            awaitEvents("nodeCrashed", e -> is(e, "nodeCrashed"), 1);
            cluster.relaunch(media2);
            // The HA plan is overcommitted (one node left for two protected sessions) until the new media-2 counts:
            // wait until it counts, and for one whole 5 s check of the coordinator's after that with every alert it
            // logged since the kill followed by a recovery, so that media-2 can take the drained sessions and a drain
            // that made the plan overcommitted again would show. (The crash watch and a quick relaunch can bring
            // media-2 back before the coordinator's check ran at all: then there is neither an alert nor a recovery.)
            cluster.awaitReady(Duration.ofSeconds(60));
            await("the HA plan recovers with " + media2.id() + " back").atMost(Duration.ofSeconds(90))
                    .during(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(500)).until(() -> {
                        JsonNode plan = rest1.clusterView().json().path("haPlan");
                        return plan.path("mediaNodes").asInt() == 2 && !plan.path("overcommitted").asBoolean()
                                && planRecoveries() - recoveredBefore >= planAlerts() - alertsBefore;
                    });

            // drain: media-1's sessions (S1 with A, S2 with C) move to media-2 at the deadline
            long drainAt = System.currentTimeMillis();
            RestResponse drain = rest2.sendJson("PATCH", "/openvidu/api/media-nodes/" + media1.id(),
                    Map.of("status", "draining", "deadline", 2));
            assertEquals(200, drain.status(), drain::toString);
            for (Participant p : List.of(a, c)) {
                try {
                    p.awaitEvent("mediaNodeFailed", e -> "drain".equals(e.params().path("reason").asText()), "the drain move");
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    problems.add(p.name + " was not moved at the drain deadline: " + p.describeEvents());
                }
            }
            awaitEvents("both sessions moved", e -> is(e, "sessionMigrated") && "drain".equals(e.path("reason").asText()), 2);

            // graceful stop of the drained node: it leaves the cluster, which is no crash
            ProcessHandle.of(cluster.pid(media1)).ifPresent(ProcessHandle::destroy);
            cluster.awaitExit(media1, WAIT);
            awaitEvents(media1.id() + " terminated", e -> is(e, "mediaNodeStatusChanged")
                    && "terminated".equals(e.path("newStatus").asText()), 1);

            // REST close of both sessions, with A and C still in them
            long closeAt = System.currentTimeMillis();
            assertEquals(204, rest1.send("DELETE", "/openvidu/api/sessions/" + s1).status());
            assertEquals(204, rest2.send("DELETE", "/openvidu/api/sessions/" + s2).status());
            awaitEvents("both sessions destroyed", e -> is(e, "sessionDestroyed"), 2);
            awaitQuiet();
            long end = System.currentTimeMillis();

            // ---- every event, field by field (docs/CONTRACT.md's webhook table)
            Set<String> joinedFields = Set.of("event", "timestamp", "sessionId", "uniqueSessionId", "connectionId",
                    "clientData", "serverData", "ip", "platform");
            Set<String> leftFields = new TreeSet<>(joinedFields);
            leftFields.addAll(Set.of("startTime", "duration", "reason"));

            for (String[] s : new String[][]{{s1, Long.toString(s1CreatedAt)}, {s2, Long.toString(s2CreatedAt)}}) {
                JsonNode created = once("sessionCreated " + s[0], e -> is(e, "sessionCreated") && s[0].equals(e.path("sessionId").asText()));
                if (created != null) {
                    fields(created, Set.of("event", "timestamp", "sessionId", "uniqueSessionId"));
                    expect(created, "uniqueSessionId", s[0] + "_" + s[1]);
                    expect(created, "timestamp", s[1]);
                }
                JsonNode destroyed = once("sessionDestroyed " + s[0], e -> is(e, "sessionDestroyed") && s[0].equals(e.path("sessionId").asText()));
                if (destroyed != null) {
                    fields(destroyed, Set.of("event", "timestamp", "sessionId", "uniqueSessionId", "startTime", "duration", "reason"));
                    expect(destroyed, "uniqueSessionId", s[0] + "_" + s[1]);
                    expect(destroyed, "startTime", s[1]);
                    expect(destroyed, "reason", "sessionClosedByServer");
                    long duration = destroyed.path("duration").asLong(-1);
                    check(duration >= 0 && duration <= (end - scenarioStart) / 1000 + 1, "sessionDestroyed " + s[0]
                            + " duration " + duration + " s for a session that lived " + (end - Long.parseLong(s[1])) + " ms");
                }
            }

            Object[][] participants = {{idA, s1, s1CreatedAt, "{\"n\":\"A\"}", "srv-A", restA, "sessionClosedByServer"},
                    {idB, s1, s1CreatedAt, "{\"n\":\"B\"}", "srv-B", restB, "disconnect"},
                    {idC, s2, s2CreatedAt, "{\"n\":\"C\"}", "srv-C", restC, "sessionClosedByServer"}};
            for (Object[] p : participants) {
                String id = (String) p[0];
                JsonNode rest = (JsonNode) p[5];
                JsonNode joined = once("participantJoined " + id + " (also after its session moved)",
                        e -> is(e, "participantJoined") && id.equals(e.path("connectionId").asText()));
                JsonNode left = once("participantLeft " + id, e -> is(e, "participantLeft") && id.equals(e.path("connectionId").asText()));
                for (JsonNode e : new JsonNode[]{joined, left}) {
                    if (e == null) {
                        continue;
                    }
                    fields(e, e == joined ? joinedFields : leftFields);
                    expect(e, "sessionId", (String) p[1]);
                    expect(e, "uniqueSessionId", p[1] + "_" + p[2]);
                    expect(e, "clientData", (String) p[3]);
                    expect(e, "serverData", (String) p[4]);
                    expect(e, "platform", rest.path("platform").asText());
                    check(e.path("ip").asText().startsWith("127."), e.path("event").asText() + " " + id
                            + ": ip is the client's loopback address, got " + e.get("ip"));
                }
                if (left != null) {
                    expect(left, "reason", (String) p[6]);
                    expect(left, "startTime", rest.path("activeAt").asText());
                    check(left.path("duration").asLong(-1) >= 0, "participantLeft " + id + " duration " + left.get("duration"));
                }
            }

            // the stream and the subscription made before the kill: once each, with their fields
            List<JsonNode> early = events.stream().filter(e -> e.path("timestamp").asLong() < beforeKill).toList();
            JsonNode outbound = onceIn(early, "webrtcConnectionCreated OUTBOUND of A", e -> is(e, "webrtcConnectionCreated")
                    && idA.equals(e.path("connectionId").asText()) && "OUTBOUND".equals(e.path("connection").asText()));
            if (outbound != null) {
                expect(outbound, "streamId", published.streamId());
                expect(outbound, "uniqueSessionId", s1 + "_" + s1CreatedAt);
                expect(outbound, "videoSource", "CAMERA");
            }
            JsonNode inbound = onceIn(early, "webrtcConnectionCreated INBOUND of B", e -> is(e, "webrtcConnectionCreated")
                    && idB.equals(e.path("connectionId").asText()) && "INBOUND".equals(e.path("connection").asText()));
            if (inbound != null) {
                expect(inbound, "receivingFrom", idA);
                expect(inbound, "streamId", published.streamId());
            }
            onceIn(early, "webrtcConnectionDestroyed of B's subscription", e -> is(e, "webrtcConnectionDestroyed")
                    && idB.equals(e.path("connectionId").asText()));

            // the kill: one nodeCrashed with the node's ip and its session, S2 placed again once
            JsonNode crashed = once("nodeCrashed", e -> is(e, "nodeCrashed"));
            if (crashed != null) {
                fields(crashed, Set.of("event", "timestamp", "id", "nodeId", "nodeRole", "ip", "sessionIds"));
                expect(crashed, "id", media2.id());
                expect(crashed, "nodeId", media2.id());
                expect(crashed, "nodeRole", "medianode");
                expect(crashed, "ip", media2Ip);
                check(crashed.path("sessionIds").size() == 1 && s2.equals(crashed.path("sessionIds").path(0).asText()),
                        "nodeCrashed sessionIds " + crashed.get("sessionIds") + ", expected [" + s2 + "]");
            }
            migrated(s2, media2.id(), media1.id(), "nodeCrashed");
            migrated(s1, media1.id(), media2.id(), "drain");
            migrated(s2, media1.id(), media2.id(), "drain");

            // the drain and the graceful stop: status changes, no crash, no HA alert for a planned departure
            JsonNode draining = once("mediaNodeStatusChanged running -> draining", e -> is(e, "mediaNodeStatusChanged")
                    && "draining".equals(e.path("newStatus").asText()));
            if (draining != null) {
                fields(draining, Set.of("event", "timestamp", "id", "nodeId", "oldStatus", "newStatus"));
                expect(draining, "id", media1.id());
                expect(draining, "oldStatus", "running");
            }
            JsonNode terminated = once("mediaNodeStatusChanged draining -> terminated (graceful stop)",
                    e -> is(e, "mediaNodeStatusChanged") && "terminated".equals(e.path("newStatus").asText()));
            if (terminated != null) {
                expect(terminated, "id", media1.id());
                expect(terminated, "oldStatus", "draining");
            }
            check(events.stream().noneMatch(e -> is(e, "nodeCrashed") && media1.id().equals(e.path("id").asText())),
                    "a graceful stop was reported as nodeCrashed");
            check(events.stream().noneMatch(e -> is(e, "haOvercommitted") && e.path("timestamp").asLong() >= drainAt),
                    "haOvercommitted for a node drained and stopped on purpose");
            check(events.stream().noneMatch(e -> e.path("uniqueSessionId").asText().endsWith("_0")
                            || e.has("startTime") && e.path("startTime").asLong() == 0),
                    "an event with an unknown start time written as 0");
            check(closeAt > drainAt, "scenario order");

            if (!problems.isEmpty()) {
                throw new AssertionError(problems.size() + " webhook contract violations:\n  "
                        + String.join("\n  ", problems) + "\nevents received:\n  "
                        + events.stream().map(JsonNode::toString).collect(Collectors.joining("\n  ")));
            }
        }
        cluster.assertAllAlive(Set.of(media1.id()));
    }

    // ---- scenario helpers

    private static long create(MasterRestClient rest, String sessionId, String mediaNodeId) throws Exception {
        RestResponse r = rest.sendJson("POST", "/openvidu/api/sessions", Map.of("customSessionId", sessionId, "priority", "protected",
                "mediaNode", Map.of("id", mediaNodeId)));
        assertEquals(200, r.status(), r::toString);
        return r.json().path("createdAt").asLong();
    }

    private static String connection(MasterRestClient rest, String sessionId, String data) throws Exception {
        Connection c = TestSessions.createConnection(rest, sessionId, data);
        for (ClusterProcesses.Node m : cluster.masters()) {
            TestSessions.awaitConnectionVisible(cluster.rest(m), sessionId, c.connectionId());
        }
        return c.token();
    }

    private static JsonNode awaitActive(MasterRestClient rest, String sessionId, String connectionId) {
        return await(connectionId + " active").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> rest.send("GET", "/openvidu/api/sessions/" + sessionId + "/connection/" + connectionId).json(),
                        c -> "active".equals(c.path("status").asText()));
    }

    /** How often the failover coordinator logged that the HA plan is no longer overcommitted (all masters). */
    private static long planRecoveries() {
        return cluster.masters().stream().mapToLong(m -> cluster.logLinesWith(m, "no longer overcommitted")).sum();
    }

    /** How often the failover coordinator logged that the HA plan turned overcommitted (all masters). */
    private static long planAlerts() {
        return cluster.masters().stream().mapToLong(m -> cluster.logLinesWith(m, "ALERT overcommitted")).sum();
    }

    private static boolean is(JsonNode e, String event) {
        return event.equals(e.path("event").asText());
    }

    /** Waits for webhook events; a timeout is one more violation (reported with the others), not the end of the run. */
    private void awaitEvents(String what, Predicate<JsonNode> match, int count) {
        try {
            await(what).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> events.stream().filter(match).count() >= count);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            problems.add("waited " + WAIT.toSeconds() + " s for " + what + " (" + count + " event(s))");
        }
    }

    /** Waits until no event has arrived for 3 s, so that a late duplicate would be seen. */
    private static void awaitQuiet() {
        long[] last = {events.size(), System.nanoTime()};
        await("no more webhook events").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (events.size() != last[0]) {
                last[0] = events.size();
                last[1] = System.nanoTime();
            }
            return System.nanoTime() - last[1] > TimeUnit.SECONDS.toNanos(3);
        });
    }

    // ---- checks (collected, reported together)

    private JsonNode once(String what, Predicate<JsonNode> match) {
        return onceIn(events, what, match);
    }

    private JsonNode onceIn(List<JsonNode> in, String what, Predicate<JsonNode> match) {
        List<JsonNode> found = in.stream().filter(match).toList();
        check(found.size() == 1, what + ": expected once, received " + found.size() + " times " + found);
        return found.isEmpty() ? null : found.get(0);
    }

    private void migrated(String sessionId, String from, String to, String reason) {
        JsonNode e = once("sessionMigrated " + sessionId + " " + from + " -> " + to, m -> is(m, "sessionMigrated")
                && sessionId.equals(m.path("sessionId").asText()) && from.equals(m.path("fromMediaNode").asText()));
        if (e != null) {
            fields(e, Set.of("event", "timestamp", "sessionId", "fromMediaNode", "toMediaNode", "priority", "reason"));
            expect(e, "toMediaNode", to);
            expect(e, "reason", reason);
            expect(e, "priority", "protected");
        }
    }

    private void fields(JsonNode e, Set<String> expected) {
        Set<String> actual = new TreeSet<>();
        e.fieldNames().forEachRemaining(actual::add);
        check(actual.equals(new TreeSet<>(expected)), e.path("event").asText() + " has fields " + actual + ", documented "
                + new TreeSet<>(expected) + ": " + e);
    }

    private void expect(JsonNode e, String field, String value) {
        check(e.has(field) && value.equals(e.get(field).asText()), e.path("event").asText() + "." + field + " is "
                + e.get(field) + ", expected " + value + ": " + e);
    }

    private void check(boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }
}
