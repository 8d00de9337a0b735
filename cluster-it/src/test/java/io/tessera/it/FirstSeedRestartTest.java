package io.tessera.it;

import static io.tessera.it.MasterlessRooms.assertResumedWithoutLoss;
import static io.tessera.it.MasterlessRooms.awaitAllResumed;
import static io.tessera.it.MasterlessRooms.awaitPackets;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.client.rtp.RtpReceiver;
import io.tessera.it.MasterlessRooms.Client;
import io.tessera.it.MasterlessRooms.Room;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every master dies, and master-1, the first seed (the one node Pekko lets form a new cluster), comes back while the
 * surviving media nodes do not answer it yet (its remoting is cut off here, as a slow handshake on a loaded machine
 * was in CI). Silence is not proof that no cluster exists: it must not form a cluster of its own, which would serve an
 * empty routing table and tell every resuming client that its session ended (404, which the SDK takes as final). It
 * waits {@code tessera.cluster.founder-wait} (20 s; Pekko's own seed-node-timeout is 5 s) and joins the media nodes'
 * cluster once they answer; every participant resumes with its id and nothing lost.
 */
class FirstSeedRestartTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    /** Past Pekko's 5 s seed-node-timeout, well inside the 20 s founder wait. */
    private static final Duration SILENT = Duration.ofSeconds(8);
    /** Pekko's line when a node forms a new cluster. */
    private static final String FORMS_A_CLUSTER = "is JOINING itself";
    /** ClusterFormation's line once the node started its way into the cluster. */
    private static final String JOINING = "joining by static seed nodes";

    private static ClusterProcesses cluster;
    private static MasterlessRooms kit;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterProcesses.startPartitionable("FirstSeedRestartTest", 3, 2, Map.of());
        cluster.awaitReady(STARTUP);
        kit = new MasterlessRooms(cluster, "first-seed-restart-rtp", List.of());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        MasterlessRooms.closeAll(kit, cluster);
    }

    @Test
    void theFirstSeedComingBackUnansweredWaitsAndJoinsTheMediaNodesCluster() throws Exception {
        List<Room> rooms = List.of(kit.room("fsr-0-" + RUN, "media-1", 3), kit.room("fsr-1-" + RUN, "media-2", 3));
        List<RtpReceiver> sinks = MasterlessRooms.sinks(rooms);
        List<Client> everyone = MasterlessRooms.everyone(rooms);
        awaitPackets(sinks, 100, "media flows to every subscriber", Duration.ofSeconds(30));
        ClusterProcesses.Node m1 = cluster.masters().get(0);

        long killedAt = System.nanoTime();
        cluster.masters().forEach(cluster::kill);
        awaitPackets(sinks, 300, "media flows without any master", Duration.ofSeconds(60));

        long formedBefore = cluster.logLinesWith(m1, FORMS_A_CLUSTER);
        long joiningBefore = cluster.logLinesWith(m1, JOINING);
        cluster.partition(m1);
        try {
            cluster.relaunch(m1);
            await("master-1 starts joining").atMost(STARTUP).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.logLinesWith(m1, JOINING) > joiningBefore);
            await("master-1, unanswered, does not form a cluster of its own").during(SILENT)
                    .atMost(SILENT.plusSeconds(5)).pollInterval(Duration.ofMillis(250))
                    .until(() -> cluster.logLinesWith(m1, FORMS_A_CLUSTER) == formedBefore);
        } finally {
            cluster.heal();
        }
        cluster.relaunch(cluster.masters().get(1));
        cluster.relaunch(cluster.masters().get(2));

        awaitAllResumed(everyone, killedAt, "every participant resumed");
        assertResumedWithoutLoss(everyone);
        cluster.awaitReady(STARTUP);
        assertEquals(formedBefore, cluster.logLinesWith(m1, FORMS_A_CLUSTER), "master-1 formed a cluster of its own");
        kit.awaitEveryMasterListsEverything(cluster.masters(), rooms);
        awaitPackets(sinks, 100, "media still flows", Duration.ofSeconds(20));
        kit.newcomerJoinsEachSession(rooms, m1, "after");
        cluster.assertAllAlive();
    }
}
