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
 * Watches this master's replica of the routing table through Replicator subscriptions, for the metrics: how many
 * sessions and connections it holds, and how long records written on other masters took to arrive here (now minus
 * the record's LWW timestamp, once per record version). Records written before this master started are not timed:
 * they did not converge, this master was not there yet.
 *
 * <p>The latest session maps are also kept for readers on other threads ({@link #sessions()}), e.g. the HA plan
 * gauges, so that a scrape never asks the replicator.
 */
public final class RoutingObserver {

    public interface Message {
    }

    /** A change of any routing key; which shard and kind of record is told by its key. */
    private record KeyChanged(Replicator.SubscribeResponse<?> response) implements Message {
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
                all.addAll(map.getEntries().values());
            }
        }
        return all;
    }

    public Behavior<Message> behavior() {
        return Behaviors.setup(ctx -> new Watch(ctx).behavior());
    }

    /** The actor's state: per shard, the version (LWW timestamp) of every record seen, and its counts. */
    private final class Watch {
        private final UniqueAddress self;
        private final long startedAt = System.currentTimeMillis();
        private final List<Map<String, Long>> seenSessions = new ArrayList<>(RoutingTable.SHARDS);
        private final List<Map<String, Long>> seenConnections = new ArrayList<>(RoutingTable.SHARDS);
        private final int[] sessionCounts = new int[RoutingTable.SHARDS];
        private final int[] activeCounts = new int[RoutingTable.SHARDS];
        private final int[] pendingCounts = new int[RoutingTable.SHARDS];

        /** Shard of each session key, and of each connection key (one actor-wide adapter serves both kinds). */
        private final Map<Key<?>, Integer> sessionShardOf = new HashMap<>();
        private final Map<Key<?>, Integer> connectionShardOf = new HashMap<>();

        @SuppressWarnings({"unchecked", "rawtypes"})
        Watch(ActorContext<Message> ctx) {
            this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress().uniqueAddress();
            // One adapter for every key: an actor has one message adapter per message class.
            ActorRef<Replicator.SubscribeResponse> changes =
                    ctx.messageAdapter(Replicator.SubscribeResponse.class, KeyChanged::new);
            ActorRef<Replicator.Command> replicator = DistributedData.get(ctx.getSystem()).replicator();
            for (int i = 0; i < RoutingTable.SHARDS; i++) {
                seenSessions.add(new HashMap<>());
                seenConnections.add(new HashMap<>());
                Key<LWWMap<String, SessionRecord>> sessionKey = routing.sessionKeys().get(i);
                Key<LWWMap<String, ConnectionRecord>> connectionKey = routing.connectionKeys().get(i);
                sessionShardOf.put(sessionKey, i);
                connectionShardOf.put(connectionKey, i);
                replicator.tell(new Replicator.Subscribe(sessionKey, (ActorRef) changes));
                replicator.tell(new Replicator.Subscribe(connectionKey, (ActorRef) changes));
            }
        }

        Behavior<Message> behavior() {
            return Behaviors.receive(Message.class)
                    .onMessage(KeyChanged.class, this::onChanged)
                    .build();
        }

        @SuppressWarnings("unchecked")
        private Behavior<Message> onChanged(KeyChanged changed) {
            if (changed.response() instanceof Replicator.Changed<?> c) {
                Integer sessionShard = sessionShardOf.get(c.key());
                Integer connectionShard = connectionShardOf.get(c.key());
                if (sessionShard != null) {
                    onSessions(sessionShard, (LWWMap<String, SessionRecord>) c.dataValue());
                } else if (connectionShard != null) {
                    onConnections(connectionShard, (LWWMap<String, ConnectionRecord>) c.dataValue());
                }
            }
            return Behaviors.same();
        }

        private void onSessions(int shard, LWWMap<String, SessionRecord> map) {
            sessionShards.set(shard, map);
            sessionCounts[shard] = map.size();
            seenSessions.set(shard, observe(map, seenSessions.get(shard), true));
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
            seenConnections.set(shard, observe(map, seenConnections.get(shard), false));
            meters.activeConnections.set(sum(activeCounts));
            meters.pendingConnections.set(sum(pendingCounts));
        }

        /** Times the record versions this master has not seen yet; returns the versions now present. */
        private <V> Map<String, Long> observe(LWWMap<String, V> map, Map<String, Long> seen, boolean session) {
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
                    meters.converged(session, now - timestamp);
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
