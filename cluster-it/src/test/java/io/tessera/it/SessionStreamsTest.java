package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.openvidu.java.client.OpenVidu;
import io.openvidu.java.client.Publisher;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.SignallingClient;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestResponse;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import io.tessera.wire.sdp.PlainRtpAnswer;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What a session's streams look like through the REST API of every master (OpenVidu 2's {@code publishers} and
 * {@code subscribers} of each connection, read from the session's media node), to Tessera's own REST calls and to
 * the unchanged openvidu-java-client; and a media node's drain deadline, set through one master, seen through the
 * other. Two masters and one media node of its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionStreamsTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static ClusterProcesses cluster;
    private static RtpReactor reactor;

    @BeforeAll
    static void start() throws java.io.IOException {
        cluster = ClusterProcesses.start("SessionStreamsTest", 2, 1);
        cluster.awaitReady(STARTUP);
        reactor = new RtpReactor("session-streams-rtp");
    }

    @AfterAll
    static void stop() {
        if (reactor != null) {
            reactor.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void publishersAndSubscribersShowOnEveryMasterAndToTheOpenViduJavaClient() throws Exception {
        ClusterProcesses.Node m1 = cluster.masters().get(0);
        ClusterProcesses.Node m2 = cluster.masters().get(1);
        MasterRestClient rest1 = cluster.rest(m1);
        String sessionId = "streams-" + RUN;
        rest1.createSession(sessionId);
        String tokenA = rest1.send("POST", "/openvidu/api/sessions/" + sessionId + "/connection", "{}").json()
                .path("token").asText();
        String tokenB = rest1.send("POST", "/openvidu/api/sessions/" + sessionId + "/connection", "{}").json()
                .path("token").asText();
        InetAddress local = InetAddress.getByName("127.0.0.1");
        try (Participant a = Participant.of("A", SignallingClient.builder(m1.webSocketUri()).connect());
             Participant b = Participant.of("B", SignallingClient.builder(m2.webSocketUri()).connect());
             SyntheticPublisher source = SyntheticPublisher.builder(reactor).localAddress(local)
                     .packetsPerSecond(50).packetSize(500).bind();
             RtpReceiver sink = RtpReceiver.builder(reactor).localAddress(local).bind()) {
            String idA = a.join(tokenA, "{\"n\":\"A\"}").connectionId();
            String idB = b.join(tokenB, "{\"n\":\"B\"}").connectionId();
            long beforePublish = System.currentTimeMillis();
            PublishResult published = a.client.publishVideo(new PublishOptions(source.sdpOffer(), false, true, false,
                    true, "CAMERA", 24, 320, 240, false)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            source.start(PlainRtpAnswer.parse(published.sdpAnswer()));
            sink.remote(PlainRtpAnswer.parse(b.client.receiveVideoFrom(published.streamId(), sink.sdpOffer(96, "VP8"))
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS)));
            String streamId = published.streamId();

            for (ClusterProcesses.Node master : cluster.masters()) {
                MasterRestClient rest = cluster.rest(master);
                // The connections' records replicate between masters; the streams come from the media node.
                JsonNode session = await("session with both participants active through " + master.id()).atMost(WAIT)
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> rest.send("GET", "/openvidu/api/sessions/" + sessionId).json(),
                                s -> s.path("connections").path("numberOfElements").asInt() == 2);
                assertFalse(session.has("mediaUnavailable"), session::toString);
                JsonNode connA = connection(session, idA);
                JsonNode connB = connection(session, idB);

                assertEquals(1, connA.path("publishers").size(), connA::toString);
                JsonNode publisher = connA.path("publishers").get(0);
                assertEquals(streamId, publisher.path("streamId").asText());
                assertTrue(publisher.path("createdAt").asLong() >= beforePublish, publisher::toString);
                JsonNode options = publisher.path("mediaOptions");
                assertFalse(options.path("hasAudio").asBoolean(true), options::toString);
                assertTrue(options.path("hasVideo").asBoolean(), options::toString);
                assertFalse(options.path("audioActive").asBoolean(true), options::toString);
                assertTrue(options.path("videoActive").asBoolean(), options::toString);
                assertEquals("CAMERA", options.path("typeOfVideo").asText());
                assertEquals(24, options.path("frameRate").asInt());
                JsonNode dimensions = TestJson.MAPPER.readTree(options.path("videoDimensions").asText());
                assertEquals(320, dimensions.path("width").asInt(), options::toString);
                assertEquals(240, dimensions.path("height").asInt(), options::toString);
                assertTrue(options.path("filter").isObject(), options::toString);
                assertEquals(0, connA.path("subscribers").size(), connA::toString);

                assertEquals(0, connB.path("publishers").size(), connB::toString);
                assertEquals(1, connB.path("subscribers").size(), connB::toString);
                JsonNode subscriber = connB.path("subscribers").get(0);
                assertEquals(streamId, subscriber.path("streamId").asText());
                assertEquals(idA, subscriber.path("publisher").asText());
                assertTrue(subscriber.path("createdAt").asLong() >= publisher.path("createdAt").asLong(),
                        subscriber::toString);

                // The same through the list, the connection list and one connection.
                JsonNode listed = StreamSupport.stream(rest.send("GET", "/openvidu/api/sessions").json()
                                .path("content").spliterator(), false)
                        .filter(s -> s.path("id").asText().equals(sessionId)).findFirst().orElseThrow();
                assertEquals(streamId, connection(listed, idA).path("publishers").get(0).path("streamId").asText());
                JsonNode connections = rest.send("GET", "/openvidu/api/sessions/" + sessionId + "/connection").json();
                assertEquals(idA, connection(connections, idB).path("subscribers").get(0).path("publisher").asText());
                JsonNode one = rest.send("GET", "/openvidu/api/sessions/" + sessionId + "/connection/" + idA).json();
                assertEquals(streamId, one.path("publishers").get(0).path("streamId").asText(), one::toString);

                // An outside client: openvidu-java-client 2.32.2, unchanged.
                OpenVidu openVidu = new OpenVidu(master.httpBase().toString(), cluster.secret());
                openVidu.fetch();
                io.openvidu.java.client.Session fetched = openVidu.getActiveSession(sessionId);
                assertNotNull(fetched, "active sessions: " + openVidu.getActiveSessions());
                fetched.fetch();
                List<Publisher> publishers = fetched.getConnection(idA).getPublishers();
                assertEquals(1, publishers.size());
                assertEquals(streamId, publishers.get(0).getStreamId());
                assertTrue(publishers.get(0).hasVideo());
                assertFalse(publishers.get(0).hasAudio());
                assertEquals("CAMERA", publishers.get(0).getTypeOfVideo());
                assertEquals(24, publishers.get(0).getFrameRate());
                assertEquals(List.of(streamId), fetched.getConnection(idB).getSubscribers());
            }

            measureViews(sessionId);

            // Unsubscribing and unpublishing show at once: the node is asked at every view, nothing is cached.
            b.client.unsubscribeFromVideo(streamId).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            JsonNode afterUnsubscribe = cluster.rest(m2).send("GET", "/openvidu/api/sessions/" + sessionId).json();
            assertEquals(0, connection(afterUnsubscribe, idB).path("subscribers").size(), afterUnsubscribe::toString);
            assertEquals(1, connection(afterUnsubscribe, idA).path("publishers").size());
            a.client.unpublishVideo().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            JsonNode afterUnpublish = cluster.rest(m2).send("GET", "/openvidu/api/sessions/" + sessionId).json();
            assertEquals(0, connection(afterUnpublish, idA).path("publishers").size(), afterUnpublish::toString);
        }
    }

    @Test
    @Order(2)
    void aDrainDeadlineSetThroughOneMasterIsShownByTheOtherUntilTheDrainIsUndone() throws Exception {
        ClusterProcesses.Node media = cluster.mediaNodes().get(0);
        MasterRestClient rest1 = cluster.rest(cluster.masters().get(0));
        MasterRestClient rest2 = cluster.rest(cluster.masters().get(1));
        try {
            RestResponse drained = rest1.sendJson("PATCH", "/openvidu/api/media-nodes/" + media.id(),
                    Map.of("status", "draining", "deadline", 600));
            assertEquals(200, drained.status(), drained::toString);
            Instant deadline = Instant.parse(drained.json().path("drainDeadline").asText());

            // At once through the other master (its placement took the change before the PATCH answered) ...
            JsonNode node = rest2.send("GET", "/openvidu/api/media-nodes/" + media.id()).json();
            assertEquals("draining", node.path("status").asText(), node::toString);
            assertEquals(deadline, Instant.parse(node.path("drainDeadline").asText()), node::toString);
            // ... and for good: the masters' own note of the change lapses after 10 s at most, and from then on the
            // node's load reports, which carry the deadline it was told, are all there is.
            await("the node's reports carry the deadline").during(Duration.ofSeconds(11)).atMost(WAIT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> rest2.send("GET", "/openvidu/api/cluster").json()
                            .path("mediaNodes").get(0).path("drainDeadline").asText(""), deadline.toString()::equals);
            assertEquals(deadline, rest2.mediaNode(media.id()).orElseThrow().drainDeadline());
        } finally {
            assertTrue(rest2.resumeMediaNode(media.id()).isRunning());
        }
        JsonNode running = rest1.send("GET", "/openvidu/api/media-nodes/" + media.id()).json();
        assertEquals("running", running.path("status").asText(), running::toString);
        assertFalse(running.has("drainDeadline"), "an undone drain has no deadline: " + running);
        JsonNode cluster1 = rest1.send("GET", "/openvidu/api/cluster").json().path("mediaNodes").get(0);
        assertFalse(cluster1.has("drainDeadline"), cluster1::toString);
    }

    /** Last: the frozen node is downed (it hosts a session) and exits once thawed. */
    @Test
    @Order(3)
    void aMediaNodeThatDoesNotAnswerGivesAClearDegradedView() throws Exception {
        ClusterProcesses.Node media = cluster.mediaNodes().get(0);
        MasterRestClient rest = cluster.rest(cluster.masters().get(0));
        String sessionId = "frozen-" + RUN;
        rest.createSession(sessionId);
        cluster.freeze(media);
        try {
            JsonNode session = rest.send("GET", "/openvidu/api/sessions/" + sessionId).json();
            String why = session.path("mediaUnavailable").asText("");
            assertTrue(why.startsWith("media node " + media.id() + ": the media node did not answer within")
                    || why.startsWith("media node " + media.id() + " is not"), session::toString);
            assertEquals(200, rest.send("GET", "/openvidu/api/sessions").status(), "the list is not held up");
            // Frozen while it hosts a session, it is failed over: a frozen process does not answer its sentinel
            // (its kernel accepts, nothing greets), so the slow-node grace does not hold it off.
            await(media.id() + " failed over").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> MasterMetrics.sum(cluster, "tessera_master_media_node_failures_total") >= 1.0);
            assertEquals(0.0, MasterMetrics.sum(cluster, MasterMetrics.SLOW_HELD_OFF),
                    "a frozen process was taken for a slow one");
        } finally {
            cluster.thaw(media); // it may have been downed meanwhile (it hosts a session): it then exits
        }
    }

    /**
     * What asking the media node costs a view: {@code GET /sessions/{id}} (two participants, one stream, one
     * subscription) timed through each master, sequentially. Written to target/benchmarks, quoted in BENCHMARKS.md.
     */
    private static void measureViews(String sessionId) throws Exception {
        Map<String, Object> results = new java.util.LinkedHashMap<>();
        for (ClusterProcesses.Node master : cluster.masters()) {
            MasterRestClient rest = cluster.rest(master);
            for (int i = 0; i < 20; i++) { // warm-up: JIT, connections
                rest.send("GET", "/openvidu/api/sessions/" + sessionId);
            }
            long[] micros = new long[200];
            for (int i = 0; i < micros.length; i++) {
                long start = System.nanoTime();
                RestResponse view = rest.send("GET", "/openvidu/api/sessions/" + sessionId);
                micros[i] = (System.nanoTime() - start) / 1000;
                assertFalse(view.json().has("mediaUnavailable"), view::toString);
            }
            java.util.Arrays.sort(micros);
            Map<String, Object> percentiles = Map.of("n", micros.length, "p50Ms", micros[micros.length / 2] / 1000.0,
                    "p95Ms", micros[micros.length * 95 / 100] / 1000.0,
                    "p99Ms", micros[micros.length * 99 / 100] / 1000.0, "maxMs", micros[micros.length - 1] / 1000.0);
            results.put(master.id(), percentiles);
            System.out.println("SessionStreamsTest: GET /sessions/{id} with streams through " + master.id() + ": "
                    + percentiles);
        }
        MeasuredResults.write("session-streams-view", results);
    }

    private static JsonNode connection(JsonNode sessionOrPage, String connectionId) {
        JsonNode content = sessionOrPage.has("connections") ? sessionOrPage.path("connections").path("content")
                : sessionOrPage.path("content");
        return StreamSupport.stream(content.spliterator(), false)
                .filter(c -> c.path("connectionId").asText().equals(connectionId)).findFirst()
                .orElseThrow(() -> new AssertionError("no connection " + connectionId + " in " + sessionOrPage));
    }
}
