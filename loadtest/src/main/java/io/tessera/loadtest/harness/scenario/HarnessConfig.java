package io.tessera.loadtest.harness.scenario;

import io.tessera.loadtest.harness.chaos.ChaosExecutor;
import io.tessera.loadtest.harness.chaos.ChaosSchedule;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything one run needs. {@code masters} are HTTP base URLs (a master or a load balancer each); the WebSocket
 * URL of each is derived from it. {@code pids} (optional) names the node processes to sample.
 */
public record HarnessConfig(String runName, List<URI> masters, String secret, int sessions, int participants,
                            int publishers, Topology topology, MediaProfile media, double joinsPerSecond,
                            Duration duration, ChaosSchedule chaos, ChaosExecutor chaosExecutor, Path outputDir,
                            String clientHost, int workers, Duration gapThreshold,
                            Supplier<Map<String, Long>> pids, BrowserPlan browsers) {

    /** Everything but the secret: a config printed or logged must not carry it. */
    @Override
    public String toString() {
        return "HarnessConfig[runName=" + runName + ", masters=" + masters + ", sessions=" + sessions
                + ", participants=" + participants + ", publishers=" + publishers + ", topology=" + topology
                + ", joinsPerSecond=" + joinsPerSecond + ", duration=" + duration + ", workers=" + workers
                + ", browsers=" + browsers + "]";
    }

    public HarnessConfig {
        Objects.requireNonNull(runName, "runName");
        if (!runName.matches("[A-Za-z0-9_-]{1,40}")) {
            throw new IllegalArgumentException("run name must be 1-40 of [A-Za-z0-9_-]: it prefixes session ids");
        }
        masters = List.copyOf(masters);
        if (masters.isEmpty()) {
            throw new IllegalArgumentException("at least one master URL");
        }
        Objects.requireNonNull(secret, "secret");
        if (sessions < 1 || participants < 1 || sessions * (long) participants > 100_000) {
            throw new IllegalArgumentException("sessions and participants must be >= 1, at most 100000 in all");
        }
        if (publishers < 0 || publishers > participants) {
            throw new IllegalArgumentException("publishers must be 0.." + participants + ", got " + publishers);
        }
        if (topology == Topology.ONE_N && publishers != 1) {
            throw new IllegalArgumentException("topology 1:n has exactly one publisher per session, got " + publishers);
        }
        if (!(joinsPerSecond > 0)) {
            throw new IllegalArgumentException("join rate must be positive");
        }
        if (chaos.end().compareTo(duration) > 0) {
            throw new IllegalArgumentException("the chaos schedule ends at " + chaos.end().toMillis()
                    + " ms, after the run's duration " + duration.toMillis() + " ms");
        }
        if (!chaos.actions().isEmpty() && chaosExecutor == null) {
            throw new IllegalArgumentException("a chaos schedule needs an executor (bin/cluster, a hook, or your own)");
        }
        browsers = browsers == null ? BrowserPlan.NONE : browsers;
        if (workers < 1 || workers > 512) {
            throw new IllegalArgumentException("workers must be 1..512");
        }
    }

    public int plannedParticipants() {
        return sessions * participants;
    }

    /** Subscriptions the plan makes in all. */
    public int plannedSubscriptions() {
        int perSession = 0;
        for (int s = 0; s < participants; s++) {
            for (int p = 0; p < publishers; p++) {
                if (topology.receives(s, p)) {
                    perSession++;
                }
            }
        }
        return perSession * sessions;
    }

    /** Seconds the join ramp takes at the configured rate. */
    public double rampSeconds() {
        return plannedParticipants() / joinsPerSecond;
    }

    public static URI webSocketUri(URI http) {
        String scheme = "https".equalsIgnoreCase(http.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + http.getAuthority() + "/openvidu");
    }
}
