package io.tessera.common.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {

    @Test
    void scrapeHasTheNodeInfoTheJvmMetersAndCountersInPrometheusNaming() {
        try (NodeMetrics metrics = NodeMetrics.create("media", "media-7")) {
            Counter.builder("tessera.test.things").register(metrics.registry()).increment(3);
            String text = metrics.scrape();
            assertTrue(text.contains("tessera_node_info{node=\"media-7\",role=\"media\"} 1"), text);
            assertTrue(text.contains("tessera_test_things_total 3.0"), text);
            assertTrue(text.contains("# TYPE tessera_test_things_total counter")
                    || text.contains("# TYPE tessera_test_things counter"), text);
            for (String jvm : new String[]{"jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage",
                    "process_uptime_seconds", "jvm_classes_loaded_classes"}) {
                assertTrue(text.contains(jvm), jvm + " missing");
            }
        }
    }
}
