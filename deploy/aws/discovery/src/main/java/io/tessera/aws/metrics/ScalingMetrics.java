package io.tessera.aws.metrics;

/**
 * The CloudWatch metrics the Auto Scaling policies track (deploy/aws/cdk) and the cluster publishes. The one
 * place these names live: the CDK stack reads them from here, and the publisher (the metrics work, issue 8)
 * must too. Each is published once per cluster, with the dimension {@link #CLUSTER_DIMENSION} = the stack name.
 */
public final class ScalingMetrics {
    public static final String NAMESPACE = "Tessera";
    public static final String CLUSTER_DIMENSION = "Cluster";
    /** Sessions hosted over session capacity (sum over running media nodes), 0..1. Media nodes scale on it. */
    public static final String MEDIA_NODE_LOAD_RATIO = "MediaNodeLoadRatio";
    /** WebSocket connections per master (average over masters). Masters scale on it. */
    public static final String MASTER_CONNECTIONS = "MasterConnections";

    private ScalingMetrics() {
    }
}
