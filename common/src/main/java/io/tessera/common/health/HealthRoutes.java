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

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Liveness and readiness for load balancers and scripts. Neither reads CRDTs: a node that is slow to
 * converge must still answer, and readiness only says whether this node is an Up cluster member and, on a master,
 * whether it may serve (its serving gate: not downed, leaving or fenced).
 */
public final class HealthRoutes extends AllDirectives {
    private final Cluster cluster;
    /** Empty when the node may serve; otherwise why not (shown in the 503 body). */
    private final Supplier<Optional<String>> refusal;

    public HealthRoutes(ActorSystem<?> system) {
        this(system, Optional::empty);
    }

    /** {@code refusal}: the node's own reason not to be ready on top of cluster membership (empty: none). */
    public HealthRoutes(ActorSystem<?> system, Supplier<Optional<String>> refusal) {
        this.cluster = Cluster.get(system);
        this.refusal = refusal;
    }

    public Route routes() {
        return pathPrefix("health", () -> concat(
                path("live", () -> get(() -> complete(json(200, "{\"status\":\"UP\"}")))),
                path("ready", () -> get(() -> complete(readiness())))));
    }

    public boolean isReady() {
        return cluster.selfMember().status() == MemberStatus.up() && refusal.get().isEmpty();
    }

    private HttpResponse readiness() {
        if (cluster.selfMember().status() != MemberStatus.up()) {
            return json(503, "{\"status\":\"NOT_READY\"}");
        }
        // The messages are the node's own sentences (no quotes or backslashes), written as they are.
        return refusal.get().map(why -> json(503, "{\"status\":\"NOT_READY\",\"reason\":\"" + why + "\"}"))
                .orElseGet(() -> json(200, "{\"status\":\"READY\"}"));
    }

    private static HttpResponse json(int status, String body) {
        return HttpResponse.create().withStatus(StatusCodes.get(status))
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    }
}
