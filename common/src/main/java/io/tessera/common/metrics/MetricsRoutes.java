package io.tessera.common.metrics;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code GET /metrics} for Prometheus. Like {@code /health} it needs no credentials (a scraper has none); it shows
 * totals and gauges only, never a secret, token, session or participant id. Rendering runs on the blocking
 * dispatcher: some gauges ask a media node's forwarding threads for their counters and may wait a little.
 */
public final class MetricsRoutes extends AllDirectives {
    static final ContentType PROMETHEUS_TEXT = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

    private final NodeMetrics metrics;
    private final Executor blocking;

    public MetricsRoutes(ActorSystem<?> system, NodeMetrics metrics) {
        this.metrics = metrics;
        this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    }

    public Route routes() {
        return path("metrics", () -> get(() -> onSuccess(CompletableFuture.supplyAsync(metrics::scrape, blocking),
                text -> complete(HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS_TEXT, text.getBytes(java.nio.charset.StandardCharsets.UTF_8)))))));
    }
}
