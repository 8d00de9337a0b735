package io.tessera.it;

import io.tessera.wire.sdp.PlainRtpAnswer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.client.JoinResult;
import io.tessera.client.JsonRpcException;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.SignallingClient;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.RestResponse;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import io.tessera.master.routing.RoutingObserver;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} on every node of a real cluster (two masters, one media node): scraped without credentials,
 * parsed as Prometheus text, and checked to move by what real operations did: REST creations, SDK joins through
 * both masters, a synthetic RTP stream through the media node, a resume on the other master, an eviction.
 */
class MetricsTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration CONVERGE = Duration.ofSeconds(15);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final String CLIENT_HOST = "127.0.0.1";

    private static ClusterProcesses cluster;
    private static ClusterProcesses.Node a;
    private static ClusterProcesses.Node b;
    private static ClusterProcesses.Node media;

    @BeforeAll
    static void startCluster() {
        cluster = ClusterProcesses.start("MetricsTest", 2, 1, Map.of(
                "TESSERA_RTP_PORT_MIN", "40100", "TESSERA_RTP_PORT_MAX", "40131",
                // Short, so that the eviction of a participant whose socket closed is cheap to wait for.
                "TESSERA_GRACE_WINDOW", "3s"));
        cluster.awaitReady(STARTUP);
        a = cluster.masters().get(0);
        b = cluster.masters().get(1);
        media = cluster.mediaNodes().get(0);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static PrometheusText scrape(ClusterProcesses.Node node) throws Exception {
        RestResponse r = cluster.rest(node).withoutCredentials().send("GET", "/metrics");
        assertEquals(200, r.status(), () -> "GET /metrics of " + node.id() + ": " + r);
        String type = r.headers().firstValue("content-type").orElse("");
        assertTrue(type.startsWith("text/plain") && type.contains("version=0.0.4"), type);
        return PrometheusText.parse(r.text());
    }

    /** Waits until {@code metric} of {@code node}, measured from {@code before}, has grown by at least {@code by}. */
    private static PrometheusText awaitDelta(ClusterProcesses.Node node, PrometheusText before, String what,
                                             ToDoubleFunction<PrometheusText> metric, double by) {
        double start = metric.applyAsDouble(before);
        return await(node.id() + ": " + what + " grows by " + by).atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> scrape(node), now -> metric.applyAsDouble(now) - start >= by);
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void everyNodeServesMetricsWithoutCredentialsAndWithoutSecrets() throws Exception {
        for (ClusterProcesses.Node node : cluster.allNodes()) {
            RestResponse r = cluster.rest(node).withoutCredentials().send("GET", "/metrics");
            assertEquals(200, r.status(), r::toString);
            assertFalse(r.text().contains(cluster.secret()), "the cluster secret is in /metrics of " + node.id());
            PrometheusText metrics = PrometheusText.parse(r.text());
            String role = node.role() == ClusterProcesses.Role.MASTER ? "master" : "media";
            assertEquals(1.0, metrics.value("tessera_node_info", Map.of("node", node.id(), "role", role)));
            assertTrue(metrics.sum("jvm_memory_used_bytes", Map.of("area", "heap")) > 0);
            assertTrue(metrics.has("jvm_gc_pause_seconds_count") || metrics.has("jvm_gc_memory_allocated_bytes_total"));
            assertTrue(metrics.value("jvm_threads_live_threads") > 0);
            assertTrue(metrics.value("process_uptime_seconds") > 0);
            assertTrue(metrics.has("process_cpu_usage"));
            assertEquals("counter", metrics.type("jvm_classes_unloaded_classes").orElse("counter"));
        }
        PrometheusText master = scrape(a);
        assertEquals("histogram", master.type("tessera_master_join_latency_seconds").orElseThrow());
        assertEquals(1.0, master.value("tessera_master_ha_failures_to_tolerate"));
        assertEquals(1.0, master.value("tessera_master_media_nodes_available"));
        assertEquals(0.0, master.value("tessera_master_webhooks_dropped_total"), "no webhook endpoint configured");
        assertEquals(32.0, scrape(media).value("tessera_media_ports_capacity"), "ports 40100-40131: 16 pairs");
        // Health stays where it was and needs no credentials either.
        assertEquals(200, cluster.rest(a).withoutCredentials().send("GET", "/health/ready").status());
    }

    @Test
    void countersAndGaugesMoveWithRealSessionsJoinsMediaAndResumes() throws Exception {
        PrometheusText a0 = scrape(a);
        PrometheusText b0 = scrape(b);
        PrometheusText m0 = scrape(media);
        // An id whose record is timed for convergence (masters time a fixed sample of the session shards).
        String sid = IntStream.iterate(0, i -> i + 1).mapToObj(i -> "metrics-" + RUN + "-" + i)
                .filter(RoutingObserver::timesConvergenceOf).findFirst().orElseThrow();

        TestSessions.createSession(cluster.rest(a), sid);
        // A create answers from the record it wrote (no REST view: nothing to describe, no connections to read from a
        // majority); its one majority read is the check that no other master has the custom id already.
        PrometheusText aCreated = scrape(a);
        assertEquals(1.0, delta(a0, aCreated, "tessera_master_routing_reads_total", Map.of("consistency", "majority")));
        assertEquals(0.0, delta(m0, scrape(media), "tessera_media_describes_total", Map.of()), "a create describes nothing");
        // A view of the session does both: its connections from a majority, its streams from its media node.
        assertTrue(cluster.rest(a).session(sid).isPresent());
        assertTrue(delta(aCreated, scrape(a), "tessera_master_routing_reads_total",
                Map.of("consistency", "majority")) >= 1, "the view's majority read");
        assertEquals(1.0, delta(m0, scrape(media), "tessera_media_describes_total", Map.of()), "the view describes");
        Connection pubCon = TestSessions.createConnection(cluster.rest(a), sid, "publisher");
        Connection subCon = TestSessions.createConnection(cluster.rest(a), sid, "subscriber");
        Connection thirdCon = TestSessions.createConnection(cluster.rest(a), sid, "third");
        TestSessions.awaitConnectionVisible(cluster.rest(b), sid, subCon.connectionId());

        PrometheusText a1 = scrape(a);
        assertEquals(1.0, delta(a0, a1, "tessera_master_placements_total", Map.of("kind", "create", "outcome", "placed")));
        assertTrue(delta(a0, a1, "tessera_master_rest_requests_total", Map.of("status", "2xx")) >= 4, "4 REST creations");
        assertTrue(delta(a0, a1, "tessera_master_routing_update_latency_seconds_count",
                Map.of("consistency", "majority")) >= 4, "session + 3 connections written with a majority");
        awaitDelta(b, b0, "sessions gauge", m -> m.value("tessera_master_sessions"), 1);
        awaitDelta(b, b0, "session convergence count",
                m -> m.value("tessera_master_routing_convergence_seconds_count", Map.of("record", "session")), 1);
        // Connections are counted from a local read every 5 s, not timed (RoutingObserver says why).
        awaitDelta(b, b0, "pending connections gauge", m -> m.value("tessera_master_connections_pending"), 3);

        InetAddress local = InetAddress.getByName(CLIENT_HOST);
        try (Participant publisher = Participant.connect("publisher", a.webSocketUri());
             Participant subscriber = Participant.connect("subscriber", b.webSocketUri());
             Participant third = Participant.connect("third", a.webSocketUri());
             RtpReactor reactor = new RtpReactor("metrics-rtp");
             SyntheticPublisher source = SyntheticPublisher.builder(reactor).localAddress(local)
                     .packetsPerSecond(500).packetSize(1200).packetLimit(1000).bind();
             RtpReceiver receiver = RtpReceiver.builder(reactor).localAddress(local).bind()) {
            // A join with a token of nobody fails with 401, counted by code.
            JsonRpcException refused = assertInstanceOf(JsonRpcException.class, assertThrows(() ->
                    get(third.client.joinRoom(pubCon.token().replaceAll("tok_\\w+", "tok_nobody"),
                            "{}"))));
            assertEquals(401, refused.code(), refused.getMessage());

            publisher.join(pubCon.token(), "{}");
            subscriber.join(subCon.token(), "{}");
            JoinResult thirdJoined = third.join(thirdCon.token(), "{}");

            PrometheusText a2 = scrape(a);
            PrometheusText b2 = scrape(b);
            assertEquals(2.0, delta(a0, a2, "tessera_master_joins_total", Map.of()));
            assertEquals(1.0, delta(b0, b2, "tessera_master_joins_total", Map.of()));
            assertEquals(2.0, delta(a0, a2, "tessera_master_join_latency_seconds_count", Map.of()));
            assertEquals(2.0, delta(a0, a2, "tessera_master_join_latency_seconds_bucket", Map.of("le", "+Inf")));
            assertEquals(1.0, delta(b0, b2, "tessera_master_join_latency_seconds_bucket", Map.of("le", "+Inf")));
            assertTrue(delta(a0, a2, "tessera_master_join_latency_seconds_sum", Map.of()) > 0);
            assertEquals(1.0, delta(a0, a2, "tessera_master_join_failures_total", Map.of("code", "401")));
            assertEquals(1.0, delta(a0, a2, "tessera_master_jsonrpc_errors_total", Map.of("code", "401")));
            assertEquals(2.0, delta(a0, a2, "tessera_master_signalling_participants", Map.of()));
            assertTrue(a2.value("tessera_master_websocket_connections") >= 2);
            awaitDelta(b, b0, "cluster-wide participants", m -> m.value("tessera_master_participants"), 3);
            PrometheusText m2 = awaitDelta(media, m0, "media participants", m -> m.value("tessera_media_participants"), 3);
            assertEquals(1.0, m2.value("tessera_media_sessions") - m0.value("tessera_media_sessions"));

            // Media: one stream, one subscriber, every packet the subscriber got was counted as forwarded.
            PublishResult published = get(publisher.client.publishVideo(PublishOptions.camera(source.sdpOffer())));
            String answer = get(subscriber.client.receiveVideoFrom(published.streamId(), receiver.sdpOffer(96, "VP8")));
            receiver.remote(PlainRtpAnswer.parse(answer));
            source.start(PlainRtpAnswer.parse(published.sdpAnswer()));
            await("the stream is sent and received").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> source.finished() && receiver.stats().received() == source.sent());
            long received = receiver.stats().received();
            PrometheusText m3 = awaitDelta(media, m0, "RTP packets forwarded",
                    m -> m.value("tessera_media_rtp_packets_forwarded_total"), received);
            assertTrue(delta(m0, m3, "tessera_media_rtp_packets_received_total", Map.of()) >= received);
            assertTrue(delta(m0, m3, "tessera_media_rtp_bytes_forwarded_total", Map.of()) >= 1200.0 * received);
            assertTrue(delta(m0, m3, "tessera_media_rtp_bytes_received_total", Map.of()) >= 1200.0 * received);
            assertEquals(1.0, m3.value("tessera_media_streams"));
            assertEquals(1.0, m3.value("tessera_media_subscriptions"));
            assertEquals(4.0, m3.value("tessera_media_ports_in_use"), "two port pairs: the publisher's, the subscriber's");
            assertEquals(0.0, delta(m0, m3, "tessera_media_command_queue_rejections_total", Map.of()));

            // Resume: the third participant's socket closes; it resumes on the other master, first with a wrong secret.
            String secret = thirdJoined.raw().path("resumeSecret").asText();
            long lastSeq = third.client.lastSeq();
            third.close();
            try (SignallingClient resumer = SignallingClient.builder(b.webSocketUri()).connect()) {
                ObjectNode params = TestJson.MAPPER.createObjectNode().put("sessionId", sid)
                        .put("connectionId", thirdJoined.connectionId()).put("lastSeq", lastSeq);
                JsonRpcException wrong = assertInstanceOf(JsonRpcException.class, assertThrows(() ->
                        get(resumer.request("connect", params.deepCopy().put("resumeSecret", "not-" + secret)))));
                assertEquals(401, wrong.code(), wrong.getMessage());
                get(resumer.request("connect", params.deepCopy().put("resumeSecret", secret)));

                PrometheusText b4 = scrape(b);
                assertEquals(1.0, delta(b0, b4, "tessera_master_resumes_total", Map.of("result", "ok")));
                assertEquals(1.0, delta(b0, b4, "tessera_master_resumes_total", Map.of("result", "wrong_secret")));
                PrometheusText m4 = scrape(media);
                assertEquals(1.0, delta(m0, m4, "tessera_media_resumes_total", Map.of("result", "ok")));
                assertEquals(1.0, delta(m0, m4, "tessera_media_resumes_total", Map.of("result", "wrong_secret")));
                get(resumer.request("leaveRoom", TestJson.MAPPER.createObjectNode()));
            }

            // The subscriber's socket closes without leaving: it is evicted when the grace window (3 s) passes.
            subscriber.close();
            PrometheusText m5 = awaitDelta(media, m0, "grace-window evictions",
                    m -> m.value("tessera_media_detached_evictions_total", Map.of("reason", "grace_expired")), 1);
            assertEquals(0.0, delta(m0, m5, "tessera_media_detached_evictions_total", Map.of("reason", "replay_overflow")));
            get(publisher.client.leaveRoom());
        }
        // Everyone left: the session ended, and the gauges are back where they started.
        await("the media node's gauges return to their start").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> scrape(media), m -> m.value("tessera_media_sessions") == m0.value("tessera_media_sessions")
                        && m.value("tessera_media_participants") == m0.value("tessera_media_participants")
                        && m.value("tessera_media_ports_in_use") == m0.value("tessera_media_ports_in_use"));
        await("master a's sessions gauge returns to its start").atMost(CONVERGE).pollInterval(Duration.ofMillis(200))
                .until(() -> scrape(a), m -> m.value("tessera_master_sessions") == a0.value("tessera_master_sessions")
                        && m.value("tessera_master_signalling_participants")
                        == a0.value("tessera_master_signalling_participants"));
    }

    @Test
    void everyMetricTheSuggestedAlertsUseExists() throws Exception {
        java.nio.file.Path rules = java.nio.file.Paths.get("..", "docs", "prometheus-alerts.yml");
        String text = java.nio.file.Files.readString(rules);
        java.util.Set<String> used = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\btessera_[a-z0-9_]+").matcher(text);
        while (m.find()) {
            used.add(m.group());
        }
        assertTrue(used.size() >= 10, "the rules name Tessera metrics: " + used);
        PrometheusText master = scrape(a);
        PrometheusText mediaNode = scrape(media);
        for (String name : used) {
            assertTrue(master.has(name) || mediaNode.has(name), rules + " uses " + name + ", which no node exposes");
        }
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, Map<String, String> labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    private interface Call {
        void run() throws Exception;
    }

    /** The cause of the exception a call ends with (futures wrap it in an ExecutionException). */
    private static Throwable assertThrows(Call call) {
        try {
            call.run();
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("expected the call to fail");
    }
}
