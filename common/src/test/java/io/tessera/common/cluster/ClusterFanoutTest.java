package io.tessera.common.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.remote.RARP;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three cluster members in one JVM: a subscriber, a publisher, and a third member whose link to the subscriber is cut
 * both ways (as a master whose links flap) while both still talk to the publisher. The third member's observation makes the subscriber
 * unreachable in the whole cluster's view, the publisher's included, although the publisher hears it perfectly well.
 * A fan-out must still deliver: the case in which Pekko's {@code Topic} (reachable instances only) went silent.
 */
class ClusterFanoutTest {
    private static final String NAME = "fanout-test";
    private final InJvmCluster cluster = new InJvmCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aMemberThatAThirdPartyCannotHearStillGetsEveryMessage() {
        ActorSystem<Void> subscriberNode = start();
        ActorSystem<Void> publisherNode = start();
        ActorSystem<Void> deafNode = start();
        cluster.form(Duration.ofSeconds(30)); // around the subscriber, the first one started

        TestProbe<String> subscriber = TestProbe.create(subscriberNode);
        ActorRef<ClusterFanout.Command<String>> atSubscriber = subscriberNode.systemActorOf(
                ClusterFanout.create(String.class, NAME), "fanout", org.apache.pekko.actor.typed.Props.empty());
        atSubscriber.tell(ClusterFanout.subscribe(subscriber.getRef()));
        ActorRef<ClusterFanout.Command<String>> atPublisher = publisherNode.systemActorOf(
                ClusterFanout.create(String.class, NAME), "fanout", org.apache.pekko.actor.typed.Props.empty());
        TestProbe<ClusterFanout.Stats> stats = TestProbe.create(publisherNode);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            atPublisher.tell(ClusterFanout.getStats(stats.getRef()));
            return stats.receiveMessage().instances() == 1;
        });
        atPublisher.tell(ClusterFanout.publish("before"));
        assertEquals("before", subscriber.receiveMessage(Duration.ofSeconds(5)));

        var subscriberAddress = Cluster.get(subscriberNode).selfMember().address();
        // Artery's test mode drops everything between the deaf member and the subscriber, both ways.
        ((RARP) RARP.get(Adapter.toClassic(deafNode))).provider().transport().managementCommand(new ThrottlerTransportAdapter
                .SetThrottle(subscriberAddress, ThrottlerTransportAdapter.bothDirection(),
                ThrottlerTransportAdapter.blackholeThrottleMode()));
        await("the deaf member's verdict reaches the publisher").atMost(Duration.ofSeconds(20)).until(() ->
                Cluster.get(publisherNode).state().getUnreachable().stream()
                        .anyMatch(m -> m.address().equals(subscriberAddress)));
        // The condition the fan-out exists for: the receptionist lists the subscriber's instance as unreachable.
        TestProbe<Receptionist.Listing> listing = TestProbe.create(publisherNode);
        ServiceKey<String> key = ServiceKey.create(String.class, "fanout-" + NAME);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            publisherNode.receptionist().tell(Receptionist.find(key, listing.getRef()));
            return listing.receiveMessage().getServiceInstances(key).isEmpty();
        });
        publisherNode.receptionist().tell(Receptionist.find(key, listing.getRef()));
        assertEquals(1, listing.receiveMessage().getAllServiceInstances(key).size());

        for (int i = 0; i < 5; i++) {
            atPublisher.tell(ClusterFanout.publish("during-" + i));
        }
        for (int i = 0; i < 5; i++) {
            assertEquals("during-" + i, subscriber.receiveMessage(Duration.ofSeconds(5)), "in order, none lost");
        }
        subscriber.expectNoMessage(Duration.ofMillis(300));
        assertTrue(Cluster.get(publisherNode).state().getUnreachable().stream()
                .anyMatch(m -> m.address().equals(subscriberAddress)), "still unreachable in the cluster's view");
    }

    @Test
    void aSubscriberThatLeavesGetsNothingMoreAndThePublisherForgetsItsNode() {
        ActorSystem<Void> node = start();
        Cluster.get(node).manager().tell(Join.create(Cluster.get(node).selfMember().address()));
        TestProbe<String> subscriber = TestProbe.create(node);
        ActorRef<ClusterFanout.Command<String>> fanout = node.systemActorOf(
                ClusterFanout.create(String.class, NAME), "fanout", org.apache.pekko.actor.typed.Props.empty());
        TestProbe<ClusterFanout.Stats> stats = TestProbe.create(node);
        fanout.tell(ClusterFanout.subscribe(subscriber.getRef()));
        fanout.tell(ClusterFanout.subscribe(subscriber.getRef())); // twice: still one subscriber
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            fanout.tell(ClusterFanout.getStats(stats.getRef()));
            ClusterFanout.Stats s = stats.receiveMessage();
            return s.instances() == 1 && s.localSubscribers() == 1;
        });
        fanout.tell(ClusterFanout.publish("once"));
        assertEquals("once", subscriber.receiveMessage());
        subscriber.expectNoMessage(Duration.ofMillis(200));

        fanout.tell(ClusterFanout.unsubscribe(subscriber.getRef()));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            fanout.tell(ClusterFanout.getStats(stats.getRef()));
            return stats.receiveMessage().instances() == 0;
        });
        fanout.tell(ClusterFanout.publish("after"));
        subscriber.expectNoMessage(Duration.ofMillis(300));
    }

    private ActorSystem<Void> start() {
        Config config = ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                pekko.cluster.seed-nodes = []
                pekko.cluster.downing-provider-class = ""
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.coordinated-shutdown.exit-jvm = off
                pekko.remote.artery.advanced.test-mode = on
                """).withFallback(ConfigFactory.load());
        return cluster.start("tessera", config);
    }
}
