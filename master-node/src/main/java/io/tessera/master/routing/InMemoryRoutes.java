package io.tessera.master.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The routing table of a single master, in memory: what {@link RoutingTable} does, without replication (so a
 * majority read is a local one). For in-JVM tests of the actors that use {@link Routes}.
 */
public final class InMemoryRoutes implements Routes {
    private final Map<String, SessionRecord> sessions = new ConcurrentHashMap<>();
    private final Map<String, ConnectionRecord> connections = new ConcurrentHashMap<>();

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    @Override
    public CompletionStage<Optional<SessionRecord>> session(String sessionId) {
        return done(Optional.ofNullable(sessions.get(sessionId)));
    }

    @Override
    public CompletionStage<Optional<SessionRecord>> sessionFromMajority(String sessionId) {
        return session(sessionId);
    }

    @Override
    public synchronized CompletionStage<CreateOutcome> createSession(SessionRecord record) {
        return done(sessions.putIfAbsent(record.sessionId(), record) == null
                ? CreateOutcome.CREATED : CreateOutcome.ALREADY_EXISTS);
    }

    @Override
    public synchronized CompletionStage<Optional<SessionRecord>> relocateSession(String sessionId,
                                                                                 String fromMediaNodeId,
                                                                                 String toMediaNodeId) {
        SessionRecord r = sessions.get(sessionId);
        if (r == null || !r.mediaNodeId().equals(fromMediaNodeId)) {
            return done(Optional.empty());
        }
        SessionRecord moved = new SessionRecord(r.sessionId(), r.createdAt(), toMediaNodeId, r.epoch() + 1,
                r.priority(), r.customSessionId(), r.mediaMode(), r.recordingMode(), r.forcedVideoCodec(),
                r.allowTranscoding(), r.defaultRecordingProperties());
        sessions.put(sessionId, moved);
        return done(Optional.of(moved));
    }

    @Override
    public synchronized CompletionStage<Boolean> removeSession(String sessionId) {
        connections.values().removeIf(c -> c.sessionId().equals(sessionId));
        return done(sessions.remove(sessionId) != null);
    }

    @Override
    public CompletionStage<List<SessionRecord>> allSessions() {
        List<SessionRecord> all = new ArrayList<>(sessions.values());
        all.sort(Comparator.comparingLong(SessionRecord::createdAt));
        return done(all);
    }

    @Override
    public CompletionStage<Void> putConnection(ConnectionRecord record) {
        connections.put(record.connectionId(), record);
        return done(null);
    }

    @Override
    public synchronized CompletionStage<Optional<ConnectionRecord>> updateConnection(
            String sessionId, String connectionId, Function<ConnectionRecord, ConnectionRecord> change) {
        ConnectionRecord current = connections.get(connectionId);
        if (current == null || !current.sessionId().equals(sessionId)) {
            return done(Optional.empty());
        }
        try {
            ConnectionRecord changed = change.apply(current);
            connections.put(connectionId, changed);
            return done(Optional.of(changed));
        } catch (RuntimeException failed) {
            return CompletableFuture.failedFuture(failed);
        }
    }

    @Override
    public synchronized CompletionStage<Boolean> removeConnection(String sessionId, String connectionId) {
        ConnectionRecord current = connections.get(connectionId);
        if (current == null || !current.sessionId().equals(sessionId)) {
            return done(false);
        }
        connections.remove(connectionId);
        return done(true);
    }

    @Override
    public CompletionStage<List<ConnectionRecord>> connections(String sessionId) {
        List<ConnectionRecord> found = new ArrayList<>(connections.values().stream()
                .filter(c -> c.sessionId().equals(sessionId)).toList());
        found.sort(Comparator.comparingLong(ConnectionRecord::createdAt));
        return done(found);
    }

    @Override
    public CompletionStage<Optional<ConnectionRecord>> findConnection(String sessionId,
                                                                      Predicate<ConnectionRecord> match) {
        return done(connections.values().stream().filter(c -> c.sessionId().equals(sessionId) && match.test(c))
                .findFirst());
    }
}
