package io.tessera.aws.lifecycle;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;

/** The scale-in handler that runs beside a node on every instance (systemd unit tessera-lifecycle.service). */
public final class LifecycleHandlerMain {
    private LifecycleHandlerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        HandlerSettings settings;
        try {
            settings = HandlerSettings.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("tessera lifecycle handler: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logs) {
            // The same fields as the nodes' lines: which instance's handler said it.
            logs.putProperty("role", "lifecycle");
            logs.putProperty("nodeId", settings.nodeId());
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (AutoScalingClient autoScaling = settings.aws().autoScaling()) {
            new ScaleInHandler(settings,
                    new InstanceMetadata(settings.metadataEndpoint(), http),
                    new MasterRestClient(settings.masterUrl(), settings.secret(), http),
                    new LifecycleActions(autoScaling, settings.autoScalingGroup(), settings.lifecycleHook()),
                    ServiceStopper.systemctl(settings.serviceUnit()),
                    Clock.systemUTC()).run();
        }
    }
}
