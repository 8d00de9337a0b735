package io.tessera.aws.metrics;

import io.tessera.client.rest.MasterRestClient;
import java.time.Clock;

/** The metric publisher beside every master (systemd unit tessera-metrics.service). */
public final class MetricsPublisherMain {
    private MetricsPublisherMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        // Not named logback.xml: this jar shares class paths with the nodes (tests), whose logback.xml must win.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "tessera-aws-metrics-logback.xml");
        }
        PublisherSettings settings;
        try {
            settings = PublisherSettings.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("tessera metric publisher: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (CloudWatchPublisher cloudWatch = new CloudWatchPublisher(
                CloudWatchPublisher.client(settings.aws(), settings.maxAttempts()), settings.clusterName())) {
            new MetricsPublisher(MasterRestClient.create(settings.masterUrl(), settings.secret()), cloudWatch,
                    settings.interval(), Clock.systemUTC()).run();
        }
    }
}
