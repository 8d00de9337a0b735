package io.tessera.it;

import io.tessera.wire.sdp.PlainRtpAnswer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tessera.client.MediaRecovery;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.SignallingClient;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.MediaNode;
import io.tessera.client.rest.RestResponse;
import io.tessera.client.rest.Session;
import io.tessera.client.rest.SessionProperties;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A media node dies under sessions of all three priorities with RTP flowing (DESIGN.md section 6): protected
 * and best-effort sessions are placed on the survivor, the SDK publishes and subscribes again by itself and
 * media flows again; {@code none} sessions are closed with {@code nodeCrashed}. Two masters, two media nodes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MediaNodeFailoverTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final String CLIENT_HOST = "127.0.0.1";

    private static ClusterProcesses cluster;
    private static RtpReactor reactor;
    private static final Map<String, Object> report = new LinkedHashMap<>();
    private static HttpServer hooks;
    private static final List<String> webhookBodies = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        // Three sessions per media node at most, so that running out of room is cheap to provoke.
        hooks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hooks.createContext("/hooks", exchange -> {
            webhookBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hooks.start();
        cluster = ClusterProcesses.start("MediaNodeFailoverTest", 2, 2, Map.of("TESSERA_MAX_SESSIONS", "3",
                "TESSERA_WEBHOOK_URLS", "http://127.0.0.1:" + hooks.getAddress().getPort() + "/hooks"));
        cluster.awaitReady(STARTUP);
        reactor = new RtpReactor("media-failover-rtp");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (hooks != null) {
            hooks.stop(0);
        }
        if (reactor != null) {
            reactor.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        MeasuredResults.write("media-failover", report);
    }

    /** A publisher (through master 1) and a subscriber (through master 2), both recovering media by themselves. */
    private static final class Pair implements AutoCloseable {
        final String sessionId;
        final String priority;
        final Participant publisher;
        final Participant subscriber;
        final MediaRecovery publisherMedia;
        final MediaRecovery subscriberMedia;
        final SyntheticPublisher source;
        final RtpReceiver sink;
        volatile long failedEventAt;
        volatile long receivedAtFailure = -1;

        Pair(String priority, String mediaNodeId) throws Exception {
            this(priority, mediaNodeId, "");
        }

        Pair(String priority, String mediaNodeId, String tag) throws Exception {
            this.priority = priority;
            this.sessionId = "mnf-" + priority + tag + "-" + RUN;
            ClusterProcesses.Node m1 = cluster.masters().get(0);
            ClusterProcesses.Node m2 = cluster.masters().get(1);
            cluster.rest(m1).createSession(SessionProperties.withId(sessionId).priority(priority).mediaNodeId(mediaNodeId));
            Connection pub = TestSessions.createConnection(cluster.rest(m1), sessionId, "pub");
            Connection sub = TestSessions.createConnection(cluster.rest(m1), sessionId, "sub");
            TestSessions.awaitConnectionVisible(cluster.rest(m2), sessionId, sub.connectionId());
            publisher = Participant.of("pub-" + priority, SignallingClient.builder(m1.webSocketUri())
                    .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3)).connect());
            subscriber = Participant.of("sub-" + priority, SignallingClient.builder(m2.webSocketUri())
                    .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3))
                    .onEvent(e -> {
                        if (e.method().equals("mediaNodeFailed")) {
                            failedEventAt = System.nanoTime();
                        }
                    }).connect());
            publisherMedia = MediaRecovery.attach(publisher.client);
            subscriberMedia = MediaRecovery.attach(subscriber.client);
            String publisherId = publisher.join(pub.token(), "{}").connectionId();
            subscriber.join(sub.token(), "{}");
            InetAddress local = InetAddress.getByName(CLIENT_HOST);
            source = SyntheticPublisher.builder(reactor).localAddress(local).packetsPerSecond(200).packetSize(1000).bind();
            sink = RtpReceiver.builder(reactor).localAddress(local).bind();
            publisherMedia.onRepublished(result -> source.retarget(PlainRtpAnswer.parse(result.sdpAnswer())));
            subscriberMedia.onResubscribed(r -> sink.remote(PlainRtpAnswer.parse(r.sdpAnswer())));
            PublishResult published = get(publisherMedia.publish(PublishOptions.camera(source.sdpOffer())));
            sink.remote(PlainRtpAnswer.parse(get(subscriberMedia.subscribe(publisherId, published.streamId(),
                    sink.sdpOffer(96, "VP8")))));
            source.start(PlainRtpAnswer.parse(published.sdpAnswer()));
        }

        long received() {
            return sink.stats().received();
        }

        @Override
        public void close() {
            source.close();
            sink.close();
            for (Participant p : List.of(publisher, subscriber)) {
                try {
                    p.client.leaveRoom().get(5, TimeUnit.SECONDS); // so that the session ends now, not after the grace window
                } catch (Exception e) {
                    // already out (evicted with its session)
                }
            }
            publisher.close();
            subscriber.close();
        }
    }

    @Test
    @Order(2)
    void drainingMovesEverySessionAtTheDeadlineWithoutLosingAParticipant() throws Exception {
        ClusterProcesses.Node drained = cluster.mediaNodes().get(0);
        ClusterProcesses.Node other = cluster.mediaNodes().get(1);
        for (ClusterProcesses.Node n : cluster.mediaNodes()) {
            if (!cluster.isAlive(n)) {
                cluster.relaunch(n);
            }
        }
        MasterRestClient rest = cluster.rest(cluster.masters().get(0));
        await("both media nodes running and empty").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    for (ClusterProcesses.Node n : cluster.mediaNodes()) {
                        Optional<MediaNode> node = rest.mediaNode(n.id());
                        if (node.isEmpty() || !node.get().isRunning() || node.get().load().sessions() != 0) {
                            return false;
                        }
                    }
                    return true;
                });
        List<Pair> pairs = new ArrayList<>();
        try {
            pairs.add(new Pair("protected", drained.id(), "drain"));
            pairs.add(new Pair("none", drained.id(), "drain"));
            await("media flows").atMost(Duration.ofSeconds(20)).until(() -> pairs.stream().allMatch(p -> p.received() >= 50));

            RestResponse bad = rest.sendJson("PATCH", "/openvidu/api/media-nodes/" + drained.id(), Map.of("status", "sleeping"));
            assertEquals(400, bad.status(), bad::toString);
            // The deadline in seconds from now (the scale-in handler's drainMediaNode sends an instant).
            RestResponse draining = rest.sendJson("PATCH", "/openvidu/api/media-nodes/" + drained.id(),
                    Map.of("status", "draining", "deadline", 4));
            assertEquals(200, draining.status(), draining::toString);
            assertEquals("draining", draining.json().path("status").asText());
            await("the node reports draining").atMost(Duration.ofSeconds(5)).until(() ->
                    rest.mediaNode(drained.id()).map(MediaNode::status).orElse("").equals(MediaNode.DRAINING));
            assertEquals(other.id(), rest.createSession("after-drain-" + RUN).mediaNodeId(), "no new session on a draining node");

            pairs.forEach(p -> p.receivedAtFailure = p.received());
            for (Pair p : pairs) {
                await(p.sessionId + " moved at the deadline").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> other.id().equals(mediaNodeOf(p.sessionId)) && p.subscriberMedia.recoveries() == 1
                                && p.publisherMedia.recoveries() == 1);
                long afterMove = p.received();
                await(p.sessionId + " media flows from the new node").atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(50)).until(() -> p.received() > afterMove + 20);
                assertTrue(p.subscriber.events().stream().noneMatch(e -> e.method().equals("participantLeft")
                        || e.method().equals("participantEvicted")), p.subscriber::describeEvents);
                assertEquals(p.subscriber.expectedSeqs(), p.subscriber.seqs(), p.subscriber::describeEvents);
            }
            assertTrue(rest.resumeMediaNode(drained.id()).isRunning());
            await("the node runs again").atMost(Duration.ofSeconds(5)).until(() ->
                    rest.mediaNode(drained.id()).map(MediaNode::isRunning).orElse(false));
            assertTrue(webhookBodies.stream().anyMatch(b -> b.contains("\"mediaNodeStatusChanged\"")
                    && b.contains("draining")), String.join("\n", webhookBodies));
        } finally {
            pairs.forEach(Pair::close);
        }
        // Every kind of webhook the two tests caused reached the receiver (each sent by one master only).
        for (String event : List.of("sessionCreated", "sessionDestroyed", "participantJoined", "participantLeft",
                "webrtcConnectionCreated", "webrtcConnectionDestroyed", "nodeCrashed", "mediaNodeStatusChanged",
                "sessionMigrated")) {
            await("webhook " + event).atMost(Duration.ofSeconds(15)).until(() ->
                    webhookBodies.stream().anyMatch(b -> b.contains("\"event\":\"" + event + "\"")));
        }
        long created = webhookBodies.stream().filter(b -> b.contains("\"event\":\"sessionCreated\"")
                && b.contains("mnf-protecteddrain-" + RUN)).count();
        assertEquals(1, created, "one sessionCreated per session, not one per master");
    }

    private static com.fasterxml.jackson.databind.JsonNode haPlan() throws Exception {
        return cluster.rest(cluster.masters().get(0)).clusterView().json().path("haPlan");
    }

    /** The media node hosting the session, as the first master sees it; null when it knows no such session. */
    private static String mediaNodeOf(String sessionId) throws Exception {
        return cluster.rest(cluster.masters().get(0)).session(sessionId).map(Session::mediaNodeId).orElse(null);
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * A media node without sessions that stops answering for longer than the failure detector allows (a JVM stalled
     * on a busy machine, as during a cluster start on 2 cores) but comes back before the Split Brain Resolver's
     * stable-after is not downed: nothing waited on it. Before, the failover coordinator downed it at once.
     */
    @Test
    @Order(0)
    void anIdleMediaNodeThatWasOnlySlowIsNotDowned() throws Exception {
        ClusterProcesses.Node idle = cluster.mediaNodes().get(1);
        assertEquals(0, mediaNode(idle.id()).load().sessions(), "no session on it yet");
        cluster.freeze(idle);
        try {
            await("the masters see " + idle.id() + " unreachable").atMost(Duration.ofSeconds(15))
                    .until(() -> !mediaNode(idle.id()).reachable());
        } finally {
            cluster.thaw(idle);
        }
        await(idle.id() + " reachable again").atMost(Duration.ofSeconds(15))
                .until(() -> mediaNode(idle.id()).reachable());
        assertTrue(cluster.isAlive(idle), idle.id() + " was downed for a late heartbeat:\n" + cluster.tail(idle, 20));
        assertEquals(0.0, MasterMetrics.sum(cluster, MasterMetrics.CRASHES_SEEN), "a frozen process closes no connection: not a crash");
        assertFalse(webhookBodies.stream().anyMatch(b -> b.contains("\"nodeCrashed\"") && b.contains(idle.id())),
                "nodeCrashed sent for a node that was only slow");
    }

    private static MediaNode mediaNode(String id) throws Exception {
        return cluster.rest(cluster.masters().get(0)).mediaNode(id).orElseThrow();
    }

    @Test
    @Order(1)
    void protectedAndBestEffortSessionsMoveToTheSurvivorAndMediaFlowsAgainNoneSessionsClose() throws Exception {
        ClusterProcesses.Node doomed = cluster.mediaNodes().get(0);
        ClusterProcesses.Node survivor = cluster.mediaNodes().get(1);
        List<Pair> pairs = new ArrayList<>();
        try {
            for (String priority : List.of("protected", "best-effort", "none")) {
                pairs.add(new Pair(priority, doomed.id()));
            }
            await("media flows in every session").atMost(Duration.ofSeconds(20))
                    .until(() -> pairs.stream().allMatch(p -> p.received() >= 100));

            assertEquals(1, haPlan().path("maxFailuresToTolerate").asInt(), haPlan()::toString);
            assertFalse(haPlan().path("overcommitted").asBoolean(), haPlan()::toString);

            long killedAt = System.nanoTime();
            pairs.forEach(p -> p.receivedAtFailure = p.received());
            cluster.kill(doomed);

            Map<String, Long> mediaBackMillis = new LinkedHashMap<>();
            // A killed process: the crash watch (its sentinel's connection ended, the port refuses) failed it over.
            await("the crash watch saw " + doomed.id() + "'s process gone").atMost(Duration.ofSeconds(30))
                    .until(() -> MasterMetrics.sum(cluster, MasterMetrics.CRASHES_SEEN) == 1.0);
            for (Pair p : pairs.subList(0, 2)) {
                await(p.priority + " media flows again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                        .until(() -> p.received() > p.receivedAtFailure + 20);
                mediaBackMillis.put(p.priority, (System.nanoTime() - killedAt) / 1_000_000);
                assertTrue(p.failedEventAt > 0, p.priority + ": mediaNodeFailed reached the subscriber");
                assertEquals(survivor.id(), mediaNodeOf(p.sessionId));
                assertEquals(1, p.publisherMedia.recoveries());
                assertEquals(1, p.subscriberMedia.recoveries());
            }
            Pair none = pairs.get(2);
            none.subscriber.awaitEvent("participantEvicted", e -> "nodeCrashed".equals(e.param("reason")),
                    "the none session closed with nodeCrashed");
            none.publisher.awaitEvent("participantEvicted", e -> "nodeCrashed".equals(e.param("reason")),
                    "the none session closed with nodeCrashed");
            await("the none session is gone").atMost(Duration.ofSeconds(10)).until(() ->
                    mediaNodeOf(none.sessionId) == null);

            Map<String, Long> eventMillis = new LinkedHashMap<>();
            for (Pair p : pairs.subList(0, 2)) {
                eventMillis.put(p.priority, (p.failedEventAt - killedAt) / 1_000_000);
                assertEquals(p.subscriber.expectedSeqs(), p.subscriber.seqs(), p.subscriber::describeEvents);
            }
            // One node left: a second failure would lose the protected session.
            await("the HA plan turns overcommitted").atMost(Duration.ofSeconds(10)).until(() ->
                    haPlan().path("overcommitted").asBoolean());
            assertEquals(0, haPlan().path("maxFailuresToTolerate").asInt(), haPlan()::toString);
            await("webhooks: nodeCrashed and sessionMigrated").atMost(Duration.ofSeconds(10)).until(() ->
                    webhookBodies.stream().anyMatch(b -> b.contains("\"nodeCrashed\"") && b.contains(doomed.id()))
                            && webhookBodies.stream().anyMatch(b -> b.contains("\"sessionMigrated\"")));
            report.put("mediaBackMillis", mediaBackMillis);
            report.put("mediaNodeFailedEventMillis", eventMillis);
            report.put("sessionsMoved", 2);
            report.put("sessionsClosed", 1);

            // Capacity exhausted: the survivor is full with a third (protected) session, then dies too. Nothing can
            // host its sessions, so they wait, and are placed when a media node joins again.
            pairs.add(new Pair("protected", survivor.id(), "late"));
            Pair late = pairs.get(3);
            await("media flows in the third session").atMost(Duration.ofSeconds(20)).until(() -> late.received() >= 50);
            List<Pair> moving = List.of(pairs.get(0), pairs.get(1), late);
            moving.forEach(p -> p.receivedAtFailure = p.received());
            cluster.kill(survivor);
            await("the sessions wait: no media node is left").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> survivor.id().equals(mediaNodeOf(late.sessionId)));
            cluster.relaunch(doomed);
            for (Pair p : moving) {
                await(p.priority + " " + p.sessionId + " placed on the node that joined").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50)).until(() -> p.received() > p.receivedAtFailure + 20);
                assertEquals(doomed.id(), mediaNodeOf(p.sessionId));
            }
            // After the move only the new node's resume secret works: a client that resumes now (its master died) uses it.
            Pair prot = pairs.get(0);
            var failedEvent = prot.subscriber.events().stream().filter(e -> e.method().equals("mediaNodeFailed"))
                    .reduce((first, last) -> last).orElseThrow(); // the latest move's secret
            String newSecret = failedEvent.param("resumeSecret");
            assertTrue(newSecret != null && newSecret.length() >= 32, failedEvent.params().toString());
            try (SignallingClient other = SignallingClient.connect(cluster.masters().get(0).webSocketUri())) {
                var params = new ObjectMapper().createObjectNode().put("sessionId", prot.sessionId)
                        .put("connectionId", prot.subscriber.client.joined().connectionId())
                        .put("resumeSecret", newSecret).put("lastSeq", prot.subscriber.client.lastSeq());
                var resumed = get(other.request("connect", params));
                assertTrue(resumed.path("resumed").asBoolean(), resumed.toString());
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("resume with the new node's secret failed", e);
            }

        } finally {
            pairs.forEach(Pair::close);
        }
    }
}
