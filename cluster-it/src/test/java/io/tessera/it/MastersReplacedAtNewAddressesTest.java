package io.tessera.it;

import static io.tessera.it.MasterlessRooms.assertResumedWithoutLoss;
import static io.tessera.it.MasterlessRooms.awaitPackets;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.client.rtp.RtpReceiver;
import io.tessera.it.MasterlessRooms.Client;
import io.tessera.it.MasterlessRooms.Room;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 as it happens on AWS: every master dies and the Auto Scaling group replaces them with new instances at new
 * addresses; the old ones never come back. The old incarnations stay Up and unreachable members, so Pekko cannot
 * admit the replacements (no convergence) and no master majority exists in the view to down the old ones; the
 * replacements, WeaklyUp and more than half of the deployment's {@code max-masters}, down them. Then they rebuild the
 * routing table from the media nodes and every participant resumes through them with its id and no gap, media
 * flowing all along.
 */
class MastersReplacedAtNewAddressesTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static ClusterProcesses cluster;
    private static MasterlessRooms kit;
    private static List<ClusterProcesses.Node> replacements;
    private static final Map<String, Object> report = new LinkedHashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterProcesses.start("MastersReplacedAtNewAddressesTest", 3, 2);
        cluster.awaitReady(STARTUP);
        // Where the replacements will run (127.0.0.31-33, other ports): the load balancer's targets on AWS, and the
        // clients' failover list here.
        replacements = List.of(cluster.reserveExtra("master-4", ClusterProcesses.Role.MASTER),
                cluster.reserveExtra("master-5", ClusterProcesses.Role.MASTER),
                cluster.reserveExtra("master-6", ClusterProcesses.Role.MASTER));
        kit = new MasterlessRooms(cluster, "new-address-masters-rtp", replacements);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        MasterlessRooms.closeAll(kit, cluster);
        MeasuredResults.write("masters-replaced-at-new-addresses", report);
    }

    @Test
    void mastersReplacedAtNewAddressesTakeOverEverySession() throws Exception {
        List<Room> rooms = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            rooms.add(kit.room("nam-" + i + "-" + RUN, "media-" + (1 + i), 3));
        }
        List<RtpReceiver> sinks = MasterlessRooms.sinks(rooms);
        List<Client> everyone = MasterlessRooms.everyone(rooms);
        awaitPackets(sinks, 100, "media flows to every subscriber", Duration.ofSeconds(30));

        long killedAt = System.nanoTime();
        cluster.masters().forEach(cluster::kill);
        awaitPackets(sinks, 300, "media flows without any master", Duration.ofSeconds(60));

        long startedAt = System.nanoTime();
        replacements.forEach(r -> cluster.startReserved(r, Map.of()));
        long firstReady = kit.awaitFirstReady(replacements, "a replacement master is ready");
        long resumedAt = MasterlessRooms.awaitAllResumed(everyone, killedAt,
                "every participant resumed through a replacement");
        assertResumedWithoutLoss(everyone);
        kit.awaitEveryMasterListsEverything(replacements, rooms);
        awaitPackets(sinks, 100, "media still flows", Duration.ofSeconds(20));
        kit.newcomerJoinsEachSession(rooms, replacements.get(1), "newcomer");
        cluster.mediaNodes().forEach(n -> assertTrue(cluster.isAlive(n), n.id() + " must outlive the masters"));
        replacements.forEach(n -> assertTrue(cluster.isAlive(n), n.id() + " must keep running"));

        report.put("participants", everyone.size());
        report.put("killToStartMs", (startedAt - killedAt) / 1e6);
        report.put("startToFirstReadyMs", (firstReady - startedAt) / 1e6);
        report.put("startToAllResumedMs", (resumedAt - startedAt) / 1e6);
        System.out.println("masters replaced at new addresses " + report);
    }
}
