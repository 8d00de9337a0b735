package io.tessera.aws.cdk;

/** The ports the nodes listen on (docs/CONTRACT.md defaults); security groups and user data agree on them. */
final class ClusterPorts {
    static final int MASTER_REMOTING = 2551;
    static final int MEDIA_REMOTING = 2651;
    /** Pekko Management (Cluster Bootstrap probes), the same on every node. */
    static final int MANAGEMENT = 7626;
    static final int MASTER_HTTP = 4443;
    static final int MEDIA_HTTP = 4500;
    /** The media node's process sentinel: the masters' crash watch holds a connection to it (masters only). */
    static final int MEDIA_SENTINEL = 2661;

    private ClusterPorts() {
    }
}
