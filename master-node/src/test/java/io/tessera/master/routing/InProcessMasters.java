package io.tessera.master.routing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.awaitility.Awaitility.await;

/** Test fixture: the configuration of a master whose actor system runs inside the test's JVM. */
final class InProcessMasters {
    private InProcessMasters() {
    }

    /** One master of {@link #startAsking}: its actor system, its routing table and the table's meters. */
    record Master(ActorTestKit kit, RoutingTable table, MeterRegistry registry) {
    }

    /**
     * {@code count} masters named {@code name} with {@code config}, joined into one cluster and all Up, each with a
     * routing table (2 s read and write timeouts) that answers and asks the other masters (2 s, no quiet period).
     */
    static List<Master> startAsking(String name, Config config, int count) {
        List<ActorTestKit> kits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ActorTestKit kit = ActorTestKit.create(name, config);
            kits.add(kit);
            Cluster.get(kit.system()).manager().tell(Join.create(Cluster.get(kits.get(0).system()).selfMember().address()));
        }
        List<Master> masters = new ArrayList<>();
        for (ActorTestKit kit : kits) {
            await().atMost(Duration.ofSeconds(30)).until(() -> StreamSupport.stream(
                    Cluster.get(kit.system()).state().getMembers().spliterator(), false)
                    .filter(m -> m.status() == MemberStatus.up()).count() == count);
            MeterRegistry registry = new SimpleMeterRegistry();
            RoutingTable table = new RoutingTable(kit.system(), Duration.ofSeconds(2), Duration.ofSeconds(2),
                    new RoutingMeters(registry));
            table.answerAndAskPeers(Duration.ofSeconds(2), Duration.ZERO);
            masters.add(new Master(kit, table, registry));
        }
        return masters;
    }

    /**
     * {@link #config} with Distributed Data's gossip once an hour (deltas once every 12 minutes): what one master has,
     * another learns only from a write's majority or from asking it, so a test can put the replicas in the state it
     * needs. The receptionist still gossips every 200 ms, so the masters' lookup actors are listed soon.
     */
    static Config gossipOff() {
        return config("""
                pekko.cluster.distributed-data.gossip-interval = 1h
                pekko.cluster.typed.receptionist.distributed-data.gossip-interval = 200ms
                """);
    }

    /** Shuts down every master of {@link #startAsking} (one already shut down is left as it is). */
    static void stop(List<Master> masters) {
        masters.forEach(m -> m.kit().shutdownTestKit());
    }

    /**
     * A master on a free loopback port that joins no seed and downs nobody (the test forms the cluster itself), with
     * {@code overrides} on top of the shipped tessera-master settings.
     */
    static Config config(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.enabled = off
                pekko.cluster.roles = [master]
                pekko.cluster.distributed-data.role = master
                pekko.cluster.seed-nodes = []
                pekko.cluster.downing-provider-class = ""
                pekko.coordinated-shutdown.exit-jvm = off
                """)).withFallback(ConfigFactory.load("tessera-master"));
    }
}
