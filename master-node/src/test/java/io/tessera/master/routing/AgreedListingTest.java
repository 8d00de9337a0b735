package io.tessera.master.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AgreedListing}: a list of every session that reads from a majority only the shards whose digests differ,
 * in a cluster of three masters in this JVM (their questions and answers cross Artery, serialized). Gossip runs once
 * an hour here, so each test puts the replicas in the state it needs, then lists from master A.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgreedListingTest {
    static List<InProcessMasters.Master> masters;

    @BeforeAll
    static void start() {
        masters = InProcessMasters.startAsking("AgreedListingTest", InProcessMasters.gossipOff(), 3);
        // Every master's lookup actor is listed on A before a test lists (the receptionist gossips every 200 ms).
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            masters.get(0).table().allSessionsFromMajority().toCompletableFuture().join();
            return listed("agreed") > 0;
        });
    }

    @AfterAll
    static void stop() {
        InProcessMasters.stop(masters);
    }

    private static double listed(String outcome) {
        return masters.get(0).registry().get("tessera.master.routing.listed.shards").tag("outcome", outcome).counter().count();
    }

    private static double majorityReads() {
        return masters.get(0).registry().get("tessera.master.routing.reads").tag("consistency", "majority").counter().count();
    }

    private static SessionRecord session(String id) {
        return new SessionRecord(id, 1, "media-1", 1, "protected", id, "ROUTED", "MANUAL", "VP8", false, null);
    }

    private static Key<LWWMap<String, SessionRecord>> shardOf(String id) {
        return masters.get(0).table().sessionKeys().get(RoutingTable.shardOf(id));
    }

    private static void write(int master, Replicator.WriteConsistency consistency, String id,
                              java.util.function.BiFunction<LWWMap<String, SessionRecord>, SelfUniqueAddress,
                                      LWWMap<String, SessionRecord>> change) {
        SelfUniqueAddress self = DistributedData.get(masters.get(master).kit().system()).selfUniqueAddress();
        assertTrue(masters.get(master).table().shards().update(shardOf(id), consistency, map -> change.apply(map, self))
                .toCompletableFuture().join());
    }

    private static List<String> listedIds() {
        return masters.get(0).table().allSessionsFromMajority().toCompletableFuture().join().stream()
                .map(SessionRecord::sessionId).toList();
    }

    @Test
    @Order(1)
    void shardsEveryMasterAgreesOnAreListedFromThisReplicaWithoutAMajorityRead() {
        String id = "agreed-" + UUID.randomUUID();
        write(0, new Replicator.WriteAll(Duration.ofSeconds(2)), id, (map, self) -> map.put(self, id, session(id)));
        double majority = majorityReads();
        double agreed = listed("agreed");

        assertTrue(listedIds().contains(id));

        assertEquals(majority, majorityReads(), "no shard read from a majority");
        assertEquals(agreed + RoutingTable.SHARDS, listed("agreed"));
    }

    @Test
    @Order(2)
    void aSessionOnlyAnotherMasterHasIsListedThroughAMajorityReadOfItsShardAlone() {
        String id = "elsewhere-" + UUID.randomUUID();
        write(1, Replicator.writeLocal(), id, (map, self) -> map.put(self, id, session(id)));
        write(2, Replicator.writeLocal(), id, (map, self) -> map.put(self, id, session(id)));
        double majority = majorityReads();
        double fromMajority = listed("majority");

        assertTrue(listedIds().contains(id), "created through B and C, listed by A");

        assertEquals(majority + 1, majorityReads(), "only the shard that differs");
        assertEquals(fromMajority + 1, listed("majority"));
    }

    @Test
    @Order(3)
    void aSessionDeletedOnAMajorityIsNotListedByTheMasterThatStillHasIt() {
        String id = "deleted-" + UUID.randomUUID();
        write(0, new Replicator.WriteAll(Duration.ofSeconds(2)), id, (map, self) -> map.put(self, id, session(id)));
        write(1, Replicator.writeLocal(), id, (map, self) -> map.remove(self, id));
        write(2, Replicator.writeLocal(), id, (map, self) -> map.remove(self, id));

        assertFalse(listedIds().contains(id), "A's copy is older than the delete B and C acknowledged");
    }

    @Test
    @Order(4)
    void aMasterThatAsksNobodyReadsEveryShardFromAMajority() {
        MeterRegistry registry = new SimpleMeterRegistry();
        RoutingTable alone = new RoutingTable(masters.get(0).kit().system(), Duration.ofSeconds(2), Duration.ofSeconds(2),
                new RoutingMeters(registry));

        alone.allSessionsFromMajority().toCompletableFuture().join();

        assertEquals(RoutingTable.SHARDS,
                registry.get("tessera.master.routing.listed.shards").tag("outcome", "majority").counter().count());
        assertEquals(RoutingTable.SHARDS,
                registry.get("tessera.master.routing.reads").tag("consistency", "majority").counter().count());
    }

    @Test
    @Order(5)
    void aDigestIsTheSameWhateverTheOrderAndChangesWithAnyVersion() {
        SelfUniqueAddress a = new SelfUniqueAddress(new UniqueAddress(
                new org.apache.pekko.actor.Address("pekko", "A", "127.0.0.1", 1), 1L));
        SelfUniqueAddress b = new SelfUniqueAddress(new UniqueAddress(
                new org.apache.pekko.actor.Address("pekko", "A", "127.0.0.2", 1), 2L));
        LWWMap<String, SessionRecord> oneThenTwo = LWWMap.<String, SessionRecord>create()
                .put(a, "s1", session("s1"), (current, value) -> 10L)
                .put(a, "s2", session("s2"), (current, value) -> 11L);
        LWWMap<String, SessionRecord> twoThenOne = LWWMap.<String, SessionRecord>create()
                .put(a, "s2", session("s2"), (current, value) -> 11L)
                .put(a, "s1", session("s1"), (current, value) -> 10L);
        LWWMap<String, SessionRecord> newer = oneThenTwo.put(a, "s2", session("s2"), (current, value) -> 12L);
        LWWMap<String, SessionRecord> otherWriter = LWWMap.<String, SessionRecord>create()
                .put(a, "s1", session("s1"), (current, value) -> 10L)
                .put(b, "s2", session("s2"), (current, value) -> 11L);

        assertEquals(AgreedListing.digest(oneThenTwo), AgreedListing.digest(twoThenOne));
        assertNotEquals(AgreedListing.digest(oneThenTwo), AgreedListing.digest(newer));
        assertNotEquals(AgreedListing.digest(oneThenTwo), AgreedListing.digest(otherWriter));
        assertNotEquals(AgreedListing.digest(oneThenTwo), AgreedListing.digest(oneThenTwo.remove(a, "s2")));
        assertNotEquals(AgreedListing.digest(LWWMap.create()), AgreedListing.digest(oneThenTwo.remove(a, "s2")));
    }
}
