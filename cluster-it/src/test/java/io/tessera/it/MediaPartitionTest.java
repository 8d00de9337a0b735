package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.client.MediaRecovery;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.SignallingClient;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestResponse;
import io.tessera.client.rest.Session;
import io.tessera.client.rest.SessionProperties;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import io.tessera.it.history.History;
import io.tessera.it.history.HistoryAssertions;
import io.tessera.it.history.HistoryChecker;
import io.tessera.it.history.HistoryEntry;
import io.tessera.wire.sdp.PlainRtpAnswer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, scenario 2: a media node cut off from the masters (and from the other media node) while its clients still
 * send media to it. Its sessions are placed on the other media node, the clients follow them there by themselves,
 * the old copy stops forwarding on its own before the new one starts (the two never forward in the same sampling
 * interval), and once the cut heals the old node, downed meanwhile, exits; restarted, the cluster is whole.
 * Three masters and two media nodes whose Pekko remoting runs through the test's proxies; RTP and signalling do not.
 */
class MediaPartitionTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(100);
    /** How old a media node's RTP meters may be (MediaEngineMeters reads the engine at most every 500 ms). */
    private static final Duration METER_AGE = Duration.ofMillis(500);

    private static ClusterProcesses cluster;
    private static RtpReactor reactor;
    private static final Map<String, Object> report = new LinkedHashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterProcesses.startPartitionable("MediaPartitionTest", 3, 2, Map.of());
        cluster.awaitReady(STARTUP);
        reactor = new RtpReactor("media-partition-rtp");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            MeasuredResults.write("media-partition", report);
        } finally {
            if (reactor != null) {
                reactor.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static PrometheusText scrape(ClusterProcesses.Node node) throws Exception {
        RestResponse r = cluster.rest(node).withoutCredentials().send("GET", "/metrics");
        assertEquals(200, r.status(), r::toString);
        return PrometheusText.parse(r.text());
    }

    private static double metric(PrometheusText metrics, String name) {
        return metrics.has(name) ? metrics.value(name) : 0;
    }

    @Test
    void aMediaNodeCutOffFromTheMastersStopsItsCopyBeforeItsSessionRunsOnTheOtherNode() throws Exception {
        ClusterProcesses.Node cutOff = cluster.mediaNodes().get(0);
        ClusterProcesses.Node other = cluster.mediaNodes().get(1);
        ClusterProcesses.Node m1 = cluster.masters().get(0);
        ClusterProcesses.Node m2 = cluster.masters().get(1);
        MasterRestClient rest = cluster.rest(m1);
        String sessionId = "mpart_" + RUN;
        rest.createSession(SessionProperties.withId(sessionId).priority("protected").mediaNodeId(cutOff.id()));
        Connection pub = TestSessions.createConnection(rest, sessionId, "pub");
        Connection sub = TestSessions.createConnection(rest, sessionId, "sub");
        TestSessions.awaitConnectionVisible(cluster.rest(m2), sessionId, sub.connectionId());
        InetAddress local = InetAddress.getByName("127.0.0.1");
        History history = new History();
        AtomicBoolean sampling = new AtomicBoolean(true);
        try (Participant publisher = Participant.of("pub", SignallingClient.builder(m1.webSocketUri())
                     .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3)).connect()).recordTo(history);
             Participant subscriber = Participant.of("sub", SignallingClient.builder(m2.webSocketUri())
                     .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3)).connect()).recordTo(history);
             SyntheticPublisher source = SyntheticPublisher.builder(reactor).localAddress(local).packetsPerSecond(200)
                     .packetSize(1000).bind();
             RtpReceiver sink = RtpReceiver.builder(reactor).localAddress(local).bind()) {
            MediaRecovery publisherMedia = MediaRecovery.attach(publisher.client);
            MediaRecovery subscriberMedia = MediaRecovery.attach(subscriber.client);
            String publisherId = publisher.join(pub.token(), "{}").connectionId();
            subscriber.join(sub.token(), "{}");
            publisherMedia.onRepublished(result -> source.retarget(PlainRtpAnswer.parse(result.sdpAnswer())));
            subscriberMedia.onResubscribed(r -> sink.remote(PlainRtpAnswer.parse(r.sdpAnswer())));
            PublishResult published = publisherMedia.publish(PublishOptions.camera(source.sdpOffer()))
                    .get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
            sink.remote(PlainRtpAnswer.parse(subscriberMedia.subscribe(publisherId, published.streamId(),
                    sink.sdpOffer(96, "VP8")).get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS)));
            source.start(PlainRtpAnswer.parse(published.sdpAnswer()));
            await("media flows through " + cutOff.id()).atMost(Duration.ofSeconds(20))
                    .until(() -> sink.stats().received() >= 100);
            publisher.sendMessage(List.of(), "before-cut").get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);

            // Both nodes' /metrics are reached directly (only their cluster links run through the proxies). The
            // forwarding counters are per node; this session is the only one on either, so they are the session's.
            Thread sampler = new Thread(() -> {
                long round = 0;
                while (sampling.get()) {
                    try {
                        PrometheusText a = scrape(cutOff);
                        PrometheusText b = scrape(other);
                        for (var node : List.of(Map.entry(cutOff, a), Map.entry(other, b))) {
                            history.mediaSample(round, node.getKey().id(), sessionId,
                                    metric(node.getValue(), "tessera_media_rtp_packets_forwarded_total"),
                                    metric(node.getValue(), "tessera_media_fenced") == 1);
                        }
                        round++;
                        Thread.sleep(SAMPLE_EVERY.toMillis()); // the sampling period of the history, not a wait
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // a scrape that failed leaves a gap in the history; the checks below need no sample
                    }
                }
            }, "media-partition-sampler");
            sampler.start();
            long receivedAtCut = sink.stats().received();
            long cutAt = System.nanoTime();
            cluster.partition(cutOff);
            await(cutOff.id() + " fences itself").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> metric(scrape(cutOff), "tessera_media_fenced") == 1);
            report.put("cutToFencedMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt));
            await("the session runs on " + other.id()).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> other.id().equals(rest.session(sessionId).map(Session::mediaNodeId).orElse(null)));
            report.put("cutToPlacedMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt));
            long receivedAtMove = sink.stats().received();
            await("media flows again, through " + other.id()).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50)).until(() -> sink.stats().received() >= receivedAtMove + 100);
            report.put("cutToMediaBackMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt));
            assertTrue(receivedAtMove >= receivedAtCut, "the receiver's count never goes back");
            await("the history covers the move").atMost(Duration.ofSeconds(5))
                    .until(() -> history.entries().stream().anyMatch(e -> e instanceof HistoryEntry.MediaSample s
                            && s.node().equals(other.id()) && s.forwarded() > 0));
            sampling.set(false);
            sampler.join(10_000);

            // Both clients followed the session: their events went on in order across the move, and a message
            // sent now reaches both.
            publisher.sendMessage(List.of(), "after-move").get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
            report.put("historySamples", history.entries().stream()
                    .filter(e -> e instanceof HistoryEntry.MediaSample).count());
            report.put("historyEntries", history.size());
            // One forwarder per sampling round, none after the old copy said fenced; events and messages as above.
            HistoryAssertions.assertNoViolations(history, new HistoryChecker(METER_AGE));
            double heldBack = metric(scrape(cutOff), "tessera_media_fencing_packets_held_back_total");
            report.put("packetsHeldBackByTheOldCopy", heldBack);
            assertTrue(heldBack > 0, "the publisher's packets that still reached the old copy were held back");
            assertEquals(1.0, metric(scrape(cutOff), "tessera_media_fenced"), "still fenced while cut off");
            assertEquals(0.0, MasterMetrics.sum(cluster, MasterMetrics.CRASHES_SEEN),
                    "a node cut off is not a crashed process: no connection ended, no port refused");
            // The proxies cut the cluster's links, not the sentinel's port: its process answered, so the failover
            // held off for the slow-node grace before moving the session (it moved, above).
            double heldOff = MasterMetrics.sum(cluster, MasterMetrics.SLOW_HELD_OFF);
            report.put("slowNodeHeldOff", heldOff);
            assertTrue(heldOff > 0, "the cut-off node's process answered its sentinel and was held off first");

            // The cut heals: the old node learns it was downed and exits; restarted, the cluster is whole.
            long healedAt = System.nanoTime();
            cluster.heal();
            cluster.awaitExit(cutOff, Duration.ofSeconds(60));
            report.put("healToOldNodeExitedMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt));
            cluster.relaunch(cutOff);
            await("both media nodes running").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> rest.clusterView().mediaNodes().stream().filter(n -> n.isRunning()).count() == 2);
            long receivedAfterHeal = sink.stats().received();
            await("media still flows").atMost(Duration.ofSeconds(10))
                    .until(() -> sink.stats().received() >= receivedAfterHeal + 100);
            assertEquals(other.id(), rest.session(sessionId).map(Session::mediaNodeId).orElse(null),
                    "the session stays where it was placed");
        } finally {
            sampling.set(false);
        }
        cluster.assertAllAlive();
    }
}
