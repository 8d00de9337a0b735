package io.tessera.common.health;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

import java.util.function.BooleanSupplier;

/**
 * Liveness and readiness for load balancers and scripts. Neither reads CRDTs: a node that is slow to
 * converge must still answer, and readiness only says whether this node is an Up cluster member and, on a master,
 * whether its routing table was rebuilt ({@code alsoReady}).
 */
public final class HealthRoutes extends AllDirectives {
    private final Cluster cluster;
    private final BooleanSupplier alsoReady;

    public HealthRoutes(ActorSystem<?> system) {
        this(system, () -> true);
    }

    /** {@code alsoReady}: a node-specific condition of readiness, read on every probe (must not block). */
    public HealthRoutes(ActorSystem<?> system, BooleanSupplier alsoReady) {
        this.cluster = Cluster.get(system);
        this.alsoReady = alsoReady;
    }

    public Route routes() {
        return pathPrefix("health", () -> concat(
                path("live", () -> get(() -> complete(json(200, "{\"status\":\"UP\"}")))),
                path("ready", () -> get(() -> complete(isReady()
                        ? json(200, "{\"status\":\"READY\"}")
                        : json(503, "{\"status\":\"NOT_READY\"}"))))));
    }

    public boolean isReady() {
        return cluster.selfMember().status() == MemberStatus.up() && alsoReady.getAsBoolean();
    }

    private static HttpResponse json(int status, String body) {
        return HttpResponse.create().withStatus(StatusCodes.get(status))
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    }
}
