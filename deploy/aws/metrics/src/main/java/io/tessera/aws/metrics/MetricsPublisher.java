package io.tessera.aws.metrics;

import io.tessera.client.rest.MasterRestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * Once per interval: read the local master, publish the sample. A failed read or a publish that used up its
 * attempts skips that interval (logged); the next one starts afresh, so nothing piles up behind a long outage.
 */
final class MetricsPublisher {
    private static final Logger log = LoggerFactory.getLogger(MetricsPublisher.class);

    private final MasterRestClient master;
    private final CloudWatchPublisher cloudWatch;
    private final Duration interval;
    private final Clock clock;
    private boolean failing = true; // so that the first success is logged

    /** {@code master}: the local master's REST API (its {@code GET /openvidu/api/cluster} is read each round). */
    MetricsPublisher(MasterRestClient master, CloudWatchPublisher cloudWatch, Duration interval, Clock clock) {
        this.master = master;
        this.cloudWatch = cloudWatch;
        this.interval = interval;
        this.clock = clock;
    }

    /** Until interrupted. */
    void run() throws InterruptedException {
        long next = System.nanoTime();
        while (true) {
            publishOnce();
            next += interval.toNanos();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } else {
                next = System.nanoTime(); // a slow round: no burst of catch-up rounds after it
            }
        }
    }

    /** True when the sample reached CloudWatch. */
    boolean publishOnce() throws InterruptedException {
        ClusterSample sample;
        try {
            sample = ClusterSample.of(master.clusterView());
        } catch (IOException e) {
            // A refused connection has no message: name the exception then.
            log.warn("cannot read the local master, no metrics this round: {}",
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            failing = true;
            return false;
        }
        try {
            cloudWatch.publish(sample, clock.instant());
        } catch (SdkException e) {
            log.warn("PutMetricData failed, no metrics this round: {}", e.getMessage());
            failing = true;
            return false;
        }
        if (failing) {
            log.info("publishing: {} has {} connections; media load {} / {} sessions", sample.masterId(),
                    sample.connections(), sample.sessions(), sample.capacity());
            failing = false;
        }
        return true;
    }
}
