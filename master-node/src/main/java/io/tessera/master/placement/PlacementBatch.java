package io.tessera.master.placement;

import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.placement.RecoveryPlacement.Assignment;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.SessionRecord;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries out one batch of {@link RecoveryPlacement}: every {@code HostSession} ask at once, then one route write
 * for the sessions whose node accepted (the node hosts the session before the route names it, as at create).
 */
final class PlacementBatch {

    /**
     * {@code refused}: assignments whose node refused or did not answer, with why; {@code moved}: the records the write
     * moved, by session id (a session absent from both was no longer on the failed node: ended or moved meanwhile).
     */
    record Outcome(Map<Assignment, Throwable> refused, Map<String, SessionRecord> moved) {
    }

    private PlacementBatch() {
    }

    /** Fails only when the route write fails: then every accepted session of the batch is to be placed again. */
    static CompletionStage<Outcome> place(List<Assignment> batch, MediaNodeClient mediaNodeClient, Routes routing) {
        Map<Assignment, Throwable> refused = new ConcurrentHashMap<>();
        List<CompletableFuture<Assignment>> asks = batch.stream().map(a -> mediaNodeClient.hostSession(
                a.target().report().manager(), a.pending().sessionId(),
                a.pending().session().descriptor(a.pending().session().epoch() + 1)).handle((reply, error) -> {
            if (error != null) {
                refused.put(a, error);
                return (Assignment) null;
            }
            if (reply instanceof MediaNodeClient.Rejected<?> rejected) {
                refused.put(a, new IllegalStateException(a.target().id() + " refused the session: "
                        + rejected.message()));
                return null;
            }
            return a;
        }).toCompletableFuture()).toList();
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenCompose(done -> {
            List<Routes.Relocation> moves = asks.stream().map(CompletableFuture::join).filter(Objects::nonNull)
                    .map(a -> new Routes.Relocation(a.pending().sessionId(), a.pending().fromNodeId(), a.target().id()))
                    .toList();
            CompletionStage<Map<String, SessionRecord>> written = moves.isEmpty()
                    ? CompletableFuture.completedFuture(Map.of()) : routing.relocateSessions(moves);
            return written.thenApply(moved -> new Outcome(Map.copyOf(refused), moved));
        });
    }
}
