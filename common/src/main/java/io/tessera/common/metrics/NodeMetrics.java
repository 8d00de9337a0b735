package io.tessera.common.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;

/**
 * The one meter registry of a node process, rendered by {@link MetricsRoutes} as {@code /metrics}. Every node
 * creates it first and hands it to the parts that count something. Meters never carry session, participant or
 * stream ids (their number would be unbounded, and ids must not leak to a scraper); the node id appears once, in
 * {@code tessera_node_info}.
 */
public final class NodeMetrics implements AutoCloseable {

    /** Bucket bounds for latencies measured in milliseconds to seconds (joins, routing writes, convergence). */
    public static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;

    private NodeMetrics(String role, String nodeId) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // The Prometheus "info" idiom: join on the scrape's instance label to name the node in dashboards.
        Gauge.builder("tessera.node.info", () -> 1)
                .description("Always 1; names this node and its role")
                .tag("node", nodeId).tag("role", role)
                .register(registry);
    }

    /** A registry with the JVM meters (memory, GC, threads, class loading, CPU, uptime) already bound. */
    public static NodeMetrics create(String role, String nodeId) {
        return new NodeMetrics(role, nodeId);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition (format 0.0.4) of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
