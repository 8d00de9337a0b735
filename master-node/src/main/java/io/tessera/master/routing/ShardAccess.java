package io.tessera.master.routing;

import io.tessera.common.cluster.Asks;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Reads and writes of routing shards through the replicator, with the table's timeouts and meters: what every part of
 * the routing table ({@link RoutingTable}, {@link AgreedListing}, {@link ShardRestore}) goes through. A read never
 * fails for a majority that did not answer (it falls back to this replica); a write says whether it was applied.
 */
final class ShardAccess {
    private final ActorSystem<?> system;
    private final ActorRef<Replicator.Command> replicator;
    private final Duration readTimeout;
    private final Duration writeTimeout;
    private final RoutingMeters meters;

    ShardAccess(ActorSystem<?> system, ActorRef<Replicator.Command> replicator, Duration readTimeout,
                Duration writeTimeout, RoutingMeters meters) {
        this.system = system;
        this.replicator = replicator;
        this.readTimeout = readTimeout;
        this.writeTimeout = writeTimeout;
        this.meters = meters;
    }

    /** Every shard of {@code keys}, in order, all reads in flight at once. */
    <V> CompletionStage<List<LWWMap<String, V>>> readAll(List<Key<LWWMap<String, V>>> keys,
                                                         Replicator.ReadConsistency consistency) {
        List<CompletableFuture<LWWMap<String, V>>> reads = new ArrayList<>(keys.size());
        for (Key<LWWMap<String, V>> key : keys) {
            reads.add(read(key, consistency).toCompletableFuture());
        }
        return Futures.all(reads);
    }

    /**
     * Every value of the map, read in place from the underlying ORMap. {@code LWWMap.getEntries()} first builds a new
     * map of the whole shard (hundreds of records once the cluster holds thousands of sessions), for each call.
     */
    static <V> void forEachValue(LWWMap<String, V> map, java.util.function.Consumer<V> action) {
        for (LWWRegister<V> register : map.underlying().getEntries().values()) {
            action.accept(register.getValue());
        }
    }

    static <V> Optional<V> lookup(LWWMap<String, V> map, String key) {
        scala.Option<V> value = map.get(key);
        return value.isDefined() ? Optional.of(value.get()) : Optional.empty();
    }

    <V> CompletionStage<LWWMap<String, V>> read(Key<LWWMap<String, V>> key, Replicator.ReadConsistency consistency) {
        Duration askTimeout = readTimeout.plusSeconds(1);
        meters.read(consistency instanceof Replicator.ReadMajority);
        return Asks.<Replicator.Command, Replicator.GetResponse<LWWMap<String, V>>>ask(replicator,
                        replyTo -> new Replicator.Get<>(key, consistency, replyTo), askTimeout, system)
                .thenApply(response -> {
                    if (response instanceof Replicator.GetSuccess<LWWMap<String, V>> success) {
                        return success.get(key);
                    } else if (response instanceof Replicator.NotFound) {
                        return LWWMap.<String, V>create();
                    }
                    // A majority read that timed out: fall back to what this master has.
                    return null;
                })
                .thenCompose(map -> map != null ? CompletableFuture.<LWWMap<String, V>>completedFuture(map)
                        : read(key, Replicator.readLocal()));
    }

    /**
     * Applies {@code modify}; completes with false when it refused, true when applied. A majority write that
     * timed out is still applied locally and gossips, so it counts as applied.
     */
    <V> CompletionStage<Boolean> update(Key<LWWMap<String, V>> key, Replicator.WriteConsistency consistency,
                                                Function<LWWMap<String, V>, LWWMap<String, V>> modify) {
        Duration askTimeout = writeTimeout.plusSeconds(1);
        long started = System.nanoTime();
        boolean majority = consistency instanceof Replicator.WriteMajority;
        return Asks.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, V>>>ask(replicator,
                        replyTo -> new Replicator.Update<>(key, LWWMap.<String, V>create(), consistency, replyTo, modify),
                        askTimeout, system)
                .whenComplete((response, error) -> meters.write(majority, System.nanoTime() - started))
                .thenApply(response -> {
                    if (response instanceof Replicator.ModifyFailure<?> failure) {
                        if (failure.cause() instanceof RoutingTable.Refused) {
                            return false;
                        }
                        if (failure.cause() instanceof RoutingTable.ShardFull full) {
                            throw full;
                        }
                        throw new IllegalStateException("routing table update failed: " + failure.errorMessage(),
                                failure.cause());
                    }
                    if (response instanceof Replicator.StoreFailure<?>) {
                        throw new IllegalStateException("routing table could not be stored durably");
                    }
                    return true;
                });
    }
}
