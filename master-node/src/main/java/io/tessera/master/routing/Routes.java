package io.tessera.master.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The routing table as its users see it: sessions (with their media node) and connections (with their tokens).
 * {@link RoutingTable} keeps them in Distributed Data, replicated between the masters; {@link InMemoryRoutes} keeps
 * them in one JVM, for tests of the actors that use them. Every operation is asynchronous.
 */
public interface Routes {

    enum CreateOutcome { CREATED, ALREADY_EXISTS }

    // ---- sessions

    /** The session, as this master knows it (a miss is confirmed with the other masters). */
    CompletionStage<Optional<SessionRecord>> session(String sessionId);

    /**
     * The session, for a caller that only looks at it (a join, a custom id's existence check): like
     * {@link #session}, but a miss may be confirmed by asking the other masters for this one record, and nothing
     * found elsewhere is written to this master's replica.
     */
    default CompletionStage<Optional<SessionRecord>> lookupSession(String sessionId) {
        return session(sessionId);
    }

    /** The session as a majority of masters has it: after two concurrent creates, the value they converge to. */
    CompletionStage<Optional<SessionRecord>> sessionFromMajority(String sessionId);

    /** The session as this master's replica has it, a miss not confirmed with anyone (a backstop's look). */
    default CompletionStage<Optional<SessionRecord>> localSession(String sessionId) {
        return session(sessionId);
    }

    /** Adds the session unless one with that id is known. */
    CompletionStage<CreateOutcome> createSession(SessionRecord record);

    /**
     * Moves a session to another media node if it is still on {@code fromMediaNodeId}; the epoch grows by one.
     * Empty when it was not there.
     */
    CompletionStage<Optional<SessionRecord>> relocateSession(String sessionId, String fromMediaNodeId,
                                                             String toMediaNodeId);

    /** One move of {@link #relocateSessions}: the session goes to {@code toMediaNodeId} if still on {@code fromMediaNodeId}. */
    record Relocation(String sessionId, String fromMediaNodeId, String toMediaNodeId) {
    }

    /**
     * Several moves at once, each under the rule of {@link #relocateSession} (applied only if the session still
     * names its {@code from} node). Completes with the moved records by session id; a session that was not moved is
     * absent. This default writes them one by one, all in flight together.
     */
    default CompletionStage<Map<String, SessionRecord>> relocateSessions(List<Relocation> moves) {
        List<CompletableFuture<Optional<SessionRecord>>> writes = moves.stream()
                .map(m -> relocateSession(m.sessionId(), m.fromMediaNodeId(), m.toMediaNodeId()).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, SessionRecord> moved = new HashMap<>();
            writes.forEach(w -> w.join().ifPresent(r -> moved.put(r.sessionId(), r)));
            return moved;
        });
    }

    /** A session to write back after the masters were lost: its record and the connections of its joined participants. */
    record Restore(SessionRecord record, List<ConnectionRecord> connections) {
    }

    /** What {@link #restore} wrote: sessions the table did not know, and connections it did not know. */
    record Restored(int sessions, int connections) {
    }

    /** {@link #restore(List, RestoreBudget)} with {@link RestoreBudget#DEFAULT}. */
    default CompletionStage<Restored> restore(List<Restore> restores) {
        return restore(restores, RestoreBudget.DEFAULT);
    }

    /**
     * Writes back what the table lacks (the routing rebuild): each session unless one with its id is known (then the
     * known record stands), and each of its connections unless known, but only when the table routes the session to
     * the media node the restore names (a session the masters moved elsewhere keeps their route). Reads what a
     * majority of masters has before deciding, so that a master joining a running cluster writes nothing.
     * {@code budget} bounds what is on the wire at once; this default goes one session at a time.
     */
    default CompletionStage<Restored> restore(List<Restore> restores, RestoreBudget budget) {
        CompletionStage<Restored> sum = CompletableFuture.completedFuture(new Restored(0, 0));
        for (Restore r : restores) {
            sum = sum.thenCompose(total -> restoreOne(r).thenApply(one ->
                    new Restored(total.sessions() + one.sessions(), total.connections() + one.connections())));
        }
        return sum;
    }

    private CompletionStage<Restored> restoreOne(Restore r) {
        String id = r.record().sessionId();
        return sessionFromMajority(id).thenCompose(found -> found.isPresent()
                ? restoreConnections(found.get(), r, 0)
                : createSession(r.record()).thenCompose(outcome -> sessionFromMajority(id).thenCompose(now ->
                        restoreConnections(now.orElse(r.record()), r, outcome == CreateOutcome.CREATED ? 1 : 0))));
    }

    private CompletionStage<Restored> restoreConnections(SessionRecord current, Restore r, int created) {
        if (!current.mediaNodeId().equals(r.record().mediaNodeId())) {
            return CompletableFuture.completedFuture(new Restored(created, 0)); // routed elsewhere: that route stands
        }
        CompletionStage<Integer> written = CompletableFuture.completedFuture(0);
        for (ConnectionRecord c : r.connections()) {
            written = written.thenCompose(n -> connection(c.sessionId(), c.connectionId())
                    .thenCompose(existing -> existing.isPresent() ? CompletableFuture.completedFuture(n)
                            : putConnection(c).thenApply(v -> n + 1)));
        }
        return written.thenApply(n -> new Restored(created, n));
    }

    /**
     * What this master's own replica holds, by id: each session's media node, and every connection's id. A master
     * that leaves the rebuild to another compares it with the inventories to know when the restored routes reached it.
     */
    record LocalIds(Map<String, String> sessionNodes, java.util.Set<String> connectionIds) {
    }

    /** {@link LocalIds} of this master's replica (no other master asked). This default reads session by session. */
    default CompletionStage<LocalIds> localIds() {
        return allSessions().thenCompose(all -> {
            Map<String, String> nodes = new HashMap<>();
            java.util.Set<String> connectionIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
            all.forEach(s -> nodes.put(s.sessionId(), s.mediaNodeId()));
            List<CompletableFuture<Void>> reads = all.stream().map(s -> connections(s.sessionId())
                    .thenAccept(cs -> cs.forEach(c -> connectionIds.add(c.connectionId()))).toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                    .thenApply(done -> new LocalIds(nodes, java.util.Set.copyOf(connectionIds)));
        });
    }

    /** Removes the session and all its connections; true when there was a session to remove. */
    CompletionStage<Boolean> removeSession(String sessionId);

    /** Every session, oldest first, as this master's replica has them (internal readers: failover, rebuild). */
    CompletionStage<List<SessionRecord>> allSessions();

    /**
     * Every session, oldest first, as a majority of masters has them together with this master: what REST lists
     * read, so that a session created through any master (a majority write) is in the list of every master.
     */
    default CompletionStage<List<SessionRecord>> allSessionsFromMajority() {
        return allSessions();
    }

    /**
     * Every connection, by session id (each list oldest first), as a majority of masters has them together with this
     * master: one read of the whole table for a REST list of sessions, whatever their number.
     */
    default CompletionStage<Map<String, List<ConnectionRecord>>> allConnectionsFromMajority() {
        return allSessions().thenCompose(all -> {
            Map<String, List<ConnectionRecord>> bySession = new java.util.concurrent.ConcurrentHashMap<>();
            List<CompletableFuture<Void>> reads = all.stream().map(s -> connections(s.sessionId())
                    .thenAccept(cs -> bySession.put(s.sessionId(), cs)).toCompletableFuture()).toList();
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> bySession);
        });
    }

    // ---- connections

    CompletionStage<Void> putConnection(ConnectionRecord record);

    /**
     * Changes a connection if it is there; the function may throw to leave it unchanged. Completes with the new
     * record, or empty when there was none.
     */
    CompletionStage<Optional<ConnectionRecord>> updateConnection(String sessionId, String connectionId,
                                                                 Function<ConnectionRecord, ConnectionRecord> change);

    CompletionStage<Boolean> removeConnection(String sessionId, String connectionId);

    /** The session's connections, oldest first, as this master's replica has them. */
    CompletionStage<List<ConnectionRecord>> connections(String sessionId);

    /**
     * The session's connections, oldest first, as a majority of masters has them together with this master (REST
     * reads: a token created through any master is listed by every master).
     */
    default CompletionStage<List<ConnectionRecord>> connectionsFromMajority(String sessionId) {
        return connections(sessionId);
    }

    default CompletionStage<Optional<ConnectionRecord>> connection(String sessionId, String connectionId) {
        return findConnection(sessionId, c -> c.connectionId().equals(connectionId));
    }

    CompletionStage<Optional<ConnectionRecord>> findConnection(String sessionId, Predicate<ConnectionRecord> match);

    /** The connection, for a caller that only looks at it: {@link #lookupSession}'s rule. */
    default CompletionStage<Optional<ConnectionRecord>> lookupConnection(String sessionId,
                                                                         PeerLookup.ConnectionMatch match) {
        return findConnection(sessionId, match::matches);
    }

    /** The connection as this master's replica has it, a miss not confirmed with anyone (a backstop's look). */
    default CompletionStage<Optional<ConnectionRecord>> localConnection(String sessionId, String connectionId) {
        return connection(sessionId, connectionId);
    }
}
