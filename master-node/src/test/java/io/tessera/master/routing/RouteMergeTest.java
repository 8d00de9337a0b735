package io.tessera.master.routing;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The routing table's merge: replicas that saw different writes converge to the same routes. */
class RouteMergeTest {
    private static final SelfUniqueAddress MASTER_A = new SelfUniqueAddress(
            new UniqueAddress(new Address("pekko", "tessera", "127.0.0.1", 2551), 1L));
    private static final SelfUniqueAddress MASTER_B = new SelfUniqueAddress(
            new UniqueAddress(new Address("pekko", "tessera", "127.0.0.1", 2552), 2L));

    private static SessionRecord route(String sessionId, String node, long createdAt) {
        return new SessionRecord(sessionId, createdAt, node, 1, "best-effort", sessionId, "ROUTED", "MANUAL",
                "MEDIA_SERVER_PREFERRED", false, null);
    }

    @Test
    void concurrentPlacementsOfOneSessionConvergeToOneNodeOnEveryReplica() {
        LWWMap<String, SessionRecord> onA = LWWMap.<String, SessionRecord>create().put(MASTER_A, "s", route("s", "media-1", 1));
        LWWMap<String, SessionRecord> onB = LWWMap.<String, SessionRecord>create().put(MASTER_B, "s", route("s", "media-2", 1));
        String afterAB = onA.merge(onB).get("s").get().mediaNodeId();
        String afterBA = onB.merge(onA).get("s").get().mediaNodeId();
        assertEquals(afterAB, afterBA, "merge order must not matter");
    }

    @Test
    void distinctSessionsFromDifferentMastersAreAllKept() {
        LWWMap<String, SessionRecord> onA = LWWMap.<String, SessionRecord>create().put(MASTER_A, "s1", route("s1", "media-1", 1));
        LWWMap<String, SessionRecord> onB = LWWMap.<String, SessionRecord>create().put(MASTER_B, "s2", route("s2", "media-2", 1));
        LWWMap<String, SessionRecord> merged = onA.merge(onB);
        assertEquals(2, merged.size());
        assertEquals("media-2", merged.get("s2").get().mediaNodeId());
    }

    @Test
    void aRemovedSessionStaysRemovedAfterMerging() {
        LWWMap<String, SessionRecord> onA = LWWMap.<String, SessionRecord>create().put(MASTER_A, "s", route("s", "media-1", 1));
        LWWMap<String, SessionRecord> onB = LWWMap.<String, SessionRecord>create().merge(onA);
        LWWMap<String, SessionRecord> removedOnB = onB.remove(MASTER_B, "s");
        assertFalse(onA.merge(removedOnB).contains("s"));
        assertTrue(onA.contains("s"));
    }

    @Test
    void sessionsSpreadOverTheShardsAndOneSessionAlwaysMapsToTheSameShard() {
        // 100 per shard on average, of ids that differ in a numeric suffix (what applications name rooms with), and
        // of random ones.
        for (String prefix : List.of("ses_", "room-")) {
            int[] perShard = new int[RoutingTable.SHARDS];
            for (int i = 0; i < 100 * RoutingTable.SHARDS; i++) {
                perShard[RoutingTable.shardOf(prefix + i)]++;
            }
            assertEvenlySpread(perShard, prefix);
        }
        int[] random = new int[RoutingTable.SHARDS];
        java.util.Random seeded = new java.util.Random(15); // fixed: the same ids every run
        for (int i = 0; i < 100 * RoutingTable.SHARDS; i++) {
            random[RoutingTable.shardOf(new java.util.UUID(seeded.nextLong(), seeded.nextLong()).toString())]++;
        }
        assertEvenlySpread(random, "random");
        assertEquals(RoutingTable.shardOf("room-42"), RoutingTable.shardOf("room-42"));
    }

    /** Poisson with mean 100: below 50 or above 150 is 5 standard deviations out. */
    private static void assertEvenlySpread(int[] perShard, String ids) {
        for (int count : perShard) {
            assertTrue(count > 50 && count < 150, "uneven shard for ids " + ids + ": " + count);
        }
    }
}
