package io.tessera.master.routing.gzip;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.cluster.ddata.protobuf.ReplicatedDataSerializer;
import org.apache.pekko.protobufv3.internal.MessageLite;

/**
 * Pekko's serializer of CRDT states, with {@link PooledGzip} for the full states it gzips (LWWMap, ORSet, ORMap).
 * Bound in place of Pekko's under the same name and identifier (tessera-master.conf): each reads what the other
 * writes (PooledGzip says what differs).
 */
public final class PooledGzipReplicatedDataSerializer extends ReplicatedDataSerializer {

    public PooledGzipReplicatedDataSerializer(ExtendedActorSystem system) {
        super(system);
    }

    @Override
    public byte[] compress(MessageLite message) {
        return PooledGzip.compress(message.toByteArray());
    }

    @Override
    public byte[] decompress(byte[] bytes) {
        return PooledGzip.decompress(bytes);
    }
}
