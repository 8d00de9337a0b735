package io.tessera.master.rebuild;

import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closed until this master's routing table was rebuilt from the media nodes' inventories (or the bound passed): while
 * closed, readiness answers 503 and so do the REST API and the WebSocket endpoint (a client retries elsewhere or
 * later instead of hearing "session not found" from an empty table).
 */
public final class RebuildGate extends AllDirectives {
    private final AtomicBoolean open = new AtomicBoolean();

    public boolean isOpen() {
        return open.get();
    }

    /** Why this master is not ready yet (readiness shows it); empty once the routing table is rebuilt. */
    public java.util.Optional<String> refusal() {
        return open.get() ? java.util.Optional.empty()
                : java.util.Optional.of("rebuilding the routing table from the media nodes");
    }

    void open() {
        open.set(true);
    }

    /** {@code inner} once open; a 503 with a JSON reason before. */
    public Route guard(Route inner) {
        return concat(
                extractRequest(request -> open.get() ? reject() : complete(HttpResponse.create()
                        .withStatus(StatusCodes.SERVICE_UNAVAILABLE)
                        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                                "{\"status\":503,\"error\":\"Service Unavailable\",\"message\":\"this master is"
                                        + " rebuilding its routing table from the media nodes; retry shortly\"}")))),
                inner);
    }
}
