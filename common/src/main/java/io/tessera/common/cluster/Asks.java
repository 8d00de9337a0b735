package io.tessera.common.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The typed ask, answered as a plain {@link CompletableFuture} whose callbacks run on the actor system's dispatcher.
 *
 * <p>Why not {@link AskPattern#ask} as it comes: it hands back Scala's {@code FutureConverters} stage, which turns
 * every {@code thenApply}/{@code thenCompose}/{@code whenComplete}/{@code handle} (and so every {@code pipeToSelf})
 * into its {@code ...Async} twin on the JDK's default executor. On a machine with two cores the common pool has a
 * parallelism of 1, and the JDK then runs each such callback on a <em>new thread</em>
 * ({@code CompletableFuture.ThreadPerTaskExecutor}): a master under load started ~140 threads a second (JFR,
 * docs/BENCHMARKS.md "Control plane"). One hop to the dispatcher here, then ordinary synchronous stages.
 */
public final class Asks {
    private Asks() {
    }

    public static <Req, Res> CompletableFuture<Res> ask(RecipientRef<Req> target,
                                                         Function<ActorRef<Res>, Req> message,
                                                         Duration timeout, ActorSystem<?> system) {
        return onDispatcher(AskPattern.ask(target, message, timeout, system.scheduler()), system.executionContext());
    }

    /** {@code stage} as a plain future completed on {@code executor} (no thread of its own per callback). */
    public static <T> CompletableFuture<T> onDispatcher(java.util.concurrent.CompletionStage<T> stage, Executor executor) {
        // thenApplyAsync with an explicit executor is the one callback Scala's stage does not redirect; its result
        // is a JDK CompletableFuture, whose later stages run synchronously.
        return stage.thenApplyAsync(java.util.function.Function.identity(), executor).toCompletableFuture();
    }
}
