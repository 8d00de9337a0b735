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
 * <p>Nothing here subscribes to a whole table. A subscribed key makes the replicator compute the key's digest (the
 * whole shard serialized, then a SHA-1) at every write and every merged delta, so the cost of a write grows with the
 * shard it lands in (docs/BENCHMARKS.md "Control plane", the create profile and "As the cluster fills"). Instead:
 * <ul>
 *   <li>the session shards are read locally every {@link #SESSION_READ_INTERVAL} (a {@code Get} per shard from this
 *       master's replica: no serialization, no digest), for the session list and count;</li>
 *   <li>the connection shards likewise every {@link #CONNECTION_COUNT_INTERVAL}, for two gauges;</li>
 *   <li>convergence is timed on {@link #CONVERGENCE_SAMPLE_SHARDS} session shards only, which are subscribed to: a
 *       fixed sample of the session writes, spread over the id space by the hash that places ids in shards
 *       ({@link #timesConvergenceOf}).</li>
 * </ul>
 *
 * <p>The latest session maps are kept for readers on other threads ({@link #sessions()}), e.g. the HA plan gauges
 * and the console's sampler, so that a scrape never asks the replicator.
 */
public final class RoutingObserver {

    public interface Message {
    }

    /** A change of a sampled session key; which shard is told by its key. */
    private record KeyChanged(Replicator.SubscribeResponse<?> response) implements Message {
    }

    /** Time to read the session shards again. */
    private enum ReadSessions implements Message { INSTANCE }

    /** Time to count the connections again. */
    private enum CountConnections implements Message { INSTANCE }

    /** One shard, sessions or connections (its key tells which), as this master's replica has it. */
    private record ShardRead(Replicator.GetResponse<?> response) implements Message {
    }

    /**
     * How often the connection shards are counted: a local {@code Get} of each of the {@link RoutingTable#SHARDS}
     * shards and its reply, 200 messages through the replicator per round whether anything changed or not. The counts
     * feed two gauges only, which a scraper reads every 15 s or so; at 1 s the rounds were a steady share of an idle
     * master's CPU (docs/BENCHMARKS.md "The idle floor and the JIT").
     */
    static final java.time.Duration CONNECTION_COUNT_INTERVAL = java.time.Duration.ofSeconds(5);

    /**
     * How often the session shards are read: the console's timeline compares samples every 300 ms and shows a session
     * created through another master within a second or so (delta propagation ~200 ms, this interval, the sample).
     * 100 local {@code Get}s and replies per round, about 400 messages a second on an idle master.
     */
    static final java.time.Duration SESSION_READ_INTERVAL = java.time.Duration.ofMillis(500);

    /**
     * Session shards whose records are timed for convergence (subscribed to): one in {@code SHARDS /
     * CONVERGENCE_SAMPLE_SHARDS}, so about 4 % of the session writes, each still paying the digest.
     */
    static final int CONVERGENCE_SAMPLE_SHARDS = 4;

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
                RoutingTable.forEachValue(map, all::add);
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
            timers.startTimerWithFixedDelay(ReadSessions.INSTANCE, SESSION_READ_INTERVAL);
            Watch watch = new Watch(ctx);
            watch.readSessions();
            return watch.behavior();
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
                if (sampled(i)) {
                    replicator.tell(new Replicator.Subscribe(sessionKey, (ActorRef) changes));
                }
            }
        }

        Behavior<Message> behavior() {
            return Behaviors.receive(Message.class)
                    .onMessage(KeyChanged.class, this::onChanged)
                    .onMessage(ReadSessions.class, tick -> readSessions())
                    .onMessage(CountConnections.class, tick -> countConnections())
                    .onMessage(ShardRead.class, this::onShardRead)
                    .build();
        }

        Behavior<Message> readSessions() {
            readLocally(routing.sessionKeys());
            return Behaviors.same();
        }

        private Behavior<Message> countConnections() {
            readLocally(routing.connectionKeys());
            return Behaviors.same();
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private void readLocally(List<? extends Key<?>> keys) {
            for (Key<?> key : keys) {
                replicator.tell(new Replicator.Get(key, Replicator.readLocal(), (ActorRef) shardRead));
            }
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
            Integer sessionShard = sessionShardOf.get(response.key());
            if (sessionShard != null) {
                onSessions(sessionShard, (LWWMap<String, SessionRecord>) map);
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
                    seenSessions.set(sessionShard, observe(map, seenSessions.get(sessionShard)));
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
