package io.tessera.master.routing.gzip;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.cluster.ddata.protobuf.ReplicatorMessageSerializer;
import org.apache.pekko.protobufv3.internal.MessageLite;

/**
 * Pekko's serializer of the replicator's messages, with {@link PooledGzip} for the ones it gzips (gossip). Bound in
 * place of Pekko's under the same name and identifier (tessera-master.conf): each reads what the other writes.
 */
public final class PooledGzipReplicatorMessageSerializer extends ReplicatorMessageSerializer {

    public PooledGzipReplicatorMessageSerializer(ExtendedActorSystem system) {
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
