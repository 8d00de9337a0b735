package io.tessera.common.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node runs every actor, Pekko's own and remoting included, on one pool of threads (tessera-node.conf, and
 * docs/BENCHMARKS.md "One dispatcher per node"): two members started from the nodes' configuration form a
 * cluster, exchange gossip and heartbeats over Artery, and no thread of Pekko's internal or remote pools ever starts.
 */
class OneDispatcherTest {
    private static final String NAME = "one-dispatcher-test";
    private final InJvmCluster cluster = new InJvmCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void clusterRemotingAndTesseraShareTheDefaultDispatcher() {
        ActorSystem<Void> first = start();
        start();
        cluster.form(Duration.ofSeconds(30));

        assertSame(first.dispatchers().lookup(DispatcherSelector.defaultDispatcher()),
                first.dispatchers().lookup(DispatcherSelector.fromConfig("pekko.actor.internal-dispatcher")),
                "Pekko's internal dispatcher is the default one");
        Set<String> pools = poolsWithThreads();
        assertTrue(pools.contains("pekko.actor.default-dispatcher"), "pools with threads: " + pools);
        assertTrue(pools.stream().noneMatch(p -> p.contains("internal-dispatcher") || p.contains("remote-dispatcher")),
                "no thread of Pekko's internal or remote pools; pools with threads: " + pools);
    }

    private ActorSystem<Void> start() {
        Config config = ConfigFactory.parseString("""
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.seed-nodes = []
                pekko.cluster.downing-provider-class = ""
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.coordinated-shutdown.exit-jvm = off
                """).withFallback(ConfigFactory.load("tessera-node"));
        return cluster.start(NAME, config);
    }

    /** The dispatcher of every live thread of this test's systems: "one-dispatcher-test-pekko.actor.x-7" gives "pekko.actor.x". */
    private static Set<String> poolsWithThreads() {
        Set<String> pools = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (name.startsWith(NAME + "-")) {
                pools.add(name.substring(NAME.length() + 1).replaceFirst("-\\d+$", ""));
            }
        }
        return pools;
    }
}
