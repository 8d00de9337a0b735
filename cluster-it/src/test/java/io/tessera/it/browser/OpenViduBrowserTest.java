package io.tessera.it.browser;

import io.tessera.loadtest.browser.Browsers;
import io.tessera.loadtest.browser.Browser;
import io.tessera.loadtest.browser.RtcStats;
import io.tessera.loadtest.browser.PageServer;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.it.ClusterProcesses;
import io.tessera.it.JanusEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The unmodified openvidu-browser 2.32.2 (served by the masters at /demo/js/) in real headless Chromium, against a
 * real cluster of two masters and one media node running Janus: browsers join through different masters, publish
 * their fake camera and microphone, subscribe to each other (server offer, as joinRoom's mediaServer "mediasoup"
 * makes openvidu-browser do), and media flows over loopback only.
 *
 * <p>Runs in the browser execution's network namespace (tag {@code browser}): Janus gathers on 127.0.0.2 there.
 */
@Tag("browser")
class OpenViduBrowserTest {
    private static final Logger log = LoggerFactory.getLogger(OpenViduBrowserTest.class);
    private static final String JANUS_ADDRESS = JanusEnvironment.JANUS_ADDRESS;
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration MEDIA = Duration.ofSeconds(45);

    private static ClusterProcesses cluster;
    private static PageServer pages;
    private Browsers browsers;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterProcesses.start("OpenViduBrowserTest", 2, 1, JanusEnvironment.of(20100, 20199, Map.of()));
        cluster.awaitReady(STARTUP);
        pages = new PageServer();
    }

    @AfterEach
    void closeBrowsers() {
        if (browsers != null) {
            browsers.close(); // asserts that no chromedriver or Chromium process is left
        }
        cluster.assertAllAlive();
    }

    @AfterAll
    static void stopCluster() {
        if (pages != null) {
            pages.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void twoBrowsersOnDifferentMastersSeeAndHearEachOtherThroughJanus() throws Exception {
        browsers = new Browsers(2);
        String sessionId = "ovb-two-" + System.nanoTime();
        cluster.rest(cluster.masters().get(0)).createSession(sessionId);
        long refusedBefore = counter("tessera_media_webrtc_candidates_refused_total");
        List<Peer> peers = List.of(join(sessionId, 0), join(sessionId, 1));
        Peer alice = peers.get(0);
        Peer bob = peers.get(1);
        everyoneReceivesEveryone(peers);
        awaitMetrics(m -> m.publishers == 2 && m.subscribers == 2, "two publishers, two subscriptions");
        assertTrue(counter("tessera_media_webrtc_candidates_refused_total") > refusedBefore, "the browsers offered "
                + "candidates on the namespace's other addresses (198.51.100.2, fd00:99::2); the allow-list dropped them");

        bob.browser.call("page.unpublish");
        awaitEvent(alice, "streamDestroyed", bob.connectionId);
        awaitMetrics(m -> m.publishers == 1 && m.subscribers == 1, "bob's stream and alice's subscription to it gone");

        bob.browser.call("page.leave");
        awaitEvent(alice, "connectionDestroyed", bob.connectionId);
        awaitMetrics(m -> m.publishers == 1 && m.subscribers == 0, "bob's subscription gone with him");

        alice.browser.call("page.leave");
        awaitMetrics(m -> m.publishers == 0 && m.subscribers == 0 && m.rooms == 0 && m.handles == 1,
                "the session's room and every endpoint handle released (the room manager's handle stays)");
        assertNoPageErrors(peers);
    }

    @Test
    void fourBrowsersOnTwoMastersEachReceiveTheOtherThree() throws Exception {
        browsers = new Browsers(4);
        String sessionId = "ovb-four-" + System.nanoTime();
        cluster.rest(cluster.masters().get(0)).createSession(sessionId);
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            peers.add(join(sessionId, i));
        }
        everyoneReceivesEveryone(peers);
        awaitMetrics(m -> m.publishers == 4 && m.subscribers == 12, "four publishers, twelve subscriptions");
        for (Peer peer : peers) {
            peer.browser.call("page.leave");
        }
        for (Peer peer : peers.subList(0, 3)) {
            awaitEvent(peers.get(3), "connectionDestroyed", peer.connectionId);
        }
        awaitMetrics(m -> m.publishers == 0 && m.subscribers == 0 && m.rooms == 0 && m.handles == 1,
                "every handle released");
        assertNoPageErrors(peers);
    }

    /**
     * {@code Publisher.publishAudio/publishVideo} in one page: openvidu-browser sends {@code streamPropertyChanged},
     * and the other page's openvidu-browser fires its {@code streamPropertyChanged} with the property, the value (a
     * boolean again, after its own parsing of the relayed text) and the reason, and updates the remote stream; REST
     * shows the new values.
     */
    @Test
    void togglingAudioAndVideoInOnePageFiresStreamPropertyChangedInTheOther() throws Exception {
        browsers = new Browsers(2);
        String sessionId = "ovb-props-" + System.nanoTime();
        cluster.rest(cluster.masters().get(0)).createSession(sessionId);
        Peer alice = join(sessionId, 0);
        Peer bob = join(sessionId, 1);
        awaitEvent(bob, "streamPlaying", alice.connectionId);

        alice.browser.call("page.publishAudio", false);
        awaitPropertyChange(bob, alice.connectionId, "audioActive", false, "publishAudio");
        alice.browser.call("page.publishVideo", false);
        awaitPropertyChange(bob, alice.connectionId, "videoActive", false, "publishVideo");
        alice.browser.call("page.publishVideo", true);
        awaitPropertyChange(bob, alice.connectionId, "videoActive", true, "publishVideo");
        JsonNode remote = bob.browser.call("page.remoteStream", alice.connectionId);
        assertEquals(false, remote.path("audioActive").asBoolean(true), "bob's view of alice's stream: " + remote);
        assertEquals(true, remote.path("videoActive").asBoolean(false), "bob's view of alice's stream: " + remote);

        for (ClusterProcesses.Node master : cluster.masters()) {
            JsonNode options = await("alice's mediaOptions through " + master.id()).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200)).until(() -> mediaOptions(master, sessionId,
                            alice.connectionId), o -> o != null && !o.path("audioActive").asBoolean(true));
            assertTrue(options.path("videoActive").asBoolean(false), options.toString());
        }
        alice.browser.call("page.leave");
        bob.browser.call("page.leave");
        assertNoPageErrors(List.of(alice, bob));
    }

    /**
     * Time from {@code session.connect} to the first decoded video frame of a stream already published, over
     * {@code -Dtessera.benchmark.joins=N} joins (0, the default, skips it); for docs/BENCHMARKS.md.
     */
    @Test
    void joinToFirstDecodedFrame() throws Exception {
        int joins = Integer.getInteger("tessera.benchmark.joins", 0);
        assumeTrue(joins > 0, "a measurement: run with -Dtessera.benchmark.joins=20");
        browsers = new Browsers(2);
        String sessionId = "ovb-timing-" + System.nanoTime();
        cluster.rest(cluster.masters().get(0)).createSession(sessionId);
        Peer publisher = join(sessionId, 0);
        List<Long> millis = new ArrayList<>();
        Browser joiner = null;
        for (int i = 0; i < joins; i++) {
            Peer peer = i == 0 ? join(sessionId, 1) : rejoin(joiner, sessionId, 1);
            joiner = peer.browser;
            Browser watching = joiner;
            await("first frame").atMost(MEDIA).pollInterval(Duration.ofMillis(100)).until(() ->
                    watching.call("page.report").path("firstFrame").has(publisher.connectionId));
            millis.add(joiner.call("page.report").path("firstFrame").path(publisher.connectionId).asLong());
            joiner.call("page.leave");
        }
        List<Long> sorted = millis.stream().sorted().toList();
        log.info("join to first decoded frame over {} joins (ms): p50 {} p99 {} max {}; all {}", joins,
                sorted.get((sorted.size() - 1) / 2), sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1),
                sorted.get(sorted.size() - 1), millis);
        publisher.browser.call("page.leave");
    }

    private record Peer(Browser browser, String connectionId) {
    }

    /** A new browser joins through master {@code i % 2} (alternating), publishes and subscribes to everyone. */
    private Peer join(String sessionId, int i) throws Exception {
        return rejoin(browsers.open("browser-" + i), sessionId, i);
    }

    /** The browser loads the page afresh and joins with a new token. */
    private Peer rejoin(Browser browser, String sessionId, int i) throws Exception {
        ClusterProcesses.Node master = cluster.masters().get(i % 2);
        MasterRestClient rest = cluster.rest(cluster.masters().get(0));
        Connection connection = rest.createConnection(sessionId, ConnectionProperties.publisher("browser-" + i));
        awaitVisible(cluster.rest(master), sessionId, connection.connectionId());
        browser.open(URI.create(pages.uri("openvidu-test.html") + "?master="
                + URLEncoder.encode(master.httpBase().toString(), StandardCharsets.UTF_8)));
        String joined = browser.call("page.join", throughMaster(connection.token(), master)).asText();
        assertEquals(connection.connectionId(), joined, "openvidu-browser's connection id is the REST one");
        return new Peer(browser, joined);
    }

    /**
     * Every browser decodes video and receives audio, still rising, from every other one, over 127.0.0.x pairs to
     * Janus's address, and openvidu-browser fired streamCreated and streamPlaying for each.
     */
    private static void everyoneReceivesEveryone(List<Peer> peers) throws Exception {
        for (Peer receiver : peers) {
            RtcStats sent = receiver.browser.stats("page.publisherPc()");
            assertTrue(sent.selectedPairOnLoopback(), "publisher pair: " + sent);
            assertEquals(JANUS_ADDRESS, sent.remoteAddress(), "media goes to Janus's address");
            for (Peer sender : peers) {
                if (sender == receiver) {
                    continue;
                }
                String pc = "page.subscriberPc('" + sender.connectionId + "')";
                RtcStats first = awaitStats(receiver.browser, pc, receiver.connectionId + " receives "
                        + sender.connectionId, stats -> stats.videoFramesDecoded() > 0
                        && stats.audioPacketsReceived() > 0);
                RtcStats later = awaitStats(receiver.browser, pc, "media keeps flowing to " + receiver.connectionId,
                        stats -> stats.videoFramesDecoded() > first.videoFramesDecoded() + 10
                                && stats.audioPacketsReceived() > first.audioPacketsReceived() + 20);
                assertTrue(later.selectedPairOnLoopback(), "subscriber pair: " + later);
                assertEquals(JANUS_ADDRESS, later.remoteAddress(), "media comes from Janus's address");
                awaitEvent(receiver, "streamCreated", sender.connectionId);
                awaitEvent(receiver, "streamPlaying", sender.connectionId);
                log.info("{} decoded {} frames and got {} audio packets of {}; pair {} -> {}",
                        receiver.connectionId, later.videoFramesDecoded(), later.audioPacketsReceived(),
                        sender.connectionId, later.localAddress(), later.remoteAddress());
            }
            log.info("{}: join to first decoded frame (ms) {}", receiver.connectionId,
                    receiver.browser.call("page.report").path("firstFrame"));
        }
    }

    /**
     * Nothing went wrong on either side: no exception in the pages, and no JSON-RPC error answered by a master (so
     * nothing openvidu-browser sent during join, publish, subscribe, unpublish or leave got -32601 or a refusal).
     */
    private static void assertNoPageErrors(List<Peer> peers) throws Exception {
        for (Peer peer : peers) {
            JsonNode report = peer.browser.call("page.report");
            assertEquals(0, report.path("errors").size(), peer.connectionId + "'s page: " + report.path("errors"));
            if (!report.path("slow").isEmpty()) {
                log.info("{}: openvidu-browser found a video slow to start: {}", peer.connectionId,
                        report.path("slow"));
            }
        }
        for (ClusterProcesses.Node master : cluster.masters()) {
            String text = cluster.rest(master).withoutCredentials().send("GET", "/metrics").text();
            List<String> errors = text.lines().filter(line -> line.startsWith("tessera_master_jsonrpc_errors_total"))
                    .filter(line -> !line.endsWith(" 0.0")).toList();
            assertEquals(List.of(), errors, master.id() + " answered JSON-RPC errors");
        }
    }

    /** A token names the master that issued it; any master serves it, so the test picks the one to join through. */
    private static String throughMaster(String token, ClusterProcesses.Node master) {
        String query = token.substring(token.indexOf('?'));
        return "ws://" + master.host() + ":" + master.httpPort() + query;
    }

    private static void awaitVisible(MasterRestClient master, String sessionId, String connectionId) {
        await(connectionId + " visible").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> master.connection(sessionId, connectionId).isPresent());
    }

    private static void awaitEvent(Peer peer, String type, String connectionId) {
        await(peer.connectionId + " sees " + type + " of " + connectionId).atMost(MEDIA)
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    for (JsonNode event : peer.browser.call("page.report").path("events")) {
                        if (type.equals(event.path("type").asText())
                                && connectionId.equals(event.path("connectionId").asText())) {
                            return true;
                        }
                    }
                    return false;
                });
    }

    /** The other page's openvidu-browser fired streamPropertyChanged for this change of the connection's stream. */
    private static void awaitPropertyChange(Peer peer, String connectionId, String property, boolean newValue,
                                            String reason) {
        await(peer.connectionId + " sees " + property + " " + newValue + " of " + connectionId).atMost(MEDIA)
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    for (JsonNode event : peer.browser.call("page.report").path("events")) {
                        if ("streamPropertyChanged".equals(event.path("type").asText())
                                && connectionId.equals(event.path("connectionId").asText())
                                && property.equals(event.path("property").asText())
                                && event.path("newValue").isBoolean()
                                && event.path("newValue").asBoolean() == newValue
                                && reason.equals(event.path("reason").asText())) {
                            return true;
                        }
                    }
                    return false;
                });
    }

    /** The {@code mediaOptions} of the connection's publisher in REST through {@code master}, or null. */
    private static JsonNode mediaOptions(ClusterProcesses.Node master, String sessionId, String connectionId)
            throws Exception {
        JsonNode session = cluster.rest(master).send("GET", "/openvidu/api/sessions/" + sessionId).json();
        for (JsonNode c : session.path("connections").path("content")) {
            if (connectionId.equals(c.path("connectionId").asText()) && c.path("publishers").size() > 0) {
                return c.path("publishers").get(0).path("mediaOptions");
            }
        }
        return null;
    }

    private static RtcStats awaitStats(Browser browser, String pc, String what, Predicate<RtcStats> condition) {
        RtcStats[] last = new RtcStats[1];
        await(what).atMost(MEDIA).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = browser.stats(pc);
            return condition.test(last[0]);
        });
        return last[0];
    }

    /** The media node's WebRTC gauges. */
    private record WebRtcMetrics(int publishers, int subscribers, int handles, int rooms) {
    }

    private static void awaitMetrics(Predicate<WebRtcMetrics> condition, String what) {
        WebRtcMetrics[] last = new WebRtcMetrics[1];
        await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    last[0] = metrics();
                    return condition.test(last[0]);
                });
        log.info("{}: {}", what, last[0]);
    }

    private static WebRtcMetrics metrics() throws Exception {
        ClusterProcesses.Node media = cluster.mediaNodes().get(0);
        String text = cluster.rest(media).withoutCredentials().send("GET", "/metrics").text();
        return new WebRtcMetrics(gauge(text, "tessera_media_webrtc_publishers"),
                gauge(text, "tessera_media_webrtc_subscribers"), gauge(text, "tessera_media_webrtc_handles"),
                gauge(text, "tessera_media_webrtc_rooms"));
    }

    private static long counter(String name) throws Exception {
        ClusterProcesses.Node media = cluster.mediaNodes().get(0);
        return gauge(cluster.rest(media).withoutCredentials().send("GET", "/metrics").text(), name);
    }

    private static int gauge(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError(name + " is not in the media node's /metrics");
        }
        return (int) Double.parseDouble(m.group(2));
    }
}
