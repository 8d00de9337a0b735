package io.tessera.master.routing;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Sessions and connections in Pekko Distributed Data, shared by all masters.
 *
 * Each kind of record is spread over {@link #SHARDS} LWWMaps by hash of the session id, so an update gossips
 * one small map and a session's connections sit in one map. Pekko ships a key whole whenever its replicas differ (a
 * gossip round while deltas are in flight, a majority read), so what a key holds bounds what each of those costs.
 * Reads are local; a local miss is retried with a majority read so that a record written with a majority on another
 * master is found. Sessions and new
 * connections are written with a majority so that "created through A, read or joined through B" holds;
 * status changes are written locally and gossip within a fraction of a second.
 */
public final class RoutingTable implements Routes {
    /**
     * Shards per kind. 1 000: with 10 000 sessions and 50 000 tokens held, ~60 records per connection shard; at 100
     * shards (~600 each) a gossip round under churn exchanged nearly the whole table between two masters, stalled
     * their pools for seconds and fenced masters (docs/BENCHMARKS.md "A thousand shards"). Part of the wire format:
     * the keys are named with it ({@link #keyName}), and masters with different counts must not run together.
     */
    public static final int SHARDS = 1000;

    /**
     * A new connection refused because its routing shard would outgrow what one message can carry
     * ({@link ShardBudget}); the message says how to make room.
     */
    public static final class ShardFull extends RuntimeException {
        ShardFull(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown inside an update's modify function to refuse it (the replicator answers ModifyFailure). */
    static final class Refused extends RuntimeException {
        Refused() {
            super(null, null, false, false);
        }
    }

    private final ActorSystem<?> system;
    private final SelfUniqueAddress self;
    private final Duration readTimeout;
    private final Duration writeTimeout;
    private final RoutingMeters meters;
    private final List<Key<LWWMap<String, SessionRecord>>> sessionKeys = new ArrayList<>(SHARDS);
    private final List<Key<LWWMap<String, ConnectionRecord>>> connectionKeys = new ArrayList<>(SHARDS);
    private final ShardBudget connectionBudget;
    /** Set once by {@link #answerAndAskPeers}; until then a local miss of a lookup goes to a majority read. */
    private volatile PeerReads peers;
    private final AgreedListing listing;
    private final ShardAccess shards;

    public RoutingTable(ActorSystem<?> system, Duration readTimeout, Duration writeTimeout, RoutingMeters meters) {
        this(system, DistributedData.get(system).replicator(), readTimeout, writeTimeout, meters);
    }

    /** With the replicator to ask given (tests put a slow one in front of the real one). */
    RoutingTable(ActorSystem<?> system, ActorRef<Replicator.Command> replicator, Duration readTimeout,
                 Duration writeTimeout, RoutingMeters meters) {
        this.system = system;
        this.meters = meters;
        DistributedData ddata = DistributedData.get(system);
        this.self = ddata.selfUniqueAddress();
        this.readTimeout = readTimeout;
        this.writeTimeout = writeTimeout;
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(system));
        this.shards = new ShardAccess(system, replicator, readTimeout, writeTimeout, meters);
        this.listing = new AgreedListing(this, readTimeout, meters);
        this.connectionBudget = new ShardBudget(
                system.settings().config().getBytes("pekko.remote.artery.advanced.maximum-frame-size"), SHARDS,
                shard -> serialization.serialize(shard).get().length);
        for (int i = 0; i < SHARDS; i++) {
            sessionKeys.add(LWWMapKey.create(keyName("sessions", i)));
            connectionKeys.add(LWWMapKey.create(keyName("connections", i)));
        }
    }

    /**
     * Starts this master's {@link PeerLookup} (answers the other masters' lookups from this replica) and lets
     * {@link #lookupSession} and {@link #lookupConnection} ask the other masters before a majority read. Once per node.
     *
     * @param timeout how long the other masters' answers are waited for before a majority read instead
     * @param quiet   how long after a change of the masters (and after this call) every lookup reads from a majority
     */
    public void answerAndAskPeers(Duration timeout, Duration quiet) {
        system.systemActorOf(PeerLookup.create(this), "routing-peer-lookup", Props.empty());
        peers = new PeerReads(system, timeout, quiet, meters);
    }

    /** The replicator's reads and writes of one shard, for the table's helpers ({@link ShardRestore}, tests). */
    ShardAccess shards() {
        return shards;
    }

    ShardBudget connectionBudget() {
        return connectionBudget;
    }

    /** The keys of the session shards, in shard order (for {@link RoutingObserver}). */
    List<Key<LWWMap<String, SessionRecord>>> sessionKeys() {
        return sessionKeys;
    }

    List<Key<LWWMap<String, ConnectionRecord>>> connectionKeys() {
        return connectionKeys;
    }

    /**
     * A shard's key, named with the shard count: masters that place ids over a different count use other keys, so a
     * mixed cluster holds two tables that miss each other's records rather than one whose records sit in the wrong
     * shards (OPERATIONS.md "Upgrading masters").
     */
    static String keyName(String kind, int shard) {
        return kind + "-" + shard + "-of-" + SHARDS;
    }

    /**
     * The id's {@code String.hashCode} mixed (MurmurHash3's 32-bit finalizer) before it is reduced: the plain hash of
     * ids that differ in a numeric suffix ("room-1", "room-2", ...) falls unevenly modulo 1 000, down to a tenth of the
     * mean in some shards (RouteMergeTest).
     */
    static int shardOf(String sessionId) {
        int h = sessionId.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, SHARDS);
    }

    // ---- sessions

    public CompletionStage<Optional<SessionRecord>> session(String sessionId) {
        return localElseMajority(sessionKeys.get(shardOf(sessionId)), map -> ShardAccess.lookup(map, sessionId));
    }

    @Override
    public CompletionStage<Optional<SessionRecord>> localSession(String sessionId) {
        return shards.read(sessionKeys.get(shardOf(sessionId)), Replicator.readLocal())
                .thenApply(map -> ShardAccess.lookup(map, sessionId));
    }

    @Override
    public CompletionStage<Optional<ConnectionRecord>> localConnection(String sessionId, String connectionId) {
        return shards.read(connectionKeys.get(shardOf(sessionId)), Replicator.readLocal())
                .thenApply(map -> ShardAccess.lookup(map, connectionId).filter(c -> c.sessionId().equals(sessionId)));
    }

    /**
     * The session, for a caller that only looks at it: a local miss asks the other masters for this one record
     * ({@link PeerReads}) and reads from a majority only when their answers do not decide. Unlike {@link #session},
     * what is found elsewhere is not merged into this master's replica.
     */
    @Override
    public CompletionStage<Optional<SessionRecord>> lookupSession(String sessionId) {
        return lookupOne(sessionKeys.get(shardOf(sessionId)), map -> sessionRegister(map, sessionId),
                asked -> asked.lookupSession(sessionId));
    }

    /** This replica's copy of the session with its timestamp, for another master's {@link PeerLookup}. */
    CompletionStage<PeerLookup.SessionAnswer> localSessionAnswer(String sessionId) {
        return localAnswer(sessionKeys.get(shardOf(sessionId)), map -> sessionRegister(map, sessionId),
                PeerLookup.SessionAnswer::new);
    }

    private static LWWRegister<SessionRecord> sessionRegister(LWWMap<String, SessionRecord> map, String sessionId) {
        scala.Option<LWWRegister<SessionRecord>> register = map.underlying().get(sessionId);
        return register.isDefined() ? register.get() : null;
    }

    /** The session as a majority of masters has it: after two concurrent creates, the value they converge to. */
    public CompletionStage<Optional<SessionRecord>> sessionFromMajority(String sessionId) {
        return shards.read(sessionKeys.get(shardOf(sessionId)), new Replicator.ReadMajority(readTimeout))
                .thenApply(map -> ShardAccess.lookup(map, sessionId));
    }

    /** Adds the session unless this master already knows one with that id (cluster-wide races resolve by LWW). */
    public CompletionStage<CreateOutcome> createSession(SessionRecord record) {
        Key<LWWMap<String, SessionRecord>> key = sessionKeys.get(shardOf(record.sessionId()));
        return shards.update(key, new Replicator.WriteMajority(writeTimeout), map -> {
            if (map.contains(record.sessionId())) {
                throw new Refused();
            }
            return map.put(self, record.sessionId(), record);
        }).thenApply(applied -> applied ? CreateOutcome.CREATED : CreateOutcome.ALREADY_EXISTS);
    }

    /**
     * Moves a session to another media node in one majority write, if it is still on {@code fromMediaNodeId}
     * (another master may have moved it first); the epoch grows by one. Empty when it was not there.
     */
    public CompletionStage<Optional<SessionRecord>> relocateSession(String sessionId, String fromMediaNodeId,
                                                                    String toMediaNodeId) {
        Key<LWWMap<String, SessionRecord>> key = sessionKeys.get(shardOf(sessionId));
        SessionRecord[] moved = new SessionRecord[1];
        return shards.update(key, new Replicator.WriteMajority(writeTimeout), map -> {
            Optional<SessionRecord> current = ShardAccess.lookup(map, sessionId);
            if (current.isEmpty() || !current.get().mediaNodeId().equals(fromMediaNodeId)) {
                throw new Refused();
            }
            SessionRecord r = current.get();
            moved[0] = new SessionRecord(r.sessionId(), r.createdAt(), toMediaNodeId, r.epoch() + 1, r.priority(),
                    r.customSessionId(), r.mediaMode(), r.recordingMode(), r.forcedVideoCodec(), r.allowTranscoding(),
                    r.defaultRecordingProperties());
            return map.put(self, sessionId, moved[0]);
        }).thenApply(applied -> applied ? Optional.of(moved[0]) : Optional.<SessionRecord>empty());
    }

    /**
     * The moves grouped by shard: one majority write per shard touched, all in flight at once, instead of one per
     * session (a failed node's sessions moved in a batch share shards). Each move applies only if its session still
     * names its {@code from} node, as in {@link #relocateSession}.
     */
    @Override
    public CompletionStage<Map<String, SessionRecord>> relocateSessions(List<Relocation> moves) {
        Map<Integer, List<Relocation>> byShard = new java.util.TreeMap<>();
        moves.forEach(m -> byShard.computeIfAbsent(shardOf(m.sessionId()), s -> new ArrayList<>()).add(m));
        Map<String, SessionRecord> moved = new java.util.concurrent.ConcurrentHashMap<>();
        List<CompletableFuture<Boolean>> writes = new ArrayList<>(byShard.size());
        byShard.forEach((shard, group) -> {
            Map<String, SessionRecord> movedHere = new java.util.HashMap<>();
            writes.add(shards.update(sessionKeys.get(shard), new Replicator.WriteMajority(writeTimeout), map -> {
                movedHere.clear(); // the modify function may run again
                LWWMap<String, SessionRecord> result = map;
                for (Relocation m : group) {
                    Optional<SessionRecord> current = ShardAccess.lookup(map, m.sessionId());
                    if (current.isPresent() && current.get().mediaNodeId().equals(m.fromMediaNodeId())) {
                        SessionRecord r = current.get();
                        SessionRecord next = new SessionRecord(r.sessionId(), r.createdAt(), m.toMediaNodeId(),
                                r.epoch() + 1, r.priority(), r.customSessionId(), r.mediaMode(), r.recordingMode(),
                                r.forcedVideoCodec(), r.allowTranscoding(), r.defaultRecordingProperties());
                        movedHere.put(r.sessionId(), next);
                        result = result.put(self, r.sessionId(), next);
                    }
                }
                if (movedHere.isEmpty()) {
                    throw new Refused();
                }
                return result;
            }).thenApply(applied -> {
                if (applied) {
                    moved.putAll(movedHere);
                }
                return applied;
            }).toCompletableFuture());
        });
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(done -> Map.copyOf(moved));
    }

    /** Per shard touched, not per session: see {@link ShardRestore}. */
    @Override
    public CompletionStage<Restored> restore(List<Restore> restores, RestoreBudget budget) {
        return new ShardRestore(this, system, self, readTimeout, writeTimeout).restore(restores, budget);
    }

    /** Every shard of both kinds read from this replica only: 2 x SHARDS local reads, no round trip to another master. */
    @Override
    public CompletionStage<LocalIds> localIds() {
        return shards.readAll(sessionKeys, Replicator.readLocal()).thenCombine(
                shards.readAll(connectionKeys, Replicator.readLocal()), (sessionMaps, connectionMaps) -> {
            Map<String, String> sessionNodes = new java.util.HashMap<>();
            sessionMaps.forEach(map -> ShardAccess.forEachValue(map,
                    s -> sessionNodes.put(s.sessionId(), s.mediaNodeId())));
            java.util.Set<String> connectionIds = new java.util.HashSet<>();
            connectionMaps.forEach(map -> connectionIds.addAll(map.underlying().getEntries().keySet()));
            return new LocalIds(sessionNodes, connectionIds);
        });
    }

    /** Removes the session and all its connections; true when there was a session to remove. */
    public CompletionStage<Boolean> removeSession(String sessionId) {
        int shard = shardOf(sessionId);
        CompletionStage<Boolean> sessionRemoved = shards.update(sessionKeys.get(shard),
                new Replicator.WriteMajority(writeTimeout), map -> {
                    if (!map.contains(sessionId)) {
                        throw new Refused();
                    }
                    return map.remove(self, sessionId);
                });
        Key<LWWMap<String, ConnectionRecord>> connectionKey = connectionKeys.get(shard);
        CompletionStage<Boolean> connectionsRemoved = shards.update(connectionKey, Replicator.writeLocal(), map -> {
            LWWMap<String, ConnectionRecord> result = map;
            boolean any = false;
            for (Map.Entry<String, LWWRegister<ConnectionRecord>> e : map.underlying().getEntries().entrySet()) {
                if (e.getValue().getValue().sessionId().equals(sessionId)) {
                    result = result.remove(self, e.getKey());
                    any = true;
                }
            }
            if (!any) {
                throw new Refused();
            }
            return result;
        });
        return sessionRemoved.thenCombine(connectionsRemoved, (s, c) -> s);
    }

    public CompletionStage<List<SessionRecord>> allSessions() {
        return allSessions(Replicator.readLocal());
    }

    /**
     * Every session as a majority has it ({@link AgreedListing}): one digest question to each other master, and a
     * majority read of each shard whose digests differ (of every shard when a master cannot be asked). A shard whose
     * majority read times out is read from this master alone (as every read here: answer with what is known rather
     * than fail).
     */
    @Override
    public CompletionStage<List<SessionRecord>> allSessionsFromMajority() {
        return sessionsOf(listing.readAll(sessionKeys, PeerLookup.ShardKind.SESSIONS, peers));
    }

    private CompletionStage<List<SessionRecord>> allSessions(Replicator.ReadConsistency consistency) {
        return sessionsOf(shards.readAll(sessionKeys, consistency));
    }

    private static CompletionStage<List<SessionRecord>> sessionsOf(
            CompletionStage<List<LWWMap<String, SessionRecord>>> read) {
        return read.thenApply(maps -> {
            List<SessionRecord> all = new ArrayList<>();
            maps.forEach(map -> ShardAccess.forEachValue(map, all::add));
            all.sort((a, b) -> Long.compare(a.createdAt(), b.createdAt()));
            return all;
        });
    }

    @Override
    public CompletionStage<Map<String, List<ConnectionRecord>>> allConnectionsFromMajority() {
        return listing.readAll(connectionKeys, PeerLookup.ShardKind.CONNECTIONS, peers).thenApply(maps -> {
            Map<String, List<ConnectionRecord>> bySession = new java.util.HashMap<>();
            maps.forEach(map -> ShardAccess.forEachValue(map,
                    c -> bySession.computeIfAbsent(c.sessionId(), id -> new ArrayList<>()).add(c)));
            bySession.values().forEach(list -> list.sort((a, b) -> Long.compare(a.createdAt(), b.createdAt())));
            return bySession;
        });
    }

    /** This replica's digest of every shard of {@code kind}, for another master's {@link AgreedListing}. */
    CompletionStage<long[]> localDigests(PeerLookup.ShardKind kind) {
        return switch (kind) {
            case SESSIONS -> shards.readAll(sessionKeys, Replicator.readLocal()).thenApply(AgreedListing::digests);
            case CONNECTIONS ->
                    shards.readAll(connectionKeys, Replicator.readLocal()).thenApply(AgreedListing::digests);
        };
    }

    // ---- connections

    /**
     * Written with a majority: a token created through one master must be found by a join through any other,
     * whose majority-read fallback then always shares a master with this write.
     */
    public CompletionStage<Void> putConnection(ConnectionRecord record) {
        int shard = shardOf(record.sessionId());
        return shards.update(connectionKeys.get(shard), new Replicator.WriteMajority(writeTimeout), map -> {
            if (connectionBudget.sizeWith(shard, map, record) < 0) {
                throw new ShardFull("the connections of the sessions that share a routing shard with session "
                        + record.sessionId() + " would outgrow the " + connectionBudget.maxBytes() / 1024
                        + " KiB one shard may hold (serialized); delete connections that will not be used, or "
                        + "give them less 'data'");
            }
            return map.put(self, record.connectionId(), record);
        }).thenApply(applied -> null);
    }

    /**
     * Changes a connection if it is there; the function may throw to leave it unchanged.
     * Completes with the new record, or empty when there was none.
     */
    public CompletionStage<Optional<ConnectionRecord>> updateConnection(String sessionId, String connectionId,
                                                                        Function<ConnectionRecord, ConnectionRecord> change) {
        ConnectionRecord[] changed = new ConnectionRecord[1];
        return shards.update(connectionKeys.get(shardOf(sessionId)), Replicator.writeLocal(), map -> {
            Optional<ConnectionRecord> current = ShardAccess.lookup(map, connectionId)
                    .filter(c -> c.sessionId().equals(sessionId));
            if (current.isEmpty()) {
                throw new Refused();
            }
            changed[0] = change.apply(current.get());
            return map.put(self, connectionId, changed[0]);
        }).thenApply(applied -> applied ? Optional.of(changed[0]) : Optional.empty());
    }

    public CompletionStage<Boolean> removeConnection(String sessionId, String connectionId) {
        return shards.update(connectionKeys.get(shardOf(sessionId)), Replicator.writeLocal(), map -> {
            if (ShardAccess.lookup(map, connectionId).filter(c -> c.sessionId().equals(sessionId)).isEmpty()) {
                throw new Refused();
            }
            return map.remove(self, connectionId);
        });
    }

    public CompletionStage<List<ConnectionRecord>> connections(String sessionId) {
        return connections(sessionId, Replicator.readLocal());
    }

    @Override
    public CompletionStage<List<ConnectionRecord>> connectionsFromMajority(String sessionId) {
        return connections(sessionId, new Replicator.ReadMajority(readTimeout));
    }

    private CompletionStage<List<ConnectionRecord>> connections(String sessionId, Replicator.ReadConsistency consistency) {
        Key<LWWMap<String, ConnectionRecord>> key = connectionKeys.get(shardOf(sessionId));
        return shards.read(key, consistency).thenApply(map -> {
            List<ConnectionRecord> result = new ArrayList<>();
            ShardAccess.forEachValue(map, c -> {
                if (c.sessionId().equals(sessionId)) {
                    result.add(c);
                }
            });
            result.sort((a, b) -> Long.compare(a.createdAt(), b.createdAt()));
            return result;
        });
    }

    /** A connection of the session that {@code match} accepts; a local miss is retried with a majority read. */
    @Override
    public CompletionStage<Optional<ConnectionRecord>> findConnection(String sessionId,
                                                                      Predicate<ConnectionRecord> match) {
        return localElseMajority(connectionKeys.get(shardOf(sessionId)),
                map -> valueOf(findRegister(map, sessionId, match)));
    }

    /** {@link #lookupSession}'s rule for a connection: a local miss asks the other masters before a majority. */
    @Override
    public CompletionStage<Optional<ConnectionRecord>> lookupConnection(String sessionId,
                                                                        PeerLookup.ConnectionMatch match) {
        return lookupOne(connectionKeys.get(shardOf(sessionId)), map -> findRegister(map, sessionId, match),
                asked -> asked.<ConnectionRecord, PeerLookup.ConnectionAnswer>lookup(
                        replyTo -> new PeerLookup.FindConnection(sessionId, match, replyTo)));
    }

    /** This replica's copy of the connection with its timestamp, for another master's {@link PeerLookup}. */
    CompletionStage<PeerLookup.ConnectionAnswer> localConnectionAnswer(String sessionId,
                                                                       PeerLookup.ConnectionMatch match) {
        return localAnswer(connectionKeys.get(shardOf(sessionId)), map -> findRegister(map, sessionId, match),
                PeerLookup.ConnectionAnswer::new);
    }

    /** By id, one map lookup; by token, a scan of the shard. */
    private static LWWRegister<ConnectionRecord> findRegister(LWWMap<String, ConnectionRecord> map, String sessionId,
                                                              PeerLookup.ConnectionMatch match) {
        if (match.connectionId() != null) {
            scala.Option<LWWRegister<ConnectionRecord>> register = map.underlying().get(match.connectionId());
            return register.isDefined() && register.get().getValue().sessionId().equals(sessionId)
                    ? register.get() : null;
        }
        return findRegister(map, sessionId, match::matches);
    }

    private static LWWRegister<ConnectionRecord> findRegister(LWWMap<String, ConnectionRecord> map, String sessionId,
                                                              Predicate<ConnectionRecord> match) {
        for (LWWRegister<ConnectionRecord> register : map.underlying().getEntries().values()) {
            ConnectionRecord c = register.getValue();
            if (c.sessionId().equals(sessionId) && match.test(c)) {
                return register;
            }
        }
        return null;
    }

    // ---- one record, for a caller that only looks at it

    /**
     * The record {@code find} picks: from this replica; on a miss from what the other masters' answers decide
     * ({@code ask}, {@link PeerReads}); when those do not decide, from a majority read of the shard.
     */
    private <V> CompletionStage<Optional<V>> lookupOne(
            Key<LWWMap<String, V>> key, Function<LWWMap<String, V>, LWWRegister<V>> find,
            Function<PeerReads, CompletableFuture<PeerReads.Decision<V>>> ask) {
        return shards.read(key, Replicator.readLocal()).thenCompose(map -> {
            LWWRegister<V> found = find.apply(map);
            if (found != null) {
                return CompletableFuture.completedFuture(Optional.of(found.getValue()));
            }
            PeerReads asked = peers;
            CompletableFuture<PeerReads.Decision<V>> asking = asked == null
                    ? CompletableFuture.completedFuture(PeerReads.Decision.undecided())
                    : ask.apply(asked);
            return asking.thenCompose(decision -> decision.decided()
                    ? CompletableFuture.completedFuture(decision.found())
                    : shards.read(key, new Replicator.ReadMajority(readTimeout)).thenApply(m -> valueOf(find.apply(m))));
        });
    }

    /** What {@code find} picks in this replica, with its last-writer-wins timestamp (0 and null when absent). */
    private <V, A> CompletionStage<A> localAnswer(Key<LWWMap<String, V>> key,
                                                 Function<LWWMap<String, V>, LWWRegister<V>> find,
                                                 java.util.function.BiFunction<V, Long, A> answer) {
        return shards.read(key, Replicator.readLocal()).thenApply(map -> {
            LWWRegister<V> found = find.apply(map);
            return found == null ? answer.apply(null, 0L) : answer.apply(found.getValue(), found.timestamp());
        });
    }

    /** What {@code find} picks in this replica; on a miss, in a majority's copy of the shard (merged into this one). */
    private <V> CompletionStage<Optional<V>> localElseMajority(Key<LWWMap<String, V>> key,
                                                               Function<LWWMap<String, V>, Optional<V>> find) {
        return shards.read(key, Replicator.readLocal()).thenCompose(map -> {
            Optional<V> found = find.apply(map);
            return found.isPresent() ? CompletableFuture.completedFuture(found)
                    : shards.read(key, new Replicator.ReadMajority(readTimeout)).thenApply(find);
        });
    }

    private static <V> Optional<V> valueOf(LWWRegister<V> register) {
        return register == null ? Optional.empty() : Optional.of(register.getValue());
    }
}
