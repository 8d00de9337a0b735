package io.tessera.master.routing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The observer's view of this master's replica (a one-master cluster in this JVM, a real replicator): sessions written
 * to any shard show in its session list and gauges within a notification interval or two, and go when removed; pending
 * connections are counted; convergence is timed on a fixed sample of the shards.
 */
class RoutingObserverTest {
    static ActorTestKit testKit;
    static RoutingTable routes;
    static RoutingMeters meters;
    static RoutingObserver observer;

    @BeforeAll
    static void start() {
        // The masters' configuration: the session shards are subscribed to, so their writes are digested, which
        // needs the masters' serializers.
        testKit = ActorTestKit.create(ConfigFactory.parseString("""
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.seed-nodes = []
                pekko.cluster.downing-provider-class = ""
                pekko.coordinated-shutdown.exit-jvm = off
                pekko.cluster.jmx.enabled = off
                pekko.cluster.roles = [master]
                """).withFallback(ConfigFactory.load("tessera-master")));
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.selfMember().status()
                == org.apache.pekko.cluster.MemberStatus.up());
        meters = new RoutingMeters(new SimpleMeterRegistry());
        routes = new RoutingTable(testKit.system(), Duration.ofSeconds(3), Duration.ofSeconds(3), meters);
        observer = new RoutingObserver(routes, meters);
        testKit.spawn(observer.behavior(), "routing-observer");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static SessionRecord route(String sessionId) {
        return new SessionRecord(sessionId, 1, "media-1", 1, "normal", sessionId, "ROUTED", "MANUAL", "VP8", false, null);
    }

    @Test
    void sessionsInEveryShardAreListedAndCountedAndGoWhenRemoved() {
        // Ids in sampled and unsampled shards alike.
        List<String> ids = java.util.stream.Stream.concat(
                IntStream.range(0, 10_000).mapToObj(i -> "observed-" + i).filter(RoutingObserver::timesConvergenceOf)
                        .limit(10),
                IntStream.range(0, 10_000).mapToObj(i -> "observed-" + i)
                        .filter(id -> !RoutingObserver.timesConvergenceOf(id)).limit(50)).toList();
        assertTrue(ids.stream().anyMatch(RoutingObserver::timesConvergenceOf));
        assertTrue(ids.stream().anyMatch(id -> !RoutingObserver.timesConvergenceOf(id)));
        ids.forEach(id -> routes.createSession(route(id)).toCompletableFuture().join());

        await().atMost(Duration.ofSeconds(5)).until(() -> listed().containsAll(ids));
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.sessions.get() == ids.size());

        ids.subList(0, 30).forEach(id -> routes.removeSession(id).toCompletableFuture().join());
        await().atMost(Duration.ofSeconds(5)).until(() -> listed().equals(Set.copyOf(ids.subList(30, 60))));
        assertEquals(30, meters.sessions.get());
        ids.subList(30, 60).forEach(id -> routes.removeSession(id).toCompletableFuture().join());
        await().atMost(Duration.ofSeconds(5)).until(() -> listed().isEmpty() && meters.sessions.get() == 0);
    }

    @Test
    void convergenceIsTimedOnAFixedSampleOfFortyShardsInAThousand() {
        Set<Integer> sampled = IntStream.range(0, 100_000).mapToObj(i -> "sample-" + i)
                .filter(RoutingObserver::timesConvergenceOf).map(RoutingTable::shardOf).collect(Collectors.toSet());
        assertEquals(RoutingObserver.CONVERGENCE_SAMPLE_SHARDS, sampled.size(), sampled.toString());
        assertEquals(1000, RoutingTable.SHARDS, "the sample's share is stated against 1 000 shards in the docs");
    }

    private static Set<String> listed() {
        return observer.sessions().stream().map(SessionRecord::sessionId).collect(Collectors.toSet());
    }
}
