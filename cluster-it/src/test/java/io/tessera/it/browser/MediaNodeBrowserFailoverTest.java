package io.tessera.it.browser;

import io.tessera.loadtest.browser.Browsers;
import io.tessera.loadtest.browser.Browser;
import io.tessera.loadtest.browser.PageServer;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.SessionProperties;
import io.tessera.it.ClusterProcesses;
import io.tessera.it.JanusEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unmodified openvidu-browser 2.32.2 in real headless Chromium through the death and the drain of the media node
 * hosting its sessions: two sessions of two browsers each, on one media node of two (each running its own Janus).
 * Publishers rebuild their stream on the sessions' new node when their ICE breaks ({@code reconnectStream}, same
 * stream id); the new node offers each subscriber its side again as soon as the stream is up there
 * ({@code forciblyReconnectSubscriber}). Every subscriber must decode video again; the time from the fault to its
 * first new decoded frame is logged for docs/BENCHMARKS.md ({@code -Dtessera.benchmark.rounds=N} repeats the kill).
 * Bounds are generous on purpose: timings are measured, not asserted. {@link MediaNodeBrowserFailoverAddonTest} runs the
 * same faults with the optional tessera-browser add-on loaded in every page.
 */
@Tag("browser")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MediaNodeBrowserFailoverTest {
    private static final Logger log = LoggerFactory.getLogger(MediaNodeBrowserFailoverTest.class);
    private static final String JANUS_ADDRESS = JanusEnvironment.JANUS_ADDRESS;
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration MEDIA = Duration.ofSeconds(60);
    /** Far above the browser's own timers (ICE disconnected, then 4 s) and the cluster's failure detection. */
    private static final Duration RECOVERY = Duration.ofSeconds(60);

    private static ClusterProcesses cluster;
    private static PageServer pages;
    private static String frameGapsScript;
    private Browsers browsers;
    private final Set<String> expectedDead = new HashSet<>();

    /** Whether every page loads the tessera-browser add-on ({@code ?addon=on}); the variant class says yes. */
    protected boolean withAddon() {
        return false;
    }

    /**
     * After the recovery, in every page: what the variant expects of the add-on (nothing here). {@code reason} is
     * the relocation's ({@code mediaNodeFailed}), {@code faultAt} the fault's time (ms since the epoch).
     */
    protected void checkPages(List<Peer> peers, String reason, long faultAt) {
    }

    private String label() {
        return withAddon() ? "with the add-on" : "unmodified";
    }

    @BeforeAll
    static void startCluster() throws Exception {
        Map<String, Map<String, String>> janusPorts = Map.of(
                "media-1", Map.of("TESSERA_JANUS_WS_PORT", Integer.toString(JanusEnvironment.freeLoopbackPort()),
                        "TESSERA_WEBRTC_PORT_MIN", "20200", "TESSERA_WEBRTC_PORT_MAX", "20299"),
                "media-2", Map.of("TESSERA_JANUS_WS_PORT", Integer.toString(JanusEnvironment.freeLoopbackPort()),
                        "TESSERA_WEBRTC_PORT_MIN", "20300", "TESSERA_WEBRTC_PORT_MAX", "20399"));
        cluster = ClusterProcesses.startWithNodeEnv("MediaNodeBrowserFailoverTest", 2, 2, Map.of(
                "TESSERA_WEBRTC_ENGINE", "janus",
                "TESSERA_JANUS_ICE_ENFORCE_LIST", JANUS_ADDRESS,
                "TESSERA_ICE_ALLOW", "127.0.0.0/8"), node -> janusPorts.getOrDefault(node.id(), Map.of()));
        cluster.awaitReady(STARTUP);
        pages = new PageServer();
        try (InputStream in = MediaNodeBrowserFailoverTest.class.getResourceAsStream("/browser/frame-gaps.js")) {
            frameGapsScript = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @AfterEach
    void closeBrowsers() {
        if (browsers != null) {
            browsers.close(); // asserts that no chromedriver or Chromium process is left
        }
        cluster.assertAllAlive(expectedDead);
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

    /** Drain: the sessions move at the deadline; the gap each subscriber sees is measured. */
    @Test
    @Order(1)
    void drainingTheMediaNodeMovesBrowserSessionsAndVideoResumesAtEverySubscriber() throws Exception {
        List<Long> all = new ArrayList<>();
        List<Long> allStalls = new ArrayList<>();
        for (int round = 0; round < rounds(); round++) {
            ClusterProcesses.Node drained = cluster.mediaNodes().get(round % 2);
            ClusterProcesses.Node other = cluster.mediaNodes().get((round + 1) % 2);
            MasterRestClient rest = cluster.rest(cluster.masters().get(0));
            List<Peer> peers = twoSessionsOn(drained, "drain" + round);

            long patched = System.currentTimeMillis();
            log.info("draining {} (deadline now) at {}", drained.id(), java.time.Instant.ofEpochMilli(patched));
            assertEquals(200, rest.sendJson("PATCH", "/openvidu/api/media-nodes/" + drained.id(),
                    Map.of("status", "draining", "deadline", 0)).status());
            List<Long> recoveries = awaitVideoBackEverywhere(peers, patched);
            List<Long> stalls = stalls(peers, patched);
            for (Peer peer : peers) {
                assertEquals(other.id(), rest.session(peer.sessionId).orElseThrow().mediaNodeId(),
                        "the session moved to the other node");
            }
            log.info("BENCHMARK drain ({}) round {}: PATCH to first new frame per subscriber (ms) {}; stall per "
                    + "subscriber (ms) {}", label(), round, recoveries, stalls);
            all.addAll(recoveries);
            allStalls.addAll(stalls);
            assertStillInSession(peers);
            checkPages(peers, "drain", patched);
            browsers.close();
            browsers = null;
            assertTrue(rest.resumeMediaNode(drained.id()).isRunning());
            await("the node runs again").atMost(Duration.ofSeconds(10))
                    .until(() -> rest.mediaNode(drained.id()).map(n -> n.isRunning()).orElse(false));
        }
        log.info("BENCHMARK drain ({}): PATCH to first new frame {}; stall {}", label(), percentiles(all),
                percentiles(allStalls));
    }

    /** Kill -9 of the media node and its Janus (the host dies): every subscriber decodes video again. */
    @Test
    @Order(2)
    void killingTheMediaNodeMovesBrowserSessionsAndVideoResumesAtEverySubscriber() throws Exception {
        List<Long> all = new ArrayList<>();
        for (int round = 0; round < rounds(); round++) {
            ClusterProcesses.Node victim = cluster.mediaNodes().get(round % 2);
            ClusterProcesses.Node survivor = cluster.mediaNodes().get((round + 1) % 2);
            List<Peer> peers = twoSessionsOn(victim, "kill" + round);
            List<ProcessHandle> janus = ProcessHandle.of(cluster.pid(victim)).orElseThrow().descendants()
                    .filter(h -> h.info().command().map(c -> c.endsWith("/janus")).orElse(false)).toList();
            assertEquals(1, janus.size(), victim.id() + " supervises one Janus");

            long killed = System.currentTimeMillis();
            log.info("killing {} and its Janus at {}", victim.id(), java.time.Instant.ofEpochMilli(killed));
            expectedDead.add(victim.id());
            cluster.kill(victim);
            janus.forEach(ProcessHandle::destroyForcibly); // its host died with it
            List<Long> recoveries = awaitVideoBackEverywhere(peers, killed);
            MasterRestClient rest = cluster.rest(cluster.masters().get(0));
            for (Peer peer : peers) {
                assertEquals(survivor.id(), rest.session(peer.sessionId).orElseThrow().mediaNodeId());
            }
            log.info("BENCHMARK kill ({}) round {}: kill to first new frame per subscriber (ms) {}", label(), round,
                    recoveries);
            all.addAll(recoveries);
            assertStillInSession(peers);
            checkPages(peers, "nodeCrashed", killed);

            browsers.close();
            browsers = null;
            cluster.relaunch(victim);
            expectedDead.remove(victim.id());
            cluster.awaitReady(STARTUP);
        }
        log.info("BENCHMARK kill ({}): kill to first new frame {}", label(), percentiles(all));
    }

    /**
     * The node's JVM alone killed (the OOM killer; {@code kill -9} of its pid): its Janus keeps running with the
     * node's ports, and the node started again finds it by the pid file in its work directory and stops it, so it
     * runs one Janus and hosts sessions again. (The add-on variant has nothing to add here.)
     */
    @Test
    @Order(3)
    void aJanusLeftRunningByAKilledNodeIsStoppedWhenTheNodeStartsAgain() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(withAddon(), "the same in both variants");
        ClusterProcesses.Node victim = cluster.mediaNodes().get(0);
        ProcessHandle orphan = janusOf(victim);
        expectedDead.add(victim.id());
        cluster.kill(victim);
        assertTrue(orphan.isAlive(), "killing the JVM alone leaves its Janus running");

        cluster.relaunch(victim);
        expectedDead.remove(victim.id());
        cluster.awaitReady(STARTUP);
        await("the leftover Janus is stopped").atMost(Duration.ofSeconds(30)).until(() -> !orphan.isAlive());
        ProcessHandle fresh = janusOf(victim);
        assertTrue(fresh.pid() != orphan.pid(), "the node runs a Janus of its own");
        MasterRestClient rest = cluster.rest(cluster.masters().get(0));
        await("the node hosts sessions again").atMost(Duration.ofSeconds(30)).until(() -> rest.mediaNode(victim.id())
                .map(n -> n.isRunning()).orElse(false));
        String sessionId = "leftover-janus";
        assertEquals(200, rest.sendJson("POST", "/openvidu/api/sessions", Map.of("customSessionId", sessionId,
                "mediaNode", Map.of("id", victim.id()))).status());
        assertEquals(victim.id(), rest.session(sessionId).orElseThrow().mediaNodeId());
        rest.deleteSession(sessionId);
    }

    /** The one Janus a media node supervises (a child of its JVM). */
    private static ProcessHandle janusOf(ClusterProcesses.Node node) {
        List<ProcessHandle> janus = ProcessHandle.of(cluster.pid(node)).orElseThrow().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/janus")).orElse(false)).toList();
        assertEquals(1, janus.size(), node.id() + " supervises one Janus: " + janus);
        return janus.get(0);
    }

    /** {@code -Dtessera.benchmark.rounds=N}: each fault N times (1 by default), for docs/BENCHMARKS.md. */
    private static int rounds() {
        return Math.max(1, Integer.getInteger("tessera.benchmark.rounds", 1));
    }

    private static String percentiles(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return "n " + sorted.size() + " p50 " + sorted.get((sorted.size() - 1) / 2) + " p99 "
                + sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1) + " max " + sorted.get(sorted.size() - 1)
                + " (ms); all " + values;
    }

    protected record Peer(Browser browser, String sessionId, String connectionId) {
    }

    /** Two sessions placed on {@code node}, two browsers each (through alternating masters), all media flowing. */
    private List<Peer> twoSessionsOn(ClusterProcesses.Node node, String tag) throws Exception {
        browsers = new Browsers(4);
        MasterRestClient rest = cluster.rest(cluster.masters().get(0));
        List<Peer> peers = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            String sessionId = "mnb-" + tag + "-" + s + "-" + System.nanoTime();
            rest.createSession(SessionProperties.withId(sessionId).mediaNodeId(node.id()));
            for (int i = 0; i < 2; i++) {
                peers.add(join(sessionId, 2 * s + i));
            }
        }
        for (Peer receiver : peers) {
            for (Peer sender : peers) {
                if (sender != receiver && sender.sessionId.equals(receiver.sessionId)) {
                    String pc = "page.subscriberPc('" + sender.connectionId + "')";
                    await(receiver.connectionId + " decodes " + sender.connectionId).atMost(MEDIA)
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> receiver.browser.stats(pc).videoFramesDecoded() > 10);
                }
            }
            receiver.browser.run(frameGapsScript + "\nframeGaps.start();");
        }
        return peers;
    }

    private Peer join(String sessionId, int i) throws Exception {
        ClusterProcesses.Node master = cluster.masters().get(i % 2);
        Browser browser = browsers.open("browser-" + i);
        Connection connection = cluster.rest(cluster.masters().get(0)).createConnection(sessionId,
                ConnectionProperties.publisher("browser-" + i));
        await(connection.connectionId() + " visible").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.rest(master).connection(sessionId, connection.connectionId()).isPresent());
        browser.open(URI.create(pages.uri("media-failover-test.html") + "?master="
                + URLEncoder.encode(master.httpBase().toString(), StandardCharsets.UTF_8)
                + (withAddon() ? "&addon=on" : "")));
        String token = connection.token();
        String joined = browser.call("page.join", "ws://" + master.host() + ":" + master.httpPort()
                + token.substring(token.indexOf('?'))).asText();
        assertEquals(connection.connectionId(), joined);
        return new Peer(browser, sessionId, joined);
    }

    /**
     * Waits until every subscriber decoded a frame again after {@code since} and keeps decoding; returns, per
     * subscriber, the milliseconds from {@code since} to its first new frame.
     */
    private static List<Long> awaitVideoBackEverywhere(List<Peer> peers, long since) {
        List<Long> recoveries = new ArrayList<>();
        for (Peer receiver : peers) {
            for (Peer sender : peers) {
                if (sender == receiver || !sender.sessionId.equals(receiver.sessionId)) {
                    continue;
                }
                long[] back = new long[1];
                await(receiver.connectionId + " decodes " + sender.connectionId + " again").atMost(RECOVERY)
                        .pollInterval(Duration.ofMillis(500)).until(() -> {
                            JsonNode gap = switchAfter(receiver, sender, since);
                            if (gap == null) {
                                return false;
                            }
                            back[0] = gap.path("to").asLong();
                            return true;
                        });
                String pc = "page.subscriberPc('" + sender.connectionId + "')";
                long at = receiver.browser.stats(pc).videoFramesDecoded();
                await("video keeps flowing to " + receiver.connectionId).atMost(MEDIA)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> receiver.browser.stats(pc).videoFramesDecoded() > at + 10);
                recoveries.add(back[0] - since);
            }
        }
        return recoveries;
    }

    /**
     * Per subscriber, the stall of its switch after {@code since}: from the last frame on the old connection to the
     * first on the new one.
     */
    private static List<Long> stalls(List<Peer> peers, long since) {
        List<Long> stalls = new ArrayList<>();
        for (Peer receiver : peers) {
            for (Peer sender : peers) {
                if (sender != receiver && sender.sessionId.equals(receiver.sessionId)) {
                    JsonNode gap = switchAfter(receiver, sender, since);
                    stalls.add(gap.path("to").asLong() - gap.path("from").asLong());
                }
            }
        }
        return stalls;
    }

    /**
     * The first switch of {@code sender}'s video at {@code receiver} to a new PeerConnection that ended after
     * {@code since} (from the last frame on the old connection to the first on the new one), or null: every fault here
     * ends in the subscriber's rebuild, and a rebuild made before the old copy stopped (a drain, make before break)
     * may show no stall at all.
     */
    private static JsonNode switchAfter(Peer receiver, Peer sender, long since) {
        for (JsonNode gap : receiver.browser.call("frameGaps.report").path("switches").path(sender.connectionId)) {
            if (gap.path("to").asLong() > since) {
                return gap;
            }
        }
        return null;
    }

    /**
     * Nobody left the session (no connectionDestroyed, no sessionDisconnected) and nothing failed in the pages but the ICE exceptions that
     * start openvidu-browser's own recovery.
     */
    private static void assertStillInSession(List<Peer> peers) {
        for (Peer peer : peers) {
            JsonNode report = peer.browser.call("page.report");
            for (JsonNode event : report.path("events")) {
                assertTrue(!event.path("type").asText().equals("connectionDestroyed"),
                        peer.connectionId + " saw someone leave: " + report.path("events"));
                assertTrue(!event.path("type").asText().equals("sessionDisconnected"),
                        peer.connectionId + " lost its session: " + report.path("events"));
            }
            List<String> errors = new ArrayList<>();
            report.path("errors").forEach(e -> {
                if (!e.asText().startsWith("exception ICE_CONNECTION_")) {
                    errors.add(e.asText());
                }
            });
            assertEquals(List.of(), errors, peer.connectionId + "'s page");
        }
    }
}
