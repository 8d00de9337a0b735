package io.tessera.master.routing;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The routing table's restore ({@link Routes#restore}): routes the masters lost, rebuilt from what the media nodes
 * host, written back per shard with majority reads and writes that add only what is lacking. Kept apart from
 * {@link RoutingTable} because it is the one bulk path: budgets, retries and batching that the per-request reads and
 * writes do not need.
 */
final class ShardRestore {
    private final RoutingTable table;
    private final ActorSystem<?> system;
    private final SelfUniqueAddress self;
    private final Duration readTimeout;
    private final Duration writeTimeout;

    ShardRestore(RoutingTable table, ActorSystem<?> system, SelfUniqueAddress self, Duration readTimeout,
                 Duration writeTimeout) {
        this.table = table;
        this.system = system;
        this.self = self;
        this.readTimeout = readTimeout;
        this.writeTimeout = writeTimeout;
    }

    /**
     * Tries per write (and per shard read) when the replicator did not answer in time. Masters restoring at once
     * after they all came back (3 JVMs starting on the same cores, 64 majority reads in flight each) saw a read's ask
     * time out (1000 sessions, 2 of 3 runs in RoutingRebuildBenchmark), which failed the whole restore: that master
     * served with the routes that had reached it so far. A write adds only what is lacking, so trying it again is
     * safe; the rebuild's own bound ({@code rebuild.timeout}) still caps the whole.
     */
    static final int RESTORE_ATTEMPTS = 3;

    /**
     * Per shard touched, not per session: a majority read of the shard's sessions and connections (merged into this
     * replica), then, per {@link RestoreBudget#recordsPerWrite} of its sessions, one majority write adding the
     * sessions it lacks and one adding the connections it lacks. Shards run side by side only as far as
     * {@link RestoreBudget#sessionsInFlight} allows (a shard counts the sessions of one of its writes), so the
     * replicators and the heartbeats keep up whatever the number of sessions; a master joining a running cluster
     * (nothing lacking) makes no write at all.
     */
    CompletionStage<Routes.Restored> restore(List<Routes.Restore> restores, RestoreBudget budget) {
        Map<Integer, List<Routes.Restore>> byShard = new TreeMap<>();
        restores.forEach(r -> byShard.computeIfAbsent(RoutingTable.shardOf(r.record().sessionId()),
                s -> new ArrayList<>()).add(r));
        AtomicInteger sessions = new AtomicInteger();
        AtomicInteger connections = new AtomicInteger();
        return InFlightBudget.run(new ArrayList<>(byShard.entrySet()), e -> budget.weightOf(e.getValue().size()),
                        budget.sessionsInFlight(),
                        e -> restoreShard(e.getKey(), e.getValue(), budget.recordsPerWrite(), sessions, connections))
                .thenApply(v -> new Routes.Restored(sessions.get(), connections.get()));
    }

    /** The shard's majority read, then its writes one after the other, each tried again while it timed out. */
    private CompletionStage<Void> restoreShard(int shard, List<Routes.Restore> group, int recordsPerWrite,
                                               AtomicInteger sessions,
                                               AtomicInteger connections) {
        CompletionStage<Void> chain = retried(shard, group.size(), "read", RESTORE_ATTEMPTS,
                () -> readShardFromMajority(shard));
        for (int from = 0; from < group.size(); from += recordsPerWrite) {
            List<Routes.Restore> part = group.subList(from, Math.min(group.size(), from + recordsPerWrite));
            chain = chain.thenCompose(v -> retried(shard, part.size(), "write", RESTORE_ATTEMPTS,
                    () -> writeLacking(shard, part, sessions, connections)));
        }
        return chain;
    }

    /** {@code step} again while the replicator's answer timed out, {@code attempts} times at most. */
    private CompletionStage<Void> retried(int shard, int size, String what, int attempts,
                                          Supplier<CompletionStage<Void>> step) {
        return step.get().handle((done, error) -> error).thenCompose(error -> {
            if (error == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (attempts <= 1 || !timedOut(error)) {
                return CompletableFuture.<Void>failedFuture(error);
            }
            system.log().warn("restoring routing shard {} ({} session(s)): the replicator did not answer the {} in"
                    + " time, trying again ({} attempt(s) left): {}", shard, size, what, attempts - 1,
                    error.toString());
            return retried(shard, size, what, attempts - 1, step);
        });
    }

    private static boolean timedOut(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** What a majority of masters has of the shard, merged into this replica (the writes below decide on it). */
    private CompletionStage<Void> readShardFromMajority(int shard) {
        return table.shards().read(table.sessionKeys().get(shard), new Replicator.ReadMajority(readTimeout))
                .thenCombine(table.shards().read(table.connectionKeys().get(shard), new Replicator.ReadMajority(readTimeout)),
                        (s, c) -> null);
    }

    /** One majority write of the sessions of {@code group} the shard lacks, one of the connections it lacks. */
    private CompletionStage<Void> writeLacking(int shard, List<Routes.Restore> group,
                                               AtomicInteger sessions,
                                               AtomicInteger connections) {
        Key<LWWMap<String, SessionRecord>> sessionKey = table.sessionKeys().get(shard);
        Key<LWWMap<String, ConnectionRecord>> connectionKey = table.connectionKeys().get(shard);
        // The sessions whose route (known or written now) names the node the restore names: their connections count.
        Set<String> agreeing = ConcurrentHashMap.newKeySet();
        int[] added = new int[1];
        return table.shards().update(sessionKey, new Replicator.WriteMajority(writeTimeout), map -> {
                    agreeing.clear(); // the modify function may run again
                    added[0] = 0;
                    LWWMap<String, SessionRecord> result = map;
                    for (Routes.Restore r : group) {
                        Optional<SessionRecord> current = ShardAccess.lookup(map, r.record().sessionId());
                        if (current.isEmpty()) {
                            result = result.put(self, r.record().sessionId(), r.record());
                            added[0]++;
                            agreeing.add(r.record().sessionId());
                        } else if (current.get().mediaNodeId().equals(r.record().mediaNodeId())) {
                            agreeing.add(r.record().sessionId());
                        }
                    }
                    if (added[0] == 0) {
                        throw new RoutingTable.Refused();
                    }
                    return result;
                })
                .thenCompose(applied -> {
                    if (applied) {
                        sessions.addAndGet(added[0]);
                    }
                    int[] put = new int[1];
                    return table.shards().update(connectionKey, new Replicator.WriteMajority(writeTimeout), map -> {
                        put[0] = 0;
                        LWWMap<String, ConnectionRecord> result = map;
                        for (Routes.Restore r : group) {
                            if (!agreeing.contains(r.record().sessionId())) {
                                continue;
                            }
                            for (ConnectionRecord c : r.connections()) {
                                if (!map.contains(c.connectionId())) {
                                    result = result.put(self, c.connectionId(), c);
                                    put[0]++;
                                }
                            }
                        }
                        if (put[0] == 0) {
                            throw new RoutingTable.Refused();
                        }
                        return result;
                    }).thenAccept(written -> {
                        if (written) {
                            connections.addAndGet(put[0]);
                        }
                    });
                });
    }
}
