package io.tessera.master.routing.gzip;

import com.typesafe.config.ConfigFactory;
import io.tessera.master.routing.SessionRecord;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.ReplicatedData;
import org.apache.pekko.cluster.ddata.VersionVector;
import org.apache.pekko.cluster.ddata.VersionVector$;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    /**
     * A data envelope serialized on its own is what the replicator hashes for a digest: its shard is stored, not
     * deflated, however large; inside a replicator message (here a write) and on its own, the shard is still deflated.
     */
    @Test
    void aDigestStoresTheShardWhileMessagesStillDeflateIt() throws Exception {
        SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
        LWWMap<String, SessionRecord> shard = LWWMap.create();
        for (int i = 0; i < 150; i++) { // over 4 KiB serialized, within one stored block (64 KiB)
            String id = "ses_" + i;
            shard = shard.put(self, id, new SessionRecord(id, 1_700_000_000_000L + i, "media-" + (i % 3), i, "normal",
                    "", "ROUTED", "MANUAL", "VP8", false, "{}"));
        }
        ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
        PooledGzipReplicatedDataSerializer data = new PooledGzipReplicatedDataSerializer(classic);
        PooledGzipReplicatorMessageSerializer messages = new PooledGzipReplicatorMessageSerializer(classic);
        byte[] raw = PooledGzip.decompress(data.toBinary(shard));
        assertTrue(raw.length > PooledGzip.STORED_UP_TO_BYTES && raw.length < 65535, "a shard that would be deflated, "
                + "in one stored block: " + raw.length);

        Object envelope = PooledGzipReplicatorMessageSerializer.DATA_ENVELOPE.getConstructor(ReplicatedData.class,
                scala.collection.immutable.Map.class, VersionVector.class).newInstance(shard,
                scala.collection.immutable.Map$.MODULE$.empty(), VersionVector$.MODULE$.empty());
        byte[] digested = messages.toBinary(envelope);
        assertTrue(contains(digested, raw), "the digest's bytes hold the shard as it is, stored");
        assertArrayEquals(digested, messages.toBinary(envelope), "the same bytes every time: digests agree");

        Object write = Class.forName("org.apache.pekko.cluster.ddata.Replicator$Internal$Write")
                .getConstructor(String.class, PooledGzipReplicatorMessageSerializer.DATA_ENVELOPE, scala.Option.class)
                .newInstance("sessions-0", envelope, scala.Option.apply(self.uniqueAddress()));
        byte[] written = messages.toBinary(write);
        assertFalse(contains(written, raw), "a write carries the shard deflated");
        assertTrue(written.length < raw.length / 2, "deflated: " + written.length + " bytes for " + raw.length);
        assertTrue(data.toBinary(shard).length < raw.length / 2, "the shard alone is deflated again afterwards");
    }

    /**
     * A delta propagation carries every key's changes of one delta interval: 1 000 keys with 3 new sessions each here
     * (a burst of creates). Pekko sends it plain, and such bursts passed Artery's 256 KiB frame;
     * these masters send it gzipped, read it back, and read Pekko's plain form too.
     */
    @Test
    void aDeltaPropagationIsGzippedAndBothFormsAreRead() throws Exception {
        SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
        Class<?> deltaClass = Class.forName("org.apache.pekko.cluster.ddata.Replicator$Internal$Delta");
        scala.collection.immutable.Map<String, Object> deltas = scala.collection.immutable.Map$.MODULE$.empty();
        for (int key = 0; key < 1000; key++) {
            LWWMap<String, SessionRecord> delta = LWWMap.create();
            for (int i = 0; i < 3; i++) {
                String id = "ses_" + key + "_" + i;
                delta = delta.put(self, id, new SessionRecord(id, 1_700_000_000_000L + i, "media-" + (i % 2), i,
                        "normal", "", "ROUTED", "MANUAL", "VP8", false, "{}"));
            }
            Object envelope = PooledGzipReplicatorMessageSerializer.DATA_ENVELOPE.getConstructor(ReplicatedData.class,
                    scala.collection.immutable.Map.class, VersionVector.class).newInstance(delta,
                    scala.collection.immutable.Map$.MODULE$.empty(), VersionVector$.MODULE$.empty());
            deltas = deltas.updated("sessions-" + key,
                    deltaClass.getConstructor(PooledGzipReplicatorMessageSerializer.DATA_ENVELOPE, long.class, long.class)
                            .newInstance(envelope, 1L, 1L));
        }
        Object propagation = Class.forName("org.apache.pekko.cluster.ddata.Replicator$Internal$DeltaPropagation")
                .getConstructor(org.apache.pekko.cluster.UniqueAddress.class, boolean.class,
                        scala.collection.immutable.Map.class)
                .newInstance(self.uniqueAddress(), false, deltas);

        ExtendedActorSystem classic = (ExtendedActorSystem) Adapter.toClassic(system);
        PooledGzipReplicatorMessageSerializer ours = new PooledGzipReplicatorMessageSerializer(classic);
        org.apache.pekko.cluster.ddata.protobuf.ReplicatorMessageSerializer pekkos =
                new org.apache.pekko.cluster.ddata.protobuf.ReplicatorMessageSerializer(classic);
        String manifest = ours.manifest(propagation);
        byte[] plain = pekkos.toBinary(propagation);
        byte[] gzipped = ours.toBinary(propagation);
        assertTrue(PooledGzip.isGzip(gzipped) && !PooledGzip.isGzip(plain));
        assertTrue(gzipped.length < plain.length / 3, "gzipped " + gzipped.length + " bytes, plain " + plain.length);
        assertEquals(propagation, ours.fromBinary(gzipped, manifest));
        assertEquals(propagation, ours.fromBinary(plain, manifest), "a plain one (Pekko's serializer) is read too");
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
