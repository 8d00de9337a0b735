package io.tessera.master.routing.gzip;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.cluster.ddata.protobuf.ReplicatorMessageSerializer;
import org.apache.pekko.protobufv3.internal.MessageLite;

/**
 * Pekko's serializer of the replicator's messages, with {@link PooledGzip} for the ones it gzips (gossip), and delta
 * propagations gzipped too ({@link #fromBinary}). Bound in
 * place of Pekko's under the same name and identifier (tessera-master.conf): each reads what the other writes.
 *
 * <p>A data envelope serialized on its own is a digest: the replicator hashes {@code toBinary(envelope)} to compare
 * its copy of a key with another master's, and sends envelopes only inside its messages (gossip, writes, read
 * results), which serialize them without coming through here. So its shard is stored rather than deflated
 * ({@link PooledGzip#storedWhile}). While older masters run next to these (a rolling upgrade), their digests of the
 * larger shards differ and gossip ships those shards whole each round until the upgrade is done; nothing is lost.
 */
public final class PooledGzipReplicatorMessageSerializer extends ReplicatorMessageSerializer {
    /** Pekko's {@code Replicator.Internal.DataEnvelope}, which Java cannot name (a class in a Scala object). */
    static final Class<?> DATA_ENVELOPE = dataEnvelopeClass();

    public PooledGzipReplicatorMessageSerializer(ExtendedActorSystem system) {
        super(system);
    }

    @Override
    public byte[] toBinary(Object message) {
        if (DATA_ENVELOPE.isInstance(message)) {
            return PooledGzip.storedWhile(() -> super.toBinary(message));
        }
        if (DeltaPropagationManifest().equals(manifest(message))) {
            return PooledGzip.compress(super.toBinary(message));
        }
        return super.toBinary(message);
    }

    /**
     * Delta propagations arrive gzipped from these masters and plain from Pekko's own serializer. Pekko does not
     * compress them, and one carries every change of the last delta interval (2 s) whose key stayed under
     * {@code max-delta-size}: a burst of creates or deletes, or a few tokens with large {@code data}, took it past
     * Artery's 256 KiB frame and Artery dropped it (HostileInputTest's 507 case saw it; docs/BENCHMARKS.md "A thousand
     * shards" counted 130-228 a run with 10 000 sessions). A protobuf message never starts with gzip's magic byte
     * 0x1f (wire type 7 does not exist).
     */
    @Override
    public Object fromBinary(byte[] bytes, String manifest) {
        if (DeltaPropagationManifest().equals(manifest) && PooledGzip.isGzip(bytes)) {
            return super.fromBinary(PooledGzip.decompress(bytes), manifest);
        }
        return super.fromBinary(bytes, manifest);
    }

    @Override
    public byte[] compress(MessageLite message) {
        return PooledGzip.compress(message.toByteArray());
    }

    @Override
    public byte[] decompress(byte[] bytes) {
        return PooledGzip.decompress(bytes);
    }

    private static Class<?> dataEnvelopeClass() {
        try {
            return Class.forName("org.apache.pekko.cluster.ddata.Replicator$Internal$DataEnvelope");
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
