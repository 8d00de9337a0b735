package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.client.rest.ClusterView;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.RestResponse;
import io.tessera.it.history.History;
import io.tessera.it.history.HistoryAssertions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 17, scenario 3: links that are not simply up or down. A master whose links flap (cut and healed every 2 s for
 * 30 s) and a one-way cut (the others hear nothing from it while it still hears them). Throughout, the two other
 * masters keep creating sessions and joining participants; afterwards the cluster is whole again with no manual step
 * (no restart, no operator action). Three masters and two media nodes whose Pekko remoting runs through the test's
 * proxies; the tests run in order on one cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UnstableLinkTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final Duration FLAP_PERIOD = Duration.ofSeconds(2);
    private static final Duration FLAPPING_FOR = Duration.ofSeconds(30);
    /** Shorter than the downing rule's stable-after (7 s): a cut the cluster should ride out without downing. */
    private static final Duration ONE_WAY_CUT = Duration.ofSeconds(5);

    private static ClusterProcesses cluster;
    private static ClusterProcesses.Node m1;
    private static ClusterProcesses.Node m2;
    private static ClusterProcesses.Node m3;
    private static final Map<String, Object> report = new LinkedHashMap<>();

    @BeforeAll
    static void startCluster() {
        cluster = ClusterProcesses.startPartitionable("UnstableLinkTest", 3, 2, Map.of());
        cluster.awaitReady(STARTUP);
        m1 = cluster.masters().get(0);
        m2 = cluster.masters().get(1);
        m3 = cluster.masters().get(2);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            MeasuredResults.write("unstable-link", report);
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    @Order(1)
    void aFlappingLinkNeverStopsTheMajorityAndHealsWithoutAManualStep() throws Exception {
        double fencesBefore = selfFences(m3);
        History history = new History();
        try (MajorityLoad load = MajorityLoad.start("flap", history)) {
            load.awaitRounds(2);
            long until = System.nanoTime() + FLAPPING_FOR.toNanos();
            int flaps = 0;
            while (System.nanoTime() < until) {
                cluster.partition(m3);
                Thread.sleep(FLAP_PERIOD.toMillis()); // the fault schedule: cut for 2 s, then healed for 2 s
                cluster.heal();
                Thread.sleep(FLAP_PERIOD.toMillis());
                flaps++;
            }
            report.put("flaps", flaps);
            long healedAt = System.nanoTime();
            awaitWhole(Duration.ofSeconds(60));
            report.put("lastHealToWholeMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt));
            await(m3.id() + " serves again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.probe(m3, "/health/ready").startsWith("200"));
            report.put("lastHealToM3ReadyMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt));
            load.assertNoFailure();
            report.put("majorityRoundsWhileFlapping", load.rounds.get());
        }
        HistoryAssertions.assertNoViolations(history);
        report.put("flapHistoryEntries", history.size());
        report.put("m3SelfFencesWhileFlapping", selfFences(m3) - fencesBefore);
        cluster.assertAllAlive();
    }

    @Test
    @Order(2)
    void aOneWayCutShorterThanStableAfterNeverStopsTheMajorityAndHealsWithoutAManualStep() throws Exception {
        History history = new History();
        try (MajorityLoad load = MajorityLoad.start("oneway", history)) {
            load.awaitRounds(2);
            // m3 hears the others, they do not hear m3.
            for (ClusterProcesses.Node other : cluster.allNodes()) {
                if (!other.equals(m3)) {
                    cluster.cut(m3, other);
                }
            }
            long cutAt = System.nanoTime();
            // The fault schedule: the cut lasts 5 s, shorter than stable-after (7 s) plus detection, so nobody may be
            // downed. Whether master-3 fenced itself within it is recorded, not required: on a one-way cut its own
            // detector gives up on the others late (10.6 s in a CI run), and waiting for that would outlast
            // stable-after and get it downed, which is not what this test is about.
            long fencedAfterMs = -1;
            while (System.nanoTime() - cutAt < ONE_WAY_CUT.toNanos()) {
                if (fencedAfterMs < 0 && cluster.probe(m3, "/health/ready").startsWith("503")) {
                    fencedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
                }
                Thread.sleep(50); // the readiness probe's sampling period during the cut
            }
            report.put("oneWayCutToM3FencedMs", fencedAfterMs);
            cluster.heal();
            long healedAt = System.nanoTime();
            awaitWhole(Duration.ofSeconds(60));
            await(m3.id() + " serves again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.probe(m3, "/health/ready").startsWith("200"));
            report.put("oneWayHealToM3ReadyMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt));
            load.assertNoFailure();
        }
        HistoryAssertions.assertNoViolations(history);
        report.put("oneWayHistoryEntries", history.size());
        cluster.assertAllAlive();
    }

    private static double selfFences(ClusterProcesses.Node master) throws Exception {
        RestResponse r = cluster.rest(master).withoutCredentials().send("GET", "/metrics");
        assertEquals(200, r.status(), r::toString);
        PrometheusText metrics = PrometheusText.parse(r.text());
        return metrics.has("tessera_master_self_fences_total") ? metrics.value("tessera_master_self_fences_total") : 0;
    }

    /** Every master up and reachable, every media node running, as the first master sees it. */
    private static void awaitWhole(Duration bound) {
        Set<String> expected = cluster.masters().stream().map(ClusterProcesses.Node::id).collect(Collectors.toSet());
        await("cluster whole again").atMost(bound).pollInterval(Duration.ofMillis(200)).until(() -> {
            ClusterView view = cluster.rest(m1).clusterView();
            List<String> up = view.masters().stream().filter(m -> "up".equals(m.status()) && m.reachable())
                    .map(ClusterView.Member::id).toList();
            return view.masters().size() == expected.size() && Set.copyOf(up).equals(expected)
                    && view.mediaNodes().stream().filter(ClusterView.MediaMember::isRunning).count()
                    == cluster.mediaNodes().size();
        });
    }

    /**
     * Sessions created and joined through the two majority masters, one round after the other, failures recorded,
     * every step in the history: create, token, join, and a message each participant sends itself and waits for.
     */
    private static final class MajorityLoad implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger rounds = new AtomicInteger();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private final History history;

        private MajorityLoad(String tag, History history) {
            this.history = history;
            thread = new Thread(() -> run(tag), "majority-load-" + tag);
        }

        static MajorityLoad start(String tag, History history) {
            MajorityLoad load = new MajorityLoad(tag, history);
            load.thread.start();
            return load;
        }

        private void run(String tag) {
            int i = 0;
            while (!stop.get()) {
                ClusterProcesses.Node via = i % 2 == 0 ? m1 : m2;
                ClusterProcesses.Node other = i % 2 == 0 ? m2 : m1;
                String sessionId = "unstable_" + tag + "_" + RUN + "_" + i++;
                String client = "unstable-" + tag + "-" + i;
                try {
                    history.call(client, "createSession", sessionId,
                            () -> TestSessions.createSession(cluster.rest(via), sessionId));
                    Connection c = history.call(client, "createConnection", sessionId,
                            () -> TestSessions.createConnection(cluster.rest(via), sessionId, "x"));
                    TestSessions.awaitConnectionVisible(cluster.rest(other), sessionId, c.connectionId());
                    try (Participant p = Participant.connect(client, other.webSocketUri()).recordTo(history)) {
                        p.join(c.token(), "{}");
                        String data = "round-" + sessionId;
                        p.sendMessage(List.of(), data).get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
                        p.awaitEvent("sendMessage", e -> data.equals(e.param("data")), "its own message");
                    }
                    rounds.incrementAndGet();
                } catch (Exception | AssertionError e) {
                    failures.add(sessionId + " via " + via.id() + ": " + e);
                }
            }
        }

        void awaitRounds(int n) {
            await("majority load reaches " + n + " rounds (failures " + failures + ")")
                    .atMost(Duration.ofSeconds(60)).until(() -> rounds.get() >= n || !failures.isEmpty());
            assertNoFailure();
        }

        void assertNoFailure() {
            assertEquals(List.of(), failures, "the majority must serve throughout");
            assertTrue(rounds.get() > 0);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }
}
