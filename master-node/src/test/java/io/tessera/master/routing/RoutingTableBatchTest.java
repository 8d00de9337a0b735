package io.tessera.master.routing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batched route writes (relocation, restore) against a real replicator (a one-master cluster in this JVM). */
class RoutingTableBatchTest {
    static ActorTestKit testKit;
    static RoutingTable routes;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(InProcessMasters.config(""));
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.selfMember().status()
                == org.apache.pekko.cluster.MemberStatus.up());
        routes = new RoutingTable(testKit.system(), Duration.ofSeconds(3), Duration.ofSeconds(3),
                new RoutingMeters(new SimpleMeterRegistry()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static SessionRecord route(String sessionId, String node) {
        return new SessionRecord(sessionId, 1, node, 1, "protected", sessionId, "ROUTED", "MANUAL", "VP8", false, null);
    }

    @Test
    void aBatchMovesOnlyTheSessionsStillOnTheFailedNodeSharedShardsIncluded() {
        // Two sessions in one shard (one write for both), one elsewhere, one already moved by someone else.
        List<String> sameShard = new ArrayList<>();
        for (int i = 0; sameShard.size() < 2; i++) {
            if (RoutingTable.shardOf("batch-" + i) == RoutingTable.shardOf("batch-0")) {
                sameShard.add("batch-" + i);
            }
        }
        String elsewhere = "batch-other";
        String movedMeanwhile = "batch-moved";
        for (String id : List.of(sameShard.get(0), sameShard.get(1), elsewhere)) {
            routes.createSession(route(id, "media-dead")).toCompletableFuture().join();
        }
        routes.createSession(route(movedMeanwhile, "media-other")).toCompletableFuture().join();

        Map<String, SessionRecord> moved = routes.relocateSessions(List.of(
                new Routes.Relocation(sameShard.get(0), "media-dead", "media-a"),
                new Routes.Relocation(sameShard.get(1), "media-dead", "media-b"),
                new Routes.Relocation(elsewhere, "media-dead", "media-a"),
                new Routes.Relocation(movedMeanwhile, "media-dead", "media-b"))).toCompletableFuture().join();

        assertEquals(List.of(sameShard.get(0), sameShard.get(1), elsewhere).stream().sorted().toList(),
                moved.keySet().stream().sorted().toList());
        assertEquals("media-b", routes.session(sameShard.get(1)).toCompletableFuture().join().orElseThrow()
                .mediaNodeId());
        assertEquals(2, routes.session(elsewhere).toCompletableFuture().join().orElseThrow().epoch());
        SessionRecord untouched = routes.session(movedMeanwhile).toCompletableFuture().join().orElseThrow();
        assertEquals("media-other", untouched.mediaNodeId());
        assertEquals(1, untouched.epoch());
    }

    private static ConnectionRecord joined(String sessionId, String connectionId) {
        return new ConnectionRecord(connectionId, sessionId, "tok_" + connectionId, 0, "PUBLISHER", false, "",
                1, ConnectionRecord.Status.ACTIVE.wireName(), 1L, "", "chrome", "127.0.0.1");
    }

    @Test
    void aRestoreWritesOnlyWhatTheTableLacksAndLeavesSessionsRoutedElsewhereAlone() {
        String known = "restore-known";
        String missing = "restore-missing";
        String movedElsewhere = "restore-moved";
        routes.createSession(route(known, "media-a")).toCompletableFuture().join();
        routes.putConnection(joined(known, "con_known_1")).toCompletableFuture().join();
        routes.createSession(route(movedElsewhere, "media-b")).toCompletableFuture().join();
        List<Routes.Restore> restores = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // many sessions, so that shards hold several of them
            restores.add(new Routes.Restore(route("restore-bulk-" + i, "media-a"),
                    List.of(joined("restore-bulk-" + i, "con_bulk_" + i))));
        }
        restores.add(new Routes.Restore(route(known, "media-a"),
                List.of(joined(known, "con_known_1"), joined(known, "con_known_2"))));
        restores.add(new Routes.Restore(route(missing, "media-a"), List.of(joined(missing, "con_missing"))));
        restores.add(new Routes.Restore(route(movedElsewhere, "media-a"), List.of(joined(movedElsewhere, "con_x"))));

        Routes.Restored done = routes.restore(restores).toCompletableFuture().join();

        assertEquals(301, done.sessions(), "the 300 bulk sessions and the missing one");
        assertEquals(302, done.connections(), "one per bulk session, the missing one's, and the known session's second");
        assertEquals("media-a", routes.session("restore-bulk-299").toCompletableFuture().join().orElseThrow()
                .mediaNodeId());
        assertEquals("tok_con_known_1", routes.connection(known, "con_known_1").toCompletableFuture().join()
                .orElseThrow().token(), "a known connection is not overwritten");
        assertEquals("media-b", routes.session(movedElsewhere).toCompletableFuture().join().orElseThrow()
                .mediaNodeId(), "the masters' route stands");
        assertEquals(java.util.Optional.empty(), routes.connection(movedElsewhere, "con_x").toCompletableFuture()
                .join(), "no connection for a session routed elsewhere");

        Routes.Restored again = routes.restore(restores).toCompletableFuture().join();
        assertEquals(new Routes.Restored(0, 0), again, "nothing lacking: nothing written");
    }

    @Test
    void aShardWhoseReplicatorAnswerTimedOutIsRestoredOnTheNextAttempt() {
        // The replicator in front swallows the first read of the shard (as an overloaded one answers too late).
        String sessionId = "restore-slow";
        ActorRef<Replicator.Command> real = DistributedData.get(testKit.system()).replicator();
        AtomicInteger swallowed = new AtomicInteger();
        ActorRef<Replicator.Command> slow = testKit.spawn(Behaviors.receive(Replicator.Command.class)
                .onAnyMessage(command -> {
                    if (command instanceof Replicator.Get<?> && swallowed.getAndIncrement() == 0) {
                        return Behaviors.same();
                    }
                    real.tell(command);
                    return Behaviors.same();
                }).build());
        RoutingTable slowRoutes = new RoutingTable(testKit.system(), slow, Duration.ofMillis(300),
                Duration.ofMillis(300), new RoutingMeters(new SimpleMeterRegistry()));

        Routes.Restored done = slowRoutes.restore(List.of(new Routes.Restore(route(sessionId, "media-a"),
                List.of(joined(sessionId, "con_slow"))))).toCompletableFuture().join();

        assertTrue(swallowed.get() > 2, "the shard's two reads, the first swallowed, then read again");
        assertEquals(new Routes.Restored(1, 1), done);
        assertEquals("media-a", routes.session(sessionId).toCompletableFuture().join().orElseThrow().mediaNodeId());
    }

    @Test
    void aBigShardIsWrittenInWritesOfTheBudgetsRecordsPerWrite() {
        // 25 sessions of one shard, at most 10 per write: three session writes (and three connection writes).
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 25; i++) {
            if (RoutingTable.shardOf("budget-" + i) == RoutingTable.shardOf("budget-0")) {
                ids.add("budget-" + i);
            }
        }
        String sessionKey = RoutingTable.keyName("sessions", RoutingTable.shardOf("budget-0"));
        ActorRef<Replicator.Command> real = DistributedData.get(testKit.system()).replicator();
        AtomicInteger sessionWrites = new AtomicInteger();
        ActorRef<Replicator.Command> counting = testKit.spawn(Behaviors.receive(Replicator.Command.class)
                .onAnyMessage(command -> {
                    if (command instanceof Replicator.Update<?> u && u.key().id().equals(sessionKey)) {
                        sessionWrites.incrementAndGet();
                    }
                    real.tell(command);
                    return Behaviors.same();
                }).build());
        RoutingTable counted = new RoutingTable(testKit.system(), counting, Duration.ofSeconds(3),
                Duration.ofSeconds(3), new RoutingMeters(new SimpleMeterRegistry()));

        Routes.Restored done = counted.restore(ids.stream().map(id -> new Routes.Restore(route(id, "media-a"),
                List.of(joined(id, "con_" + id)))).toList(), new RestoreBudget(10, 20)).toCompletableFuture().join();

        assertEquals(new Routes.Restored(25, 25), done);
        assertEquals(3, sessionWrites.get(), "10 + 10 + 5 sessions, one write each");
        assertEquals(25, routes.localIds().toCompletableFuture().join().sessionNodes().keySet().stream()
                .filter(ids::contains).count(), "every session in this master's replica");
    }
}
