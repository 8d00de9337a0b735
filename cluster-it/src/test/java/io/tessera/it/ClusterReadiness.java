package io.tessera.it;

import static org.awaitility.Awaitility.await;

import io.tessera.client.rest.ClusterView;
import io.tessera.it.ClusterProcesses.Node;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * When a started {@link ClusterProcesses} is ready for a test: every node answers {@code /health/ready} with 200 and
 * every master's {@code /openvidu/api/cluster} shows all masters up and all media nodes running. A node that exits
 * meanwhile fails the wait at once; a timeout fails it with what each node reported and the logs of those not ready.
 */
final class ClusterReadiness {
    private final ClusterProcesses cluster;
    private final String testName;
    private String lastReadiness = "not polled yet";
    private Set<String> notReady = Set.of();

    ClusterReadiness(ClusterProcesses cluster, String testName) {
        this.cluster = cluster;
        this.testName = testName;
    }

    void awaitReady(Duration timeout) {
        try {
            await("cluster " + testName + " ready")
                    .atMost(timeout)
                    .pollDelay(Duration.ofMillis(500))
                    .pollInterval(Duration.ofMillis(500))
                    .until(this::readyNow);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("cluster " + testName + " not ready within " + timeout.toSeconds() + " s: "
                    + lastReadiness() + notReadyLogs(), e);
        }
    }

    // Awaitility polls on a thread of its own: the state it leaves is read here after the wait.
    private synchronized String lastReadiness() {
        return lastReadiness;
    }

    private boolean readyNow() {
        for (Node n : cluster.allNodes()) {
            Process p = cluster.process(n);
            if (!p.isAlive()) {
                throw new AssertionError(n.id() + " exited with code " + p.exitValue()
                        + " while the cluster was starting\n--- tail of " + n.log() + " ---\n"
                        + cluster.tail(n, ClusterProcesses.LOG_TAIL_LINES));
            }
        }
        Map<String, String> status = new LinkedHashMap<>();
        Set<String> pending = new HashSet<>();
        for (Node n : cluster.allNodes()) {
            String s = cluster.probe(n, "/health/ready");
            status.put(n.id(), s);
            if (!s.startsWith("200")) {
                pending.add(n.id());
            }
        }
        String clusterView = "not checked";
        if (pending.isEmpty()) {
            // Every master places sessions from its own view (load reports reach each master on its own), so each
            // one must see every master up and every media node running, reachable and reporting: checking one
            // master let a create on another answer 503 "no media node is available" right after start.
            StringBuilder views = new StringBuilder();
            for (Node master : cluster.masters()) {
                views.append(master.id()).append(": ").append(viewOf(master, pending)).append("; ");
            }
            clusterView = views.toString();
        }
        synchronized (this) {
            notReady = pending;
            lastReadiness = "health " + status + "; cluster view: " + clusterView + "; not ready: " + pending;
        }
        return pending.isEmpty();
    }

    /** What {@code master} sees, adding to {@code pending} each node it does not see ready (or itself if unasked). */
    private String viewOf(Node master, Set<String> pending) {
        try {
            ClusterView view = cluster.rest(master).clusterView();
            Set<String> upMasters = view.masters().stream().filter(m -> "up".equals(m.status()) && m.reachable())
                    .map(ClusterView.Member::id).collect(Collectors.toSet());
            Set<String> runningMedia = view.mediaNodes().stream()
                    .filter(m -> m.isRunning() && m.reachable() && m.lastReportAgeMs() < 3_000)
                    .map(ClusterView.MediaMember::id).collect(Collectors.toSet());
            cluster.masters().stream().map(Node::id).filter(id -> !upMasters.contains(id)).forEach(pending::add);
            cluster.mediaNodes().stream().map(Node::id).filter(id -> !runningMedia.contains(id)).forEach(pending::add);
            // A master serves with an incomplete routing table when its rebuild could not ask every media node (one
            // unreachable for a moment at start); until its next round it answers creates with a custom session id
            // 503 (DrainPlacementTest in CI). Ready means ready for any request.
            boolean routesComplete = routesComplete(master);
            if (!routesComplete) {
                pending.add(master.id());
            }
            return "masters up " + upMasters + ", media running " + runningMedia + ", routes complete " + routesComplete;
        } catch (IOException e) {
            pending.add(master.id());
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the cluster", e);
        }
    }

    /** Whether {@code master}'s routing table is complete ({@code tessera_master_rebuild_routes_complete} 1). */
    private boolean routesComplete(Node master) throws IOException, InterruptedException {
        String metrics = cluster.rest(master).send("GET", "/metrics").text();
        return metrics.lines().filter(l -> l.startsWith("tessera_master_rebuild_routes_complete"))
                .anyMatch(l -> l.endsWith(" 1.0") || l.endsWith(" 1"));
    }

    private synchronized String notReadyLogs() {
        StringBuilder sb = new StringBuilder();
        for (Node n : cluster.allNodes()) {
            if (notReady.contains(n.id())) {
                sb.append("\n--- tail of ").append(n.log()).append(" ---\n")
                        .append(cluster.tail(n, ClusterProcesses.LOG_TAIL_LINES));
            }
        }
        return sb.toString();
    }
}
