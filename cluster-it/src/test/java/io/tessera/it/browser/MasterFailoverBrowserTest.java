package io.tessera.it.browser;

import io.tessera.loadtest.browser.Browsers;
import io.tessera.loadtest.browser.Browser;
import io.tessera.loadtest.browser.PageServer;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.it.ClusterProcesses;
import io.tessera.it.JanusEnvironment;
import io.tessera.it.HaproxyProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A master dies under the unmodified openvidu-browser 2.32.2: four headless Chromium pages in two sessions, their
 * sockets spread over three masters by HAProxy (tokens name the balancer, as on AWS the NLB), one media node with
 * Janus. The master holding most sockets is killed (SIGKILL), or frozen (SIGSTOP): every browser whose socket it held
 * reconnects through the balancer and resumes with {@code connect {sessionId: <rpcSessionId>, reconnect: true}} on
 * another master (openvidu-browser's {@code reconnected} event, no {@code sessionDisconnected}), nobody sees a
 * {@code connectionDestroyed} or a second {@code participantJoined}, a signal sent while the sockets were down
 * arrives exactly once, and video keeps being decoded at every subscriber (media never touches a master). The
 * signalling recovery time and the longest frame stall per subscriber are logged for docs/BENCHMARKS.md.
 */
@Tag("browser")
class MasterFailoverBrowserTest {
    private static final Logger log = LoggerFactory.getLogger(MasterFailoverBrowserTest.class);
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final Duration MEDIA = Duration.ofSeconds(45);
    /** openvidu-browser retries every 3 s; a frozen master is only noticed by its ping (5 s + 5 s) or HAProxy. */
    private static final Duration RECOVERY = Duration.ofSeconds(30);

    private static PageServer pages;
    private ClusterProcesses cluster;
    private HaproxyProcess balancer;
    private Browsers browsers;
    private final Set<String> expectedDead = new java.util.HashSet<>();
    /** Whether every page loads the tessera-browser add-on ({@code &addon=on}). */
    private boolean addon;

    @BeforeAll
    static void startPages() throws Exception {
        pages = new PageServer();
    }

    @AfterAll
    static void stopPages() {
        if (pages != null) {
            pages.close();
        }
    }

    @AfterEach
    void stopEverything() {
        try {
            if (browsers != null) {
                browsers.close();
            }
        } finally {
            try {
                if (balancer != null) {
                    balancer.close();
                }
            } finally {
                if (cluster != null) {
                    cluster.assertAllAlive(expectedDead);
                    cluster.close();
                }
            }
        }
    }

    @Test
    void killingTheMasterWithMostSocketsLeavesEveryBrowserConnectedAndItsVideoRunning() throws Exception {
        failover("kill", (cluster, master) -> cluster.kill(master));
    }

    @Test
    void freezingTheMasterWithMostSocketsLeavesEveryBrowserConnectedAndItsVideoRunning() throws Exception {
        failover("freeze", (cluster, master) -> cluster.freeze(master));
    }

    /**
     * A master shutting down (SIGTERM: scale-in, upgrade) under pages with the tessera-browser add-on: it tells its
     * clients {@code masterLeaving} before it closes their sockets, and each page it held reconnects on that at once
     * and resumes through the add-on (lastSeq), with the same guarantees as above.
     */
    @Test
    void aMasterLeavingSendsItsBrowsersWithTheAddonOnAtOnce() throws Exception {
        addon = true;
        failover("leave", (cluster, master) -> cluster.terminate(master));
    }

    private interface Fault {
        void inject(ClusterProcesses cluster, ClusterProcesses.Node master) throws Exception;
    }

    private record Peer(Browser browser, String sessionId, String connectionId) {
    }

    private void failover(String fault, Fault inject) throws Exception {
        balancer = HaproxyProcess.reserve("MasterFailoverBrowserTest-" + fault, "127.0.0.10");
        cluster = ClusterProcesses.start("MasterFailoverBrowserTest-" + fault, 3, 1, JanusEnvironment.of(20200, 20299,
                Map.of("TESSERA_PUBLIC_URL", balancer.httpBase().toString())));
        cluster.awaitReady(STARTUP);
        balancer.start(cluster.masters(), Duration.ofSeconds(20));
        browsers = new Browsers(4);

        MasterRestClient rest = cluster.rest(cluster.masters().get(0));
        List<String> sessions = List.of("mf-a-" + System.nanoTime(), "mf-b-" + System.nanoTime());
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String sessionId = sessions.get(i / 2);
            if (i % 2 == 0) {
                rest.createSession(sessionId);
            }
            peers.add(join(rest, sessionId, i));
        }
        for (Peer receiver : peers) {
            for (Peer sender : peers) {
                if (sender != receiver && sender.sessionId.equals(receiver.sessionId)) {
                    awaitFrames(receiver, sender);
                }
            }
        }
        // The stalls media has anyway on this machine, to read the ones measured across a fault against.
        for (Peer peer : peers) {
            peer.browser.call("page.watchFrames");
        }
        Map<String, Long> start = framesNow(peers);
        await("a baseline of 75 frames at every subscriber").atMost(MEDIA).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    Map<String, Long> now = framesNow(peers);
                    return start.keySet().stream().allMatch(k -> now.getOrDefault(k, 0L) > start.get(k) + 75);
                });
        List<Long> baseline = new ArrayList<>();
        for (Peer peer : peers) {
            peer.browser.call("page.frameGaps").fields()
                    .forEachRemaining(e -> baseline.add(e.getValue().path("maxGapMs").asLong()));
        }
        log.info("baseline without a fault: longest frame stall per subscriber (ms) {}", baseline);
        int rounds = Integer.getInteger("tessera.benchmark.rounds", 1);
        List<Long> recoveries = new ArrayList<>();
        List<Long> stalls = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            ClusterProcesses.Node victim = round(fault + "-" + round, peers, sessions, inject, recoveries, stalls);
            if (round < rounds) { // the victim comes back as a new member, as its supervisor would start it
                if ("freeze".equals(fault)) {
                    cluster.thaw(victim);
                }
                if (cluster.isAlive(victim)) {
                    cluster.kill(victim); // thawed before the others downed it: made a new member all the same
                }
                cluster.relaunch(victim);
                cluster.awaitReady(STARTUP);
                expectedDead.remove(victim.id());
            } else if ("freeze".equals(fault)) {
                cluster.thaw(victim); // downed meanwhile: it fences itself and exits, or rejoins
            }
        }
        log.info("master {} over {} rounds: signalling recovered after (ms) {}; longest frame stall per subscriber "
                + "(ms) {}", fault, rounds, recoveries.stream().sorted().toList(), stalls.stream().sorted().toList());
        log.info("haproxy:\n{}", balancer.log());
    }

    /**
     * One fault: the master with most sockets is hit; every browser it held reconnects, nobody is disconnected or
     * sees anyone leave, a signal sent meanwhile arrives once, video goes on. Adds the recovery times and the longest
     * frame stall of each subscription (over the round) to the lists; returns the master hit.
     */
    private ClusterProcesses.Node round(String name, List<Peer> peers, List<String> sessions, Fault inject,
                                       List<Long> recoveries, List<Long> stalls) throws Exception {
        for (Peer peer : peers) {
            peer.browser.call("page.watchFrames");
        }
        Map<String, Integer> sockets = socketsPerMaster();
        ClusterProcesses.Node victim = cluster.masters().stream()
                .max(Comparator.comparingInt(m -> sockets.getOrDefault(m.id(), 0))).orElseThrow();
        int victimSockets = sockets.get(victim.id());
        log.info("{}: sockets per master {}; {} holds {}", name, sockets, victim.id(), victimSockets);
        assertTrue(victimSockets >= 2, "four sockets over three masters: one holds two or more " + sockets);
        ClusterProcesses.Node survivor = cluster.masters().stream().filter(m -> m != victim).findFirst().orElseThrow();
        int reconnectedBefore = reconnectedCount(peers);

        long faultAt = System.currentTimeMillis();
        inject.inject(cluster, victim);
        expectedDead.add(victim.id()); // killed, or frozen and then downed: it may fence itself and exit
        // While the victim's sockets are down: a signal to session a, which its resumed browsers must get once.
        cluster.rest(survivor).signal(sessions.get(0), List.of(), "signal:during", "during-" + name);

        await("every browser that lost its socket reconnected").atMost(RECOVERY).pollInterval(Duration.ofMillis(250))
                .until(() -> reconnectedCount(peers) - reconnectedBefore == victimSockets);
        int recovered = 0;
        for (Peer peer : peers) {
            JsonNode events = peer.browser.call("page.report").path("events");
            List<String> types = new ArrayList<>();
            for (JsonNode event : events) {
                types.add(event.path("type").asText());
                if ("reconnected".equals(event.path("type").asText()) && event.path("at").asLong() >= faultAt) {
                    recoveries.add(event.path("at").asLong() - faultAt);
                    recovered++;
                }
            }
            assertTrue(!types.contains("sessionDisconnected"), peer.connectionId + " was disconnected: " + types);
            assertTrue(!types.contains("connectionDestroyed"), peer.connectionId + " saw someone leave: " + types);
        }
        assertEquals(victimSockets, recovered, "one reconnected per socket the fault took");
        if (addon) {
            assertLeftThroughTheAddon(peers, faultAt, victimSockets);
        }

        // Signalling works on the new masters: the signal sent during the outage arrives once, and a new one too.
        for (Peer peer : peers.subList(0, 2)) {
            awaitSignal(peer, "during-" + name);
        }
        peers.get(0).browser.call("page.signal", "after-" + name);
        peers.get(2).browser.call("page.signal", "after-" + name);
        for (Peer peer : peers) {
            awaitSignal(peer, "after-" + name);
        }
        // Video goes on: every subscriber decodes more frames after the recovery; the longest stall is measured.
        Map<String, Long> before = framesNow(peers);
        assertEquals(4, before.size(), "four subscriptions watched: " + before);
        await("video still decoded at every subscriber").atMost(MEDIA).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    Map<String, Long> now = framesNow(peers);
                    return before.keySet().stream().allMatch(k -> now.getOrDefault(k, 0L) > before.get(k) + 15);
                });
        List<Long> roundStalls = new ArrayList<>();
        for (Peer peer : peers) {
            peer.browser.call("page.frameGaps").fields()
                    .forEachRemaining(e -> roundStalls.add(e.getValue().path("maxGapMs").asLong()));
            assertNoDuplicates(peer);
        }
        stalls.addAll(roundStalls);
        log.info("{} of {}: signalling recovered after (ms) {}; longest frame stall per subscriber (ms) {}", name,
                victim.id(), recoveries.subList(recoveries.size() - recovered, recoveries.size()), roundStalls);
        return victim;
    }

    private Peer join(MasterRestClient rest, String sessionId, int i) throws Exception {
        Browser browser = browsers.open("browser-" + i);
        Connection connection = rest.createConnection(sessionId, ConnectionProperties.publisher("browser-" + i));
        assertTrue(connection.token().startsWith("ws://" + balancer.host() + ":" + balancer.port() + "?"),
                "the token names the balancer: " + connection.token().replaceAll("token=.*", "token=..."));
        await(connection.connectionId() + " visible through the balancer").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> rest.connection(sessionId, connection.connectionId()).isPresent());
        browser.open(URI.create(pages.uri("openvidu-test.html") + "?master="
                + URLEncoder.encode(balancer.httpBase().toString(), StandardCharsets.UTF_8)
                + (addon ? "&addon=on" : "")));
        String joined = browser.call("page.join", connection.token()).asText();
        assertEquals(connection.connectionId(), joined);
        return new Peer(browser, sessionId, joined);
    }

    /**
     * The pages the master held heard {@code masterLeaving} (reason {@code shutdown}) through the add-on, and each
     * of them resumed through it ({@code connect} with {@code lastSeq}); nothing came twice. Where it has its time:
     * from the signal to the page told, and to the page reconnected.
     */
    private static void assertLeftThroughTheAddon(List<Peer> peers, long faultAt, int victimSockets) {
        int told = 0;
        for (Peer peer : peers) {
            long toldAt = -1;
            int resumes = 0;
            long reconnectedAt = -1;
            for (JsonNode event : peer.browser.call("page.report").path("events")) {
                long at = event.path("at").asLong();
                switch (event.path("type").asText()) {
                    case "addon:masterLeaving" -> {
                        assertEquals("shutdown", event.path("detail").path("reason").asText(), event.toString());
                        toldAt = at;
                    }
                    case "addon:resumeSent" -> resumes++;
                    case "addon:duplicateDropped" -> throw new AssertionError(peer.connectionId
                            + " was sent an event twice: " + event);
                    case "reconnected" -> reconnectedAt = at >= faultAt ? at : reconnectedAt;
                    default -> {
                    }
                }
            }
            if (toldAt >= faultAt) {
                told++;
                assertTrue(resumes >= 1, peer.connectionId + " resumed through the add-on");
                log.info("BENCHMARK masterLeaving with the add-on: {} told {} ms after SIGTERM, reconnected {} ms"
                        + " after it", peer.connectionId, toldAt - faultAt, reconnectedAt - faultAt);
            }
        }
        assertEquals(victimSockets, told, "every page the leaving master held was told");
    }

    /** WebSocket connections each master holds now (the cluster view's selfConnections). */
    private Map<String, Integer> socketsPerMaster() throws Exception {
        Map<String, Integer> sockets = new HashMap<>();
        for (ClusterProcesses.Node master : cluster.masters()) {
            JsonNode view = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    cluster.rest(master).send("GET", "/openvidu/api/cluster").text());
            sockets.put(master.id(), view.path("selfConnections").asInt());
        }
        return sockets;
    }

    private static int reconnectedCount(List<Peer> peers) {
        int n = 0;
        for (Peer peer : peers) {
            for (JsonNode event : peer.browser.call("page.report").path("events")) {
                if ("reconnected".equals(event.path("type").asText())) {
                    n++;
                }
            }
        }
        return n;
    }

    private static void awaitFrames(Peer receiver, Peer sender) {
        String pc = "page.subscriberPc('" + sender.connectionId + "')";
        await(receiver.connectionId + " decodes " + sender.connectionId).atMost(MEDIA)
                .pollInterval(Duration.ofMillis(500)).until(() -> receiver.browser.stats(pc).videoFramesDecoded() > 10);
    }

    /** Frames decoded so far per receiver and sender. */
    private static Map<String, Long> framesNow(List<Peer> peers) {
        Map<String, Long> frames = new HashMap<>();
        for (Peer peer : peers) {
            peer.browser.call("page.frameGaps").fields().forEachRemaining(e ->
                    frames.put(peer.connectionId + "<-" + e.getKey(), e.getValue().path("frames").asLong()));
        }
        return frames;
    }

    private static void awaitSignal(Peer peer, String data) {
        await(peer.connectionId + " gets signal " + data).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200)).until(() -> count(peer, "signal:" + data) >= 1);
        assertEquals(1, count(peer, "signal:" + data), peer.connectionId + " got " + data + " more than once");
    }

    private static long count(Peer peer, String type) {
        long n = 0;
        for (JsonNode event : peer.browser.call("page.report").path("events")) {
            if (type.equals(event.path("type").asText())) {
                n++;
            }
        }
        return n;
    }

    /** What reached openvidu-browser over its sockets: no participantJoined or participantPublished twice. */
    private static void assertNoDuplicates(Peer peer) {
        JsonNode tap = peer.browser.call("page.tap");
        Map<String, Integer> seen = new HashMap<>();
        for (JsonNode n : tap.path("notifications")) {
            String method = n.path("method").asText();
            if (method.equals("participantJoined") || method.equals("participantPublished")) {
                seen.merge(method + " " + n.path("about").asText(), 1, Integer::sum);
            }
        }
        seen.forEach((what, times) -> assertEquals(1, times, peer.connectionId + " got " + what + " " + times
                + " times: " + tap.path("notifications")));
        log.info("{}: sockets opened {}, methods sent {}", peer.connectionId, tap.path("opened").size(),
                tap.path("sent"));
    }
}
