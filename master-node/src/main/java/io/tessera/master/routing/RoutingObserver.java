package io.tessera.master.routing;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Watches this master's replica of the routing table, for the metrics and the console: how many sessions and
 * connections it holds, which sessions (for the console's timeline and the HA plan gauges), and how long session
 * records written on other masters took to arrive here (now minus the record's LWW timestamp, once per record
 * version). Records written before this master started are not timed: they did not converge, this master was not
 * there yet.
 *
 * <p>How it learns of changes:
 * <ul>
 *   <li>the session shards are subscribed to, for the session list and count. A subscribed key makes the replicator
 *       hash the key's serialized state when it changes (at most once per key per notification interval, 100 ms), so
 *       that costs what the changed shards hold: ~10 sessions each with 10 000 held over {@link RoutingTable#SHARDS}
 *       shards. An idle table costs nothing, where reading every shard on a timer cost {@code SHARDS} {@code Get}s a
 *       round (docs/BENCHMARKS.md "A thousand shards");</li>
 *   <li>the connection shards are read locally every {@link #CONNECTION_COUNT_INTERVAL} (a {@code Get} per shard from
 *       this master's replica: no serialization, no digest), for two gauges: token writes outnumber session writes,
 *       and a gauge need not follow each;</li>
 *   <li>convergence is timed on {@link #CONVERGENCE_SAMPLE_SHARDS} session shards only: a fixed sample of the session
 *       writes, spread over the id space by the hash that places ids in shards ({@link #timesConvergenceOf}).</li>
 * </ul>
 *
 * <p>The latest session maps are kept for readers on other threads ({@link #sessions()}), e.g. the HA plan gauges
 * and the console's sampler, so that a scrape never asks the replicator.
 */
public final class RoutingObserver {

    public interface Message {
    }

    /** A change of a session shard; which shard is told by its key. */
    private record KeyChanged(Replicator.SubscribeResponse<?> response) implements Message {
    }

    /** Time to count the connections again. */
    private enum CountConnections implements Message { INSTANCE }

    /** One connection shard (its key tells which), as this master's replica has it. */
    private record ShardRead(Replicator.GetResponse<?> response) implements Message {
    }

    /**
     * How often the connection shards are counted: a local {@code Get} of each of the {@link RoutingTable#SHARDS}
     * shards and its reply, whether anything changed or not. The counts feed two gauges only, which a scraper reads
     * every 15 s or so (docs/BENCHMARKS.md "The idle floor and the JIT").
     */
    static final java.time.Duration CONNECTION_COUNT_INTERVAL = java.time.Duration.ofSeconds(5);

    /**
     * Session shards whose records are timed for convergence: one in {@code SHARDS / CONVERGENCE_SAMPLE_SHARDS}, so
     * about 4 % of the session writes.
     */
    static final int CONVERGENCE_SAMPLE_SHARDS = 40;

    /** Whether convergence of this session's record is timed: its shard is one of the sampled ones. */
    public static boolean timesConvergenceOf(String sessionId) {
        return sampled(RoutingTable.shardOf(sessionId));
    }

    private static boolean sampled(int shard) {
        return shard % (RoutingTable.SHARDS / CONVERGENCE_SAMPLE_SHARDS) == 0;
    }

    private final AtomicReferenceArray<LWWMap<String, SessionRecord>> sessionShards =
            new AtomicReferenceArray<>(RoutingTable.SHARDS);

    private final RoutingTable routing;
    private final RoutingMeters meters;

    public RoutingObserver(RoutingTable routing, RoutingMeters meters) {
        this.routing = routing;
        this.meters = meters;
    }

    /** The sessions this master's replica holds now (a fresh list); safe from any thread. */
    public List<SessionRecord> sessions() {
        List<SessionRecord> all = new ArrayList<>();
        for (int i = 0; i < sessionShards.length(); i++) {
            LWWMap<String, SessionRecord> map = sessionShards.get(i);
            if (map != null) {
                ShardAccess.forEachValue(map, all::add);
            }
        }
        return all;
    }

    /**
     * The session shards as this master's replica has them, in shard order (null for a shard not read yet). A shard
     * that did not change between two calls is the same object: readers skip it by identity ({@code
     * console.LiveClusterSampler}). Safe from any thread.
     */
    public List<LWWMap<String, SessionRecord>> sessionShards() {
        List<LWWMap<String, SessionRecord>> shards = new ArrayList<>(sessionShards.length());
        for (int i = 0; i < sessionShards.length(); i++) {
            shards.add(sessionShards.get(i));
        }
        return shards;
    }

    public Behavior<Message> behavior() {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(CountConnections.INSTANCE, CONNECTION_COUNT_INTERVAL);
            return new Watch(ctx).behavior();
        }));
    }

    /** The actor's state: per shard, the version (LWW timestamp) of every session seen, and the counts. */
    private final class Watch {
        private final UniqueAddress self;
        private final long startedAt = System.currentTimeMillis();
        private final List<Map<String, Long>> seenSessions = new ArrayList<>(RoutingTable.SHARDS);
        private final ActorRef<Replicator.Command> replicator;
        @SuppressWarnings("rawtypes")
        private final ActorRef<Replicator.GetResponse> shardRead;
        private final int[] sessionCounts = new int[RoutingTable.SHARDS];
        private final int[] activeCounts = new int[RoutingTable.SHARDS];
        private final int[] pendingCounts = new int[RoutingTable.SHARDS];
        /** The connection shard each count was taken from: an unchanged shard (the same object) is not counted again. */
        private final Object[] countedConnectionShards = new Object[RoutingTable.SHARDS];

        /** Shard of each session key, and of each connection key. */
        private final Map<Key<?>, Integer> sessionShardOf = new HashMap<>();
        private final Map<Key<?>, Integer> connectionShardOf = new HashMap<>();

        @SuppressWarnings({"unchecked", "rawtypes"})
        Watch(ActorContext<Message> ctx) {
            this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress().uniqueAddress();
            // One adapter for every key: an actor has one message adapter per message class.
            ActorRef<Replicator.SubscribeResponse> changes =
                    ctx.messageAdapter(Replicator.SubscribeResponse.class, KeyChanged::new);
            this.replicator = DistributedData.get(ctx.getSystem()).replicator();
            this.shardRead = ctx.messageAdapter(Replicator.GetResponse.class, ShardRead::new);
            for (int i = 0; i < RoutingTable.SHARDS; i++) {
                seenSessions.add(new HashMap<>());
                Key<LWWMap<String, SessionRecord>> sessionKey = routing.sessionKeys().get(i);
                sessionShardOf.put(sessionKey, i);
                connectionShardOf.put(routing.connectionKeys().get(i), i);
                // The current value comes at once if the shard has one, then each change.
                replicator.tell(new Replicator.Subscribe(sessionKey, (ActorRef) changes));
            }
        }

        Behavior<Message> behavior() {
            return Behaviors.receive(Message.class)
                    .onMessage(KeyChanged.class, this::onChanged)
                    .onMessage(CountConnections.class, tick -> countConnections())
                    .onMessage(ShardRead.class, this::onShardRead)
                    .build();
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Behavior<Message> countConnections() {
            for (Key<?> key : routing.connectionKeys()) {
                replicator.tell(new Replicator.Get(key, Replicator.readLocal(), (ActorRef) shardRead));
            }
            return Behaviors.same();
        }

        @SuppressWarnings("unchecked")
        private Behavior<Message> onShardRead(ShardRead read) {
            Replicator.GetResponse<?> response = read.response();
            LWWMap<String, ?> map = response instanceof Replicator.GetSuccess<?> success
                    ? (LWWMap<String, ?>) success.dataValue()
                    : response instanceof Replicator.NotFound<?> ? LWWMap.create() : null;
            if (map == null) {
                return Behaviors.same();
            }
            Integer connectionShard = connectionShardOf.get(response.key());
            if (connectionShard != null) {
                onConnections(connectionShard, (LWWMap<String, ConnectionRecord>) map);
            }
            return Behaviors.same();
        }

        @SuppressWarnings("unchecked")
        private Behavior<Message> onChanged(KeyChanged changed) {
            if (changed.response() instanceof Replicator.Changed<?> c) {
                Integer sessionShard = sessionShardOf.get(c.key());
                if (sessionShard != null) {
                    LWWMap<String, SessionRecord> map = (LWWMap<String, SessionRecord>) c.dataValue();
                    if (sampled(sessionShard)) {
                        seenSessions.set(sessionShard, observe(map, seenSessions.get(sessionShard)));
                    }
                    onSessions(sessionShard, map);
                }
            }
            return Behaviors.same();
        }

        private void onSessions(int shard, LWWMap<String, SessionRecord> map) {
            sessionShards.set(shard, map);
            sessionCounts[shard] = map.size();
            meters.sessions.set(sum(sessionCounts));
        }

        private void onConnections(int shard, LWWMap<String, ConnectionRecord> map) {
            if (countedConnectionShards[shard] == map) {
                return;
            }
            countedConnectionShards[shard] = map;
            int active = 0;
            int pending = 0;
            for (LWWRegister<ConnectionRecord> register : map.underlying().getEntries().values()) {
                if (register.getValue().active()) {
                    active++;
                } else {
                    pending++;
                }
            }
            activeCounts[shard] = active;
            pendingCounts[shard] = pending;
            meters.activeConnections.set(sum(activeCounts));
            meters.pendingConnections.set(sum(pendingCounts));
        }

        /** Times the record versions this master has not seen yet; returns the versions now present. */
        private <V> Map<String, Long> observe(LWWMap<String, V> map, Map<String, Long> seen) {
            long now = System.currentTimeMillis();
            Collection<Map.Entry<String, LWWRegister<V>>> entries = map.underlying().getEntries().entrySet();
            Map<String, Long> versions = new HashMap<>(entries.size() * 2);
            for (Map.Entry<String, LWWRegister<V>> e : entries) {
                LWWRegister<V> register = e.getValue();
                long timestamp = register.timestamp();
                versions.put(e.getKey(), timestamp);
                Long before = seen.get(e.getKey());
                boolean newVersion = before == null || before != timestamp;
                if (newVersion && timestamp >= startedAt && !self.equals(register.updatedBy())) {
                    meters.converged(now - timestamp);
                }
            }
            return versions;
        }

        private static int sum(int[] counts) {
            int total = 0;
            for (int c : counts) {
                total += c;
            }
            return total;
        }
    }
}
