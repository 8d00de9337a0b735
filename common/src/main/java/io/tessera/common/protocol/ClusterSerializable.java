package io.tessera.common.protocol;

/**
 * Marker for every message and CRDT value that crosses the network between Tessera nodes.
 * Bound to Pekko's Jackson CBOR serializer in reference.conf, so Java serialization is never used.
 */
public interface ClusterSerializable {
}
