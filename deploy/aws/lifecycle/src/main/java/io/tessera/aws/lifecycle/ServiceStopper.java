package io.tessera.aws.lifecycle;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Stops the node's service: SIGTERM, so Pekko's coordinated shutdown leaves the cluster gracefully. */
@FunctionalInterface
public interface ServiceStopper {
    void stop() throws IOException, InterruptedException;

    /** systemctl stop waits for the unit to exit (its TimeoutStopSec bounds that); a stop is not restarted. */
    static ServiceStopper systemctl(String unit) {
        return () -> {
            Process process = new ProcessBuilder("systemctl", "stop", unit).inheritIO().start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("systemctl stop " + unit + " did not return in 5 minutes");
            }
            if (process.exitValue() != 0) {
                throw new IOException("systemctl stop " + unit + " exited " + process.exitValue());
            }
        };
    }
}
