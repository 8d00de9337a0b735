package io.tessera.common.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tessera.common.config.ClusterFormationMode;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bootstrap wiring end to end on one JVM: a node whose only contact point is itself forms a cluster and is Up. */
class ClusterFormationTest {

    @Test
    void bootstrapFormsAClusterFromTheDiscoveredContactPoints() throws IOException {
        int managementPort = freePort();
        Config config = ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                pekko.cluster.seed-nodes = []
                pekko.coordinated-shutdown.exit-jvm = off
                pekko.management.http { hostname = "127.0.0.1", port = %d }
                pekko.management.cluster.bootstrap.contact-point-discovery {
                  service-name = tessera
                  discovery-method = config
                  required-contact-point-nr = 1
                  stable-margin = 500ms
                  interval = 200ms
                }
                pekko.discovery.config.services.tessera.endpoints = [{ host = "127.0.0.1", port = %d }]
                tessera.cluster.formation = bootstrap
                """.formatted(managementPort, managementPort)).withFallback(ConfigFactory.load());
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tessera", config);
        try {
            assertEquals(ClusterFormationMode.BOOTSTRAP, ClusterFormation.start(system));
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> Cluster.get(system).selfMember().status() == MemberStatus.up());
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    @Test
    void seedsFormationIsReportedAndLeavesJoiningToPekko() {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tessera", ConfigFactory.parseString(
                "pekko.actor.provider = local\ntessera.cluster.formation = seeds").withFallback(ConfigFactory.load()));
        try {
            assertEquals(ClusterFormationMode.SEEDS, ClusterFormation.start(system));
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
