package io.tessera.master.routing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Runs asynchronous tasks in order with at most {@code budget} weight in flight together (a task heavier than the
 * whole budget runs alone, so everything runs). After the first failure no further task starts; the result fails
 * with it once the tasks in flight have finished. The routing rebuild's restore runs its shards through it.
 */
final class InFlightBudget<T> {
    private final Deque<T> waiting;
    private final ToIntFunction<T> weight;
    private final int budget;
    private final Function<T, CompletionStage<Void>> start;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private int inFlightWeight;
    private int inFlightTasks;
    private Throwable failure;

    private InFlightBudget(List<T> tasks, ToIntFunction<T> weight, int budget, Function<T, CompletionStage<Void>> start) {
        this.waiting = new ArrayDeque<>(tasks);
        this.weight = weight;
        this.budget = budget;
        this.start = start;
    }

    static <T> CompletionStage<Void> run(List<T> tasks, ToIntFunction<T> weight, int budget,
                                         Function<T, CompletionStage<Void>> start) {
        InFlightBudget<T> run = new InFlightBudget<>(tasks, weight, budget, start);
        run.startWhatFits();
        return run.done;
    }

    private void startWhatFits() {
        List<T> starting = new java.util.ArrayList<>();
        synchronized (this) {
            while (failure == null && !waiting.isEmpty()
                    && (inFlightTasks == 0 || inFlightWeight + weight.applyAsInt(waiting.peekFirst()) <= budget)) {
                T task = waiting.pollFirst();
                inFlightWeight += weight.applyAsInt(task);
                inFlightTasks++;
                starting.add(task);
            }
            if (inFlightTasks == 0 && (failure != null || waiting.isEmpty())) {
                if (failure != null) {
                    done.completeExceptionally(failure);
                } else {
                    done.complete(null);
                }
                return;
            }
        }
        // Started outside the lock: a task that completes at once calls back into finished().
        for (T task : starting) {
            CompletionStage<Void> running;
            try {
                running = start.apply(task);
            } catch (RuntimeException e) {
                running = CompletableFuture.failedFuture(e);
            }
            running.whenComplete((v, error) -> finished(task, error));
        }
    }

    private void finished(T task, Throwable error) {
        synchronized (this) {
            inFlightWeight -= weight.applyAsInt(task);
            inFlightTasks--;
            if (error != null && failure == null) {
                failure = error;
            }
        }
        startWhatFits();
    }
}
