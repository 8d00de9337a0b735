package io.tessera.aws.lifecycle;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;


/** The scale-in handler that runs beside a node on every instance (systemd unit tessera-lifecycle.service). */
public final class LifecycleHandlerMain {
    private LifecycleHandlerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        // Not named logback.xml: this jar shares class paths with the nodes (tests), whose logback.xml must win.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "tessera-aws-lifecycle-logback.xml");
        }
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
        try (AutoScalingClient autoScaling = settings.aws().autoScaling()) {
            ScaleInHandler.create(settings, autoScaling, ServiceStopper.systemctl(settings.serviceUnit())).run();
        }
    }
}
