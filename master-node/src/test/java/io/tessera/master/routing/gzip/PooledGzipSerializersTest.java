package io.tessera.master.routing.gzip;

import com.typesafe.config.ConfigFactory;
import io.tessera.master.routing.SessionRecord;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.Replicator;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.protobuf.ReplicatedDataSerializer;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A master serializes routing shards with the pooled-gzip serializers, under Pekko's identifiers. They store small
 * shards and deflate large ones to Pekko's own bytes, always give the same bytes for the same shard (digests, the SHA-1
 * of these bytes, agree between masters), and they and Pekko's serializers read each other's full states.
 */
class PooledGzipSerializersTest {
    private static ActorSystem<Void> system;
    private static Serialization serialization;

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "pooled-gzip-test", ConfigFactory.parseString("""
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.seed-nodes = []
                pekko.cluster.downing-provider-class = ""
                pekko.coordinated-shutdown.exit-jvm = off
                """).withFallback(ConfigFactory.load("tessera-master")));
        serialization = SerializationExtension.get(Adapter.toClassic(system));
    }

    @AfterAll
    static void stop() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    @Test
    void theMastersConfigurationBindsThemUnderPekkosIdentifiers() throws Exception {
        Serializer data = serialization.findSerializerFor(LWWMap.create());
        assertInstanceOf(PooledGzipReplicatedDataSerializer.class, data);
        assertEquals(11, data.identifier());
        Serializer messages = serialization.serializerFor(Replicator.ReplicatorMessage.class);
        assertInstanceOf(PooledGzipReplicatorMessageSerializer.class, messages);
        assertEquals(12, messages.identifier());
    }

    /** 0 to 2 000 sessions: the larger shards are over 4 KiB serialized, so Pekko writes them to gzip in chunks. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 10, 300, 2000})
    void aShardSerializesToPekkosBytesAndEachReadsTheOther(int sessions) throws Exception {
        SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
        LWWMap<String, SessionRecord> shard = LWWMap.create();
        for (int i = 0; i < sessions; i++) {
            String id = "ses_" + i;
            shard = shard.put(self, id, new SessionRecord(id, 1_700_000_000_000L + i, "media-" + (i % 3), i, "normal",
                    i % 2 == 0 ? "" : "custom-" + i, "ROUTED", "MANUAL", "VP8", false, "{}"));
        }
        ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
        ReplicatedDataSerializer pekkos = new ReplicatedDataSerializer(classic);
        PooledGzipReplicatedDataSerializer pooled = new PooledGzipReplicatedDataSerializer(classic);
        String manifest = pekkos.manifest(shard);

        byte[] bytes = pooled.toBinary(shard);
        byte[] pekkosBytes = pekkos.toBinary(shard);
        if (PooledGzip.decompress(pekkosBytes).length > PooledGzip.STORED_UP_TO_BYTES) {
            assertArrayEquals(pekkosBytes, bytes, "deflated as Pekko does");
        } else {
            assertArrayEquals(PooledGzip.decompress(pekkosBytes), PooledGzip.decompress(bytes), "stored");
        }
        assertArrayEquals(bytes, pooled.toBinary(shard), "the same bytes every time: digests agree");
        assertEquals(shard, pekkos.fromBinary(bytes, manifest));
        assertEquals(shard, pooled.fromBinary(pekkos.toBinary(shard), manifest));
    }
}
