package io.tessera.aws.metrics;

import io.tessera.aws.discovery.AwsClients;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the metric publisher needs, from the environment of its systemd unit (the same env file as the master's).
 *
 * @param clusterName the {@link ScalingMetrics#CLUSTER_DIMENSION} value: the stack name the scaling policies use
 * @param masterUrl   the local master's REST base URL
 * @param interval    one sample and one PutMetricData per interval (the policies read 1-minute averages)
 * @param maxAttempts PutMetricData attempts per sample, with the SDK's exponential backoff between them
 */
public record PublisherSettings(String clusterName, URI masterUrl, String secret, Duration interval, int maxAttempts,
                                AwsClients aws) {

    @Override
    public String toString() {
        // Never print the secret.
        return "PublisherSettings[clusterName=" + clusterName + ", masterUrl=" + masterUrl + ", interval=" + interval
                + ", maxAttempts=" + maxAttempts + "]";
    }

    public static PublisherSettings fromEnv(Map<String, String> env) {
        List<String> missing = new ArrayList<>();
        String cluster = required(env, "TESSERA_CLUSTER_NAME", missing);
        String secret = required(env, "TESSERA_SECRET", missing);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("missing environment variables: " + String.join(", ", missing));
        }
        String masterUrl = env.getOrDefault("TESSERA_METRICS_MASTER_URL", "").isBlank()
                ? "http://127.0.0.1:" + env.getOrDefault("TESSERA_HTTP_PORT", "4443")
                : env.get("TESSERA_METRICS_MASTER_URL").trim();
        Duration interval = Duration.ofSeconds(positive(env, "TESSERA_METRICS_INTERVAL_SECONDS", 60));
        int attempts = (int) positive(env, "TESSERA_METRICS_MAX_ATTEMPTS", 4);
        return new PublisherSettings(cluster, URI.create(masterUrl.endsWith("/")
                ? masterUrl.substring(0, masterUrl.length() - 1) : masterUrl), secret, interval, attempts,
                // One call (all attempts) ends well within an interval.
                AwsClients.of(env.getOrDefault("AWS_REGION", ""), env.getOrDefault("TESSERA_AWS_ENDPOINT", ""),
                        interval.dividedBy(2)));
    }

    private static String required(Map<String, String> env, String name, List<String> missing) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            missing.add(name);
            return "";
        }
        return value.trim();
    }

    private static long positive(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
        }
        if (parsed < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + parsed);
        }
        return parsed;
    }
}
