package io.tessera.master.routing;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.master.session.Ids;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.function.IntFunction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A routing shard stays within what one Artery frame carries: the raw-size bound holds against the masters' real
 * serializer for any text, a shard of large tokens is refused before the frame and not much earlier, and tokens
 * without data (the usual kind) fill a shard far beyond 10 000 sessions' worth without being serialized to be
 * measured more than a few times.
 */
class ShardBudgetTest {
    private static final long FRAME = 256 * 1024;
    private static ActorSystem<Void> system;
    private static Serialization serialization;
    private static SelfUniqueAddress self;

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "shard-budget-test", ConfigFactory.parseString("""
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.seed-nodes = []
                pekko.cluster.roles = [master]
                pekko.cluster.jmx.enabled = off
                pekko.cluster.downing-provider-class = ""
                pekko.coordinated-shutdown.exit-jvm = off
                """).withFallback(ConfigFactory.load("tessera-master")));
        serialization = SerializationExtension.get(Adapter.toClassic(system));
        self = DistributedData.get(system).selfUniqueAddress();
    }

    @AfterAll
    static void stop() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    private static ConnectionRecord record(String sessionId, String data, String metadata) {
        long now = 1_700_000_000_000L;
        return new ConnectionRecord(Ids.connectionId(), sessionId, "wss://media.example.com:4443?sessionId="
                + sessionId + "&token=" + Ids.token(), now + 86_400_000L, "PUBLISHER", false, data, now,
                metadata == null ? "pending" : "active", metadata == null ? null : now + 500, metadata,
                metadata == null ? null : "Chrome 131.0.0.0 on Linux 64-bit", metadata == null ? null : "203.0.113.7");
    }

    private static String random(Random random, int length, int fromCodePoint, int toCodePoint) {
        StringBuilder b = new StringBuilder(length);
        while (b.length() < length) {
            b.appendCodePoint(fromCodePoint + random.nextInt(toCodePoint - fromCodePoint));
        }
        return b.toString();
    }

    private static long serialized(LWWMap<String, ConnectionRecord> shard) {
        return serialization.serialize(shard).get().length;
    }

    private static ShardBudget budget() {
        return new ShardBudget(FRAME, 1, ShardBudgetTest::serialized);
    }

    private static void assertBoundHolds(String what, int n, IntFunction<ConnectionRecord> records) {
        LWWMap<String, ConnectionRecord> shard = LWWMap.create();
        for (int i = 0; i < n; i++) {
            ConnectionRecord r = records.apply(i);
            shard = shard.put(self, r.connectionId(), r);
        }
        long serialized = serialized(shard);
        long bound = ShardBudget.rawBytes(shard) + ShardBudget.SLACK_BYTES;
        assertTrue(serialized <= bound, what + ": serialized " + serialized + " > bound " + bound);
    }

    @Test
    void theRawBoundHoldsAgainstTheSerializerWhateverTheTextCompressesTo() {
        Random random = new Random(1);
        assertBoundHolds("no data", 500, i -> record("session-" + i, null, null));
        assertBoundHolds("one token", 1, i -> record("session-" + i, null, null));
        assertBoundHolds("active, short metadata", 500, i -> record("session-" + i, "{\"user\":\"u" + i + "\"}",
                "{\"clientData\":\"c" + i + "\"}"));
        assertBoundHolds("random ASCII", 20, i -> record("s", random(random, 9_000, 33, 127), null));
        assertBoundHolds("random CJK (3 bytes each)", 20, i -> record("s", random(random, 3_000, 0x4e00, 0x9fff), null));
        assertBoundHolds("random astral and 2-byte", 20, i -> record("s", random(random, 3_000, 0x1f300, 0x1f5ff),
                random(random, 2_000, 0x80, 0x7ff)));
    }

    @Test
    void aShardOfLargeTokensIsRefusedBeforeTheFrameAndNotMuchEarlier() {
        Random random = new Random(2);
        ShardBudget budget = budget();
        LWWMap<String, ConnectionRecord> shard = LWWMap.create();
        ConnectionRecord next = record("s", random(random, 9_000, 33, 127), null);
        while (budget.sizeWith(0, shard, next) >= 0) {
            shard = shard.put(self, next.connectionId(), next);
            next = record("s", random(random, 9_000, 33, 127), null);
        }
        long accepted = serialized(shard);
        assertTrue(accepted <= budget.maxBytes(), "within the budget: " + accepted);
        long refused = serialized(shard.put(self, next.connectionId(), next));
        assertTrue(refused > budget.maxBytes() - 2 * 9_000, "refused only near the budget: " + refused
                + " bytes with the refused token, budget " + budget.maxBytes());
    }

    @Test
    void tokensWithoutDataFillAShardFarAndAreRarelyMeasured() {
        ShardBudget budget = budget();
        LWWMap<String, ConnectionRecord> shard = LWWMap.create();
        for (int i = 0; i < 2_000; i++) { // 200 000 pending tokens over 100 shards
            ConnectionRecord r = record("session-" + i / 5, null, null);
            assertTrue(budget.sizeWith(0, shard, r) >= 0, "token " + i + " fits");
            shard = shard.put(self, r.connectionId(), r);
        }
        assertTrue(serialized(shard) < budget.maxBytes(), "and is within the budget");
        assertTrue(budget.measurements() <= 10, "serialized to be measured " + budget.measurements() + " times");
    }

    /**
     * Tokens that deflate well give way to tokens that do not, at about the same raw size: the shard's raw size hardly
     * grows while its deflated size does, and the budget must still see it (new records count at their raw size).
     */
    @Test
    void compressibleTokensReplacedByIncompressibleOnesStillMeetTheBudget() {
        Random random = new Random(4);
        ShardBudget budget = budget();
        LWWMap<String, ConnectionRecord> shard = LWWMap.create();
        java.util.ArrayDeque<String> small = new java.util.ArrayDeque<>();
        for (int i = 0; i < 2_000; i++) { // measured last with most of them in: ~64 bytes each deflated
            ConnectionRecord r = record("session-" + i, null, null);
            assertTrue(budget.sizeWith(0, shard, r) >= 0);
            shard = shard.put(self, r.connectionId(), r);
            small.add(r.connectionId());
        }
        for (int large = 0; large < 150; large++) {
            for (int i = 0; i < 17 && !small.isEmpty(); i++) { // about one large token's raw size
                shard = shard.remove(self, small.poll());
            }
            ConnectionRecord r = record("s", random(random, 9_000, 33, 127), null);
            if (budget.sizeWith(0, shard, r) < 0) {
                break;
            }
            shard = shard.put(self, r.connectionId(), r);
        }
        assertTrue(serialized(shard) <= budget.maxBytes(), "within the budget: " + serialized(shard));
    }

    /** Through a real replicator: the write is refused with the reason, and leaves the shard as it was. */
    @Test
    void aRefusedTokenIsNotWrittenAndOtherShardsStillTakeTokens() {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.selfMember().status()
                == org.apache.pekko.cluster.MemberStatus.up());
        RoutingTable routes = new RoutingTable(system, Duration.ofSeconds(3), Duration.ofSeconds(3),
                new RoutingMeters(new SimpleMeterRegistry()));
        Random random = new Random(3);
        String full = "big-session";
        int written = 0;
        CompletionException refused = null;
        while (refused == null && written < 100) { // 100 such tokens would be 900 KB: far past any frame
            try {
                routes.putConnection(record(full, random(random, 9_000, 33, 127), null)).toCompletableFuture().join();
                written++;
            } catch (CompletionException e) {
                refused = e;
            }
        }
        assertTrue(refused != null, written + " tokens of 9 000 characters and none refused");
        assertInstanceOf(RoutingTable.ShardFull.class, refused.getCause());
        assertTrue(refused.getCause().getMessage().contains(full), refused.getCause().getMessage());
        assertEquals(written, routes.connectionsFromMajority(full).toCompletableFuture().join().size());
        assertTrue(written >= 15, "tokens of 9 000 characters before the refusal: " + written);

        String elsewhere = "small-session";
        while (RoutingTable.shardOf(elsewhere) == RoutingTable.shardOf(full)) {
            elsewhere += "x";
        }
        routes.putConnection(record(elsewhere, null, null)).toCompletableFuture().join();
        assertEquals(1, routes.connectionsFromMajority(elsewhere).toCompletableFuture().join().size());
        String large = random(random, 9_000, 33, 127);
        assertThrows(CompletionException.class, () -> routes.putConnection(record(full, large, null))
                .toCompletableFuture().join(), "still full for another large token");
    }
}
