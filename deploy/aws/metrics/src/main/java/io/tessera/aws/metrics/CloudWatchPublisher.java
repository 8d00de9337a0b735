package io.tessera.aws.metrics;

import io.tessera.aws.discovery.AwsClients;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClientBuilder;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

import java.time.Instant;
import java.util.List;

/**
 * Puts one sample into CloudWatch as the two metrics the scaling policies track, both with the dimension
 * Cluster=clusterName. Every master publishes: MasterConnections is its own count (the policy's Average over
 * the masters' data points is connections per master); MediaNodeLoadRatio is the cluster's, the same from every
 * master (so it keeps coming while one master is down).
 */
final class CloudWatchPublisher implements AutoCloseable {
    private final CloudWatchClient cloudWatch;
    private final String clusterName;

    CloudWatchPublisher(CloudWatchClient cloudWatch, String clusterName) {
        this.cloudWatch = cloudWatch;
        this.clusterName = clusterName;
    }

    /**
     * Bounded: the standard retry strategy (exponential backoff with jitter) makes at most maxAttempts attempts,
     * and the call timeout of {@code aws} bounds them all together.
     */
    static CloudWatchClient client(AwsClients aws, int maxAttempts) {
        CloudWatchClientBuilder builder = CloudWatchClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(aws.callTimeout())
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).build())
                        .build());
        aws.region().ifPresent(builder::region);
        aws.endpointOverride().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** Throws the SDK's exception once the attempts are used up. */
    void publish(ClusterSample sample, Instant at) {
        Dimension cluster = Dimension.builder().name(ScalingMetrics.CLUSTER_DIMENSION).value(clusterName).build();
        cloudWatch.putMetricData(r -> r.namespace(ScalingMetrics.NAMESPACE).metricData(List.of(
                MetricDatum.builder().metricName(ScalingMetrics.MASTER_CONNECTIONS).dimensions(cluster)
                        .timestamp(at).value((double) sample.connections()).unit(StandardUnit.COUNT).build(),
                MetricDatum.builder().metricName(ScalingMetrics.MEDIA_NODE_LOAD_RATIO).dimensions(cluster)
                        .timestamp(at).value(sample.mediaLoadRatio()).unit(StandardUnit.NONE).build())));
    }

    @Override
    public void close() {
        cloudWatch.close();
    }
}
