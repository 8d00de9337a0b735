package io.tessera.master.rebuild;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where this master's routing rebuild stands. Closed until the routing table was rebuilt from the media nodes'
 * inventories (or the bound passed): while closed, readiness answers 503 and so do the REST API and the WebSocket
 * endpoint (a client retries elsewhere or later instead of hearing "session not found" from an empty table).
 * A rebuild that failed opens the gate (serving a partial table beats serving nothing) but leaves
 * {@link #routesComplete()} false until a later rebuild succeeds: the media failover must not act on a partial table.
 */
public final class RebuildGate extends AllDirectives {

    /** {@code REBUILDING} (closed), {@code REBUILT}, or {@code FAILED} (open, routes maybe incomplete, retried). */
    public enum State { REBUILDING, REBUILT, FAILED }

    private final AtomicReference<State> state = new AtomicReference<>(State.REBUILDING);
    private final AtomicInteger failures = new AtomicInteger();

    /** {@code tessera.master.rebuild.routes.complete} (1 once rebuilt) and {@code ...rebuild.failures} (total). */
    public RebuildGate bind(MeterRegistry registry) {
        Gauge.builder("tessera.master.rebuild.routes.complete", this, g -> g.routesComplete() ? 1 : 0)
                .description("1 once this master's routing table was rebuilt from the media nodes' inventories; 0 while"
                        + " it rebuilds and after a failed rebuild (the media failover is off while 0)")
                .register(registry);
        FunctionCounter.builder("tessera.master.rebuild.failures", failures, AtomicInteger::get)
                .description("Routing rebuilds that failed or hit rebuild.timeout on this master (each is retried)")
                .register(registry);
        return this;
    }

    public State state() {
        return state.get();
    }

    public boolean isOpen() {
        return state.get() != State.REBUILDING;
    }

    /**
     * Whether this master's table holds every route the media nodes reported: only after a rebuild that succeeded.
     * Until then (rebuilding, or the last rebuild failed) the media failover fails no node over.
     */
    public boolean routesComplete() {
        return state.get() == State.REBUILT;
    }

    /** Why this master is not ready yet (readiness shows it); empty once the routing table is rebuilt. */
    public java.util.Optional<String> refusal() {
        return isOpen() ? java.util.Optional.empty()
                : java.util.Optional.of("rebuilding the routing table from the media nodes");
    }

    void rebuilt() {
        state.set(State.REBUILT);
    }

    /** Serves anyway, the routes maybe incomplete; a rebuild that succeeds later makes them complete. */
    void failed() {
        failures.incrementAndGet();
        state.set(State.FAILED);
    }

    /** {@code inner} once open; a 503 with a JSON reason before. */
    public Route guard(Route inner) {
        return concat(
                extractRequest(request -> isOpen() ? reject() : complete(HttpResponse.create()
                        .withStatus(StatusCodes.SERVICE_UNAVAILABLE)
                        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                                "{\"status\":503,\"error\":\"Service Unavailable\",\"message\":\"this master is"
                                        + " rebuilding its routing table from the media nodes; retry shortly\"}")))),
                inner);
    }
}
