package io.tessera.master.routing;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Waiting for many reads or answers at once, the one way the routing package does it. */
final class Futures {

    private Futures() {
    }

    /**
     * The results of {@code futures} in their order, once all completed; failed when any failed (with that
     * failure, as {@link CompletableFuture#allOf} gives it).
     */
    static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(done -> futures.stream().map(CompletableFuture::join).toList());
    }
}
