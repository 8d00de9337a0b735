package io.tessera.master.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InFlightBudgetTest {
    /** Tasks that finish only when the test says so, recording what was in flight at each start. */
    private static final class Tasks {
        final List<CompletableFuture<Void>> running = new ArrayList<>();
        final List<Integer> started = new ArrayList<>();
        int inFlight;
        int maxInFlight;

        synchronized CompletionStage<Void> start(int weight) {
            started.add(weight);
            inFlight += weight;
            maxInFlight = Math.max(maxInFlight, inFlight);
            CompletableFuture<Void> f = new CompletableFuture<>();
            running.add(f);
            return f.whenComplete((v, e) -> {
                synchronized (this) {
                    inFlight -= weight;
                }
            });
        }

        void finishOldest(Throwable error) {
            CompletableFuture<Void> f;
            synchronized (this) {
                f = running.stream().filter(r -> !r.isDone()).findFirst().orElseThrow();
            }
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(error);
            }
        }
    }

    @Test
    void neverMoreThanTheBudgetInFlightAndAHeavierTaskRunsAlone() {
        Tasks tasks = new Tasks();
        CompletionStage<Void> done = InFlightBudget.run(List.of(50, 50, 50, 50, 50, 300, 10), w -> w, 100,
                tasks::start);
        assertEquals(List.of(50, 50), tasks.started, "two fit in 100");
        for (int i = 0; i < 6; i++) {
            tasks.finishOldest(null);
        }
        assertFalse(done.toCompletableFuture().isDone());
        tasks.finishOldest(null);
        assertTrue(done.toCompletableFuture().isDone());
        assertEquals(List.of(50, 50, 50, 50, 50, 300, 10), tasks.started, "all ran, in order");
        assertEquals(300, tasks.maxInFlight, "the 300 alone (heavier than the budget), otherwise at most 100");
    }

    @Test
    void afterAFailureNothingMoreStartsAndTheResultFails() {
        Tasks tasks = new Tasks();
        CompletionStage<Void> done = InFlightBudget.run(List.of(1, 1, 1, 1), w -> w, 2, tasks::start);
        tasks.finishOldest(new IllegalStateException("replicator"));
        assertFalse(done.toCompletableFuture().isDone(), "the other task in flight finishes first");
        tasks.finishOldest(null);
        assertEquals(2, tasks.started.size(), "nothing started after the failure");
        CompletionException e = assertThrows(CompletionException.class, () -> done.toCompletableFuture().join());
        assertEquals("replicator", e.getCause().getMessage());
    }
}
