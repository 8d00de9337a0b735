package io.tessera.master.placement;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.master.medianode.FakeMediaNode;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.routing.InMemoryRoutes;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.webhook.Webhooks;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The failover coordinator in one JVM (a one-node cluster on loopback): in-memory routes, scripted media nodes. */
class MediaFailoverTest {
    static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.enabled = off
                """).withFallback(ConfigFactory.load()));
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void aDrainedNodesSessionsMoveAtTheDeadlineAndItsCopyIsReleased() {
        TestProbe<MediaNodeProtocol.Command> node1 = testKit.createTestProbe();
        TestProbe<MediaNodeProtocol.Command> node2 = testKit.createTestProbe();
        ActorRef<MediaNodeProtocol.Command> manager1 = testKit.spawn(FakeMediaNode.create("media-1", node1.getRef(), Set.of()));
        ActorRef<MediaNodeProtocol.Command> manager2 = testKit.spawn(FakeMediaNode.create("media-2", node2.getRef(), Set.of()));
        TestMediaNodes nodes = new TestMediaNodes()
                .report("media-1", manager1, "draining", 1, 10)
                .report("media-2", manager2, "running", 0, 10);
        InMemoryRoutes routes = new InMemoryRoutes();
        routes.createSession(new SessionRecord("s1", 1, "media-1", 1, "best-effort", "s1", "ROUTED", "MANUAL", "VP8",
                false, null));
        ActorRef<MediaFailover.Command> failover = testKit.spawn(MediaFailover.create(routes, nodes.view(),
                new PlacementPolicy(3000), new MediaNodeClient(testKit.system(), Duration.ofSeconds(1)), 1,
                Webhooks.noop(), new PlacementMeters(new SimpleMeterRegistry())));

        failover.tell(new MediaFailover.Drain("media-1", System.currentTimeMillis()));

        assertEquals("s1", node2.expectMessageClass(MediaNodeProtocol.HostSession.class, Duration.ofSeconds(10))
                .sessionId());
        assertEquals("s1", node1.expectMessageClass(MediaNodeProtocol.ReleaseSession.class, Duration.ofSeconds(10))
                .sessionId());
        SessionRecord moved = routes.session("s1").toCompletableFuture().join().orElseThrow();
        assertEquals("media-2", moved.mediaNodeId());
        assertEquals(2, moved.epoch());
    }
}
