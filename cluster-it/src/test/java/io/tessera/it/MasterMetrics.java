package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.client.rest.RestResponse;

/** Metrics summed over the live masters of a test cluster (singleton counters count on whichever master ran it). */
final class MasterMetrics {
    /** {@code tessera_master_media_node_crashes_seen_total}: media nodes the crash watch found gone. */
    static final String CRASHES_SEEN = "tessera_master_media_node_crashes_seen_total";
    static final String SLOW_HELD_OFF = "tessera_master_media_node_slow_held_off_total";

    private MasterMetrics() {
    }

    /** {@code name} summed over every master still alive; 0 where a master does not have it. */
    static double sum(ClusterProcesses cluster, String name) throws Exception {
        double sum = 0;
        for (ClusterProcesses.Node master : cluster.masters()) {
            if (!cluster.isAlive(master)) {
                continue;
            }
            RestResponse r = cluster.rest(master).withoutCredentials().send("GET", "/metrics");
            assertEquals(200, r.status(), r::toString);
            PrometheusText metrics = PrometheusText.parse(r.text());
            sum += metrics.has(name) ? metrics.value(name) : 0;
        }
        return sum;
    }
}
