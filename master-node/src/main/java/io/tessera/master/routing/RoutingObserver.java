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
 * Watches this master's replica of the routing table, for the metrics: how many sessions and connections it holds,
 * and how long session records written on other masters took to arrive here (now minus the record's LWW timestamp,
 * once per record version). Records written before this master started are not timed: they did not converge, this
 * master was not there yet.
 *
 * <p>Sessions are watched through Replicator subscriptions. Connections are counted from a local read of their
 * shards once per {@link #CONNECTION_COUNT_INTERVAL}, not subscribed to: a subscribed key makes the replicator compute
 * the key's digest (a serialization of the whole shard and a SHA-1) at every write and every merge of a delta, and
 * connections change at every token, join and leave (docs/BENCHMARKS.md "Control plane", the hot-path profile).
 *
 * <p>The latest session maps are also kept for readers on other threads ({@link #sessions()}), e.g. the HA plan
 * gauges, so that a scrape never asks the replicator.
 */
public final class RoutingObserver {

    public interface Message {
    }

    /** A change of a session key; which shard is told by its key. */
    private record KeyChanged(Replicator.SubscribeResponse<?> response) implements Message {
    }

    /** Time to count the connections again. */
    private enum CountConnections implements Message { INSTANCE }

    /** One connection shard as this master's replica has it. */
    private record ConnectionsRead(Replicator.GetResponse<?> response) implements Message {
    }

    /**
     * How often the connection shards are counted: a local {@code Get} of each of the {@link RoutingTable#SHARDS}
     * shards and its reply, 200 messages through the replicator per round whether anything changed or not. The counts
     * feed two gauges only, which a scraper reads every 15 s or so; at 1 s the rounds were a steady share of an idle
     * master's CPU (docs/BENCHMARKS.md "The idle floor and the JIT").
     */
    static final java.time.Duration CONNECTION_COUNT_INTERVAL = java.time.Duration.ofSeconds(5);

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
                all.addAll(map.getEntries().values());
            }
        }
        return all;
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
        private final ActorRef<Replicator.GetResponse> connectionsRead;
        private final int[] sessionCounts = new int[RoutingTable.SHARDS];
        private final int[] activeCounts = new int[RoutingTable.SHARDS];
        private final int[] pendingCounts = new int[RoutingTable.SHARDS];

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
            this.connectionsRead = ctx.messageAdapter(Replicator.GetResponse.class, ConnectionsRead::new);
            for (int i = 0; i < RoutingTable.SHARDS; i++) {
                seenSessions.add(new HashMap<>());
                Key<LWWMap<String, SessionRecord>> sessionKey = routing.sessionKeys().get(i);
                sessionShardOf.put(sessionKey, i);
                connectionShardOf.put(routing.connectionKeys().get(i), i);
                replicator.tell(new Replicator.Subscribe(sessionKey, (ActorRef) changes));
            }
        }

        Behavior<Message> behavior() {
            return Behaviors.receive(Message.class)
                    .onMessage(KeyChanged.class, this::onChanged)
                    .onMessage(CountConnections.class, tick -> countConnections())
                    .onMessage(ConnectionsRead.class, this::onConnectionsRead)
                    .build();
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Behavior<Message> countConnections() {
            for (Key<LWWMap<String, ConnectionRecord>> key : routing.connectionKeys()) {
                replicator.tell(new Replicator.Get(key, Replicator.readLocal(), (ActorRef) connectionsRead));
            }
            return Behaviors.same();
        }

        @SuppressWarnings("unchecked")
        private Behavior<Message> onConnectionsRead(ConnectionsRead read) {
            Integer shard = connectionShardOf.get(read.response().key());
            if (shard == null) {
                return Behaviors.same();
            }
            if (read.response() instanceof Replicator.GetSuccess<?> success) {
                onConnections(shard, (LWWMap<String, ConnectionRecord>) success.dataValue());
            } else if (read.response() instanceof Replicator.NotFound<?>) {
                onConnections(shard, LWWMap.create());
            }
            return Behaviors.same();
        }

        @SuppressWarnings("unchecked")
        private Behavior<Message> onChanged(KeyChanged changed) {
            if (changed.response() instanceof Replicator.Changed<?> c) {
                Integer sessionShard = sessionShardOf.get(c.key());
                if (sessionShard != null) {
                    onSessions(sessionShard, (LWWMap<String, SessionRecord>) c.dataValue());
                }
            }
            return Behaviors.same();
        }

        private void onSessions(int shard, LWWMap<String, SessionRecord> map) {
            sessionShards.set(shard, map);
            sessionCounts[shard] = map.size();
            seenSessions.set(shard, observe(map, seenSessions.get(shard)));
            meters.sessions.set(sum(sessionCounts));
        }

        private void onConnections(int shard, LWWMap<String, ConnectionRecord> map) {
            int active = 0;
            int pending = 0;
            for (ConnectionRecord record : map.getEntries().values()) {
                if (record.active()) {
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
