package io.tessera.it;

import static io.tessera.it.MasterlessRooms.assertResumedWithoutLoss;
import static io.tessera.it.MasterlessRooms.awaitPackets;
import static io.tessera.it.MasterlessRooms.awaitPacketsSince;
import static io.tessera.it.MasterlessRooms.received;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.client.rest.Session;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.it.MasterlessRooms.Client;
import io.tessera.it.MasterlessRooms.Room;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: every master is killed at once (kill -9) while 6 sessions x 3 participants run across both media nodes
 * with RTP flowing; three new master processes (same ids and ports) start. The media nodes keep their sessions and
 * media, the masters rebuild the routing table from the media nodes' inventories, and every participant resumes with
 * its id, with no {@code participantLeft} and no gap in its events; every master lists every session with its
 * connections, and a new participant can join each session. The cycle runs {@link #CYCLES} times on the same sessions
 * (the newcomers of one cycle are participants of the next) for the timings in docs/BENCHMARKS.md. The same with
 * every master frozen and thawed, with two masters killed and the third frozen (once thawed it must not serve its
 * stale table), and with the masters coming back one after the other (the first alone must not down its side).
 */
class AllMastersLostTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final int SESSIONS = 6;
    private static final int PARTICIPANTS = 3;
    /**
     * Two in the suite: the second resumes participants that resumed (or joined as newcomers) in the first. Each cycle
     * costs about a minute on two cores; {@code -Dtessera.benchmark.rounds=N} runs N for docs/BENCHMARKS.md.
     */
    private static final int CYCLES = Math.max(2, Integer.getInteger("tessera.benchmark.rounds", 2));
    /** Packets each receiver must get while no master runs: 10 s of the publishers' 100 packets/s. */
    private static final int PACKETS_WHILE_MASTERLESS = 1000;
    private static final Duration BACK = MasterlessRooms.BACK;

    private static ClusterProcesses cluster;
    private static MasterlessRooms kit;
    private static final Map<String, Object> report = new LinkedHashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterProcesses.start("AllMastersLostTest", 3, 2);
        cluster.awaitReady(STARTUP);
        kit = new MasterlessRooms(cluster, "all-masters-lost-rtp", List.of());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        MasterlessRooms.closeAll(kit, cluster);
        MeasuredResults.write("all-masters-lost", report);
    }

    private static double ms(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e6;
    }

    private static List<Room> rooms(String prefix, int count) throws Exception {
        List<Room> rooms = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rooms.add(kit.room(prefix + "-" + i + "-" + RUN, "media-" + (1 + i % 2), PARTICIPANTS));
        }
        return rooms;
    }

    /** Two sessions with media flowing on a whole cluster: where each variant starts. */
    private record Scene(List<Room> rooms, List<RtpReceiver> sinks, List<Client> everyone) {
        static Scene of(String prefix) throws Exception {
            // Each variant starts from a whole cluster, even after another one failed half-way.
            cluster.masters().stream().filter(m -> !cluster.isAlive(m)).forEach(cluster::relaunch);
            cluster.awaitReady(STARTUP);
            List<Room> rooms = AllMastersLostTest.rooms(prefix, 2);
            Scene scene = new Scene(rooms, MasterlessRooms.sinks(rooms), MasterlessRooms.everyone(rooms));
            awaitPackets(scene.sinks(), 100, "media flows to every subscriber", Duration.ofSeconds(30));
            return scene;
        }

        /** Every participant resumed since {@code sinceNanos}, kept its id, saw no gap; when the last one resumed. */
        long resumedWithoutLoss(long sinceNanos, String what) {
            await(what).atMost(BACK).pollInterval(Duration.ofMillis(100))
                    .until(() -> everyone.stream().allMatch(c -> c.resumedAtNanos > sinceNanos));
            assertResumedWithoutLoss(everyone);
            return everyone.stream().mapToLong(c -> c.resumedAtNanos).max().orElseThrow();
        }

        /** Whole again: every master lists everything, media flows, a newcomer joins each session, nobody died. */
        void whole(ClusterProcesses.Node via, String tag) throws Exception {
            kit.awaitEveryMasterListsEverything(cluster.masters(), rooms);
            awaitPackets(sinks, 100, "media still flows", Duration.ofSeconds(20));
            kit.newcomerJoinsEachSession(rooms, via, tag);
            cluster.assertAllAlive();
        }
    }

    /**
     * Every master frozen at once (a hung hypervisor), longer than their lease and the clients' keepalive, then
     * thawed. Nobody may be downed (the masters froze together, media nodes down nobody), every client resumes
     * with its id and no gap, and each master lists exactly what runs.
     */
    @Test
    void freezingEveryMasterAtOnceAndThawingThemLosesNothing() throws Exception {
        Scene scene = Scene.of("amf");
        List<RtpReceiver> sinks = scene.sinks();

        long frozenAt = System.nanoTime();
        cluster.masters().forEach(cluster::freeze);
        try {
            // 5 s of packets: past the masters' lease (2 s) and the clients' keepalive (3 s), so every client has
            // given its socket up and retries against frozen masters.
            awaitPackets(sinks, 500, "media flows while every master is frozen", Duration.ofSeconds(60));
        } finally {
            cluster.masters().forEach(cluster::thaw);
        }
        long thawedAt = System.nanoTime();
        long resumedAt = scene.resumedWithoutLoss(frozenAt, "every participant resumed after the thaw");
        report.put("everyMasterFrozen", Map.of("frozenMs", ms(frozenAt, thawedAt),
                "thawToAllResumedMs", ms(thawedAt, resumedAt)));
        scene.whole(cluster.masters().get(1), "thawed");
    }

    /**
     * Two masters killed and the third frozen (a hung VM); the two come back as new processes while it is still
     * frozen. They are a majority of the masters restarting, so the media nodes down the hung one (Pekko admits them
     * only once every old incarnation is out) and they serve every client. When the frozen master thaws, its routing
     * table is stale (it lacks what happened meanwhile): it must not answer a single REST or readiness request with
     * 200 before it learns it was downed and exits.
     */
    @Test
    void twoMastersKilledAndTheThirdFrozenNeverLetTheThawedOneServeItsStaleTable() throws Exception {
        Scene scene = Scene.of("amk");
        List<RtpReceiver> sinks = scene.sinks();
        ClusterProcesses.Node m1 = cluster.masters().get(0);
        ClusterProcesses.Node m2 = cluster.masters().get(1);
        ClusterProcesses.Node m3 = cluster.masters().get(2);

        long lostAt = System.nanoTime();
        cluster.kill(m1);
        cluster.kill(m2);
        cluster.freeze(m3);
        List<String> answersAfterThaw = new ArrayList<>();
        boolean thawed = false;
        try {
            awaitPackets(sinks, 300, "media flows while no master serves", Duration.ofSeconds(60));
            cluster.relaunch(m1);
            cluster.relaunch(m2);
            long resumedAt = scene.resumedWithoutLoss(lostAt, "every participant resumed on the two new masters");
            report.put("twoKilledOneFrozen", Map.of("lossToAllResumedMs", ms(lostAt, resumedAt)));
            await("both new masters list every session with its participants").atMost(BACK)
                    .pollInterval(Duration.ofMillis(200)).until(() -> List.of(m1, m2).stream().allMatch(m ->
                            scene.rooms().stream().allMatch(room -> kit.listedConnections(m, room.sessionId())
                                    .map(l -> l.containsAll(room.clients().stream().map(c -> c.connectionId)
                                            .collect(Collectors.toSet()))).orElse(false))));
            kit.newcomerJoinsEachSession(scene.rooms(), m2, "meanwhile");

            cluster.thaw(m3);
            thawed = true;
            await("the thawed master learns it was downed and exits").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20)).until(() -> {
                        answersAfterThaw.add("ready " + cluster.probe(m3, "/health/ready").split(" ", 2)[0]);
                        answersAfterThaw.add("sessions " + restStatus(m3, "/openvidu/api/sessions"));
                        return !cluster.isAlive(m3);
                    });
        } finally {
            if (!thawed) {
                cluster.thaw(m3);
            }
        }
        List<String> served = answersAfterThaw.stream().filter(a -> a.endsWith(" 200")).toList();
        assertEquals(List.of(), served, "the thawed master served (of " + answersAfterThaw.size() + " requests)");

        cluster.relaunch(m3);
        cluster.awaitReady(STARTUP);
        scene.whole(m3, "allback");
    }

    /** "200", "503", ... for an authenticated GET on {@code master}, or why there was no answer. */
    private static String restStatus(ClusterProcesses.Node master, String path) {
        try {
            return Integer.toString(cluster.rest(master).send("GET", path).status());
        } catch (Exception e) {
            return "no answer (" + e.getClass().getSimpleName() + ")";
        }
    }

    /**
     * Every master killed, then started again one after the other (machines rebooting one by one): the first one back
     * joins alone while the other two are still unreachable members, a minority. It must not down its side (the
     * media nodes and every session on them); it waits, not serving, and once the second is back the two form a
     * majority, down the dead third and serve; the third joins last.
     */
    @Test
    void mastersComingBackOneAfterTheOtherKeepEverySession() throws Exception {
        Scene scene = Scene.of("ams");
        List<RtpReceiver> sinks = scene.sinks();
        ClusterProcesses.Node m1 = cluster.masters().get(0);
        ClusterProcesses.Node m2 = cluster.masters().get(1);
        ClusterProcesses.Node m3 = cluster.masters().get(2);

        long killedAt = System.nanoTime();
        cluster.masters().forEach(cluster::kill);
        awaitPackets(sinks, 300, "media flows without any master", Duration.ofSeconds(60));
        cluster.relaunch(m1);
        // Alone, m1 is WeaklyUp after 7 s and its side is stable after 7 s more: the downing rule has run by 20 s.
        await("master-1 alone neither serves nor downs the media nodes").during(Duration.ofSeconds(20))
                .atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(250)).until(() ->
                        cluster.mediaNodes().stream().allMatch(cluster::isAlive)
                                && !cluster.probe(m1, "/health/ready").startsWith("200"));
        awaitPacketsSince(sinks, received(sinks), 100, "media still flows", Duration.ofSeconds(20));

        cluster.relaunch(m2);
        scene.resumedWithoutLoss(killedAt, "every participant resumed on master-1 and master-2");
        kit.newcomerJoinsEachSession(scene.rooms(), m1, "twoback");
        cluster.relaunch(m3);
        cluster.awaitReady(STARTUP);
        scene.whole(m3, "allback");
    }

    @Test
    void killingEveryMasterAtOnceLosesNoSessionParticipantEventOrMedia() throws Exception {
        List<Room> rooms = rooms("aml", SESSIONS);
        List<RtpReceiver> sinks = rooms.stream().flatMap(r -> r.sinks().stream()).toList();
        await("media flows to every subscriber").atMost(Duration.ofSeconds(30))
                .until(() -> sinks.stream().allMatch(s -> s.stats().received() >= 100));

        List<Map<String, Object>> cycles = new ArrayList<>();
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            List<Client> everyone = rooms.stream().flatMap(r -> r.clients().stream()).toList();
            List<Long> before = received(sinks);
            long killedAt = System.nanoTime();
            cluster.masters().forEach(cluster::kill);

            // No master anywhere: the media nodes stay up and media keeps flowing, for 10 s of packets.
            awaitPacketsSince(sinks, before, PACKETS_WHILE_MASTERLESS, "media flows without any master",
                    Duration.ofSeconds(60));
            cluster.mediaNodes().forEach(n -> assertTrue(cluster.isAlive(n), n.id() + " must outlive the masters"));

            long relaunchedAt = System.nanoTime();
            cluster.masters().forEach(cluster::relaunch);
            long firstReady = kit.awaitFirstReady(cluster.masters(), "a master is ready again");
            kit.awaitEveryMasterListsEverything(cluster.masters(), rooms);
            long routesAt = System.nanoTime();
            await("every participant resumed").atMost(BACK).pollInterval(Duration.ofMillis(100))
                    .until(() -> everyone.stream().allMatch(c -> c.resumedAtNanos > killedAt));
            long resumedAt = everyone.stream().mapToLong(c -> c.resumedAtNanos).max().orElseThrow();

            assertResumedWithoutLoss(everyone);
            awaitPackets(sinks, 100, "media still flows after the resume", Duration.ofSeconds(20));

            // A newcomer joins each session through a restarted master; the others see it join.
            kit.newcomerJoinsEachSession(rooms, cluster.masters().get(cycle % cluster.masters().size()), "new" + cycle);
            Session listed = cluster.rest(cluster.masters().get(2)).session(rooms.get(0).sessionId()).orElseThrow();
            assertEquals("protected", listed.priority(), "the session's properties came back from its media node");

            Map<String, Object> c = new LinkedHashMap<>();
            c.put("cycle", cycle);
            c.put("participants", everyone.size());
            c.put("killToRelaunchMs", ms(killedAt, relaunchedAt));
            c.put("relaunchToFirstReadyMs", ms(relaunchedAt, firstReady));
            c.put("firstReadyToRoutesOnEveryMasterMs", ms(firstReady, routesAt));
            c.put("firstReadyToAllResumedMs", ms(firstReady, resumedAt));
            c.put("relaunchToAllResumedMs", ms(relaunchedAt, resumedAt));
            c.put("killToAllResumedMs", ms(killedAt, resumedAt));
            cycles.add(c);
            System.out.println("all masters lost, cycle " + c);
        }
        report.put("sessions", SESSIONS);
        report.put("cycles", cycles);
        cluster.assertAllAlive();
    }
}
