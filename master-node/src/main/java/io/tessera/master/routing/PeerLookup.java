package io.tessera.master.routing;

import io.tessera.common.protocol.ClusterSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Answers another master's question for routing records (one connection, or the sessions of one round of
 * {@link PeerReads}), or for the digests of every shard of one kind, from this master's replica: the server side of
 * {@link PeerReads} (and of {@link AgreedListing}). A local miss elsewhere then costs two small messages per other
 * master, shared by the sessions of a round, instead of a majority read, whose answers carry the whole shard (hundreds
 * of records once the cluster holds thousands of sessions) and are merged into the asker's replica.
 *
 * <p>Each answer carries its record's last-writer-wins timestamp, so the asker keeps the newest of the copies it gets.
 * Nothing is written here: the asker decides what the answers mean.
 */
public final class PeerLookup {

    static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "tessera-routing-peer-lookup");

    /**
     * The same actor listed a second time, by masters that answer {@link FindSessions} (since 2026-12-07). A master of
     * an earlier version is listed only under {@link #SERVICE_KEY}: {@link PeerReads} then reads a session from a
     * majority at once rather than wait a timeout for an answer to a question that master does not understand, and
     * still asks it for connections and digests, whose questions have not changed (OPERATIONS.md "Upgrading masters").
     */
    static final ServiceKey<Command> SESSION_ROUNDS_KEY =
            ServiceKey.create(Command.class, "tessera-routing-peer-lookup-session-rounds");

    /** The most session ids one {@link FindSessions} carries; the asker's rounds hold no more ({@link PeerReads}). */
    static final int MAX_SESSIONS_PER_QUESTION = 64;

    /** What the lookup actor of a master handles: questions from the other masters. */
    public interface Command extends ClusterSerializable {
    }

    /** A master's copy of one record: {@code record} null when its replica has none. */
    public interface Answer<V> {
        V record();

        long timestamp();
    }

    /** Which connection of a session: by id, or by token (a join presents a token). */
    public record ConnectionMatch(String connectionId, String token) implements ClusterSerializable {
        public static ConnectionMatch byId(String connectionId) {
            return new ConnectionMatch(connectionId, null);
        }

        public static ConnectionMatch byToken(String token) {
            return new ConnectionMatch(null, token);
        }

        /** The token is compared in constant time; its hash (cached in each String) passes only candidates on. */
        public boolean matches(ConnectionRecord c) {
            if (connectionId != null) {
                return c.connectionId().equals(connectionId);
            }
            return token != null && c.token().hashCode() == token.hashCode()
                    && MessageDigest.isEqual(c.token().getBytes(StandardCharsets.UTF_8),
                    token.getBytes(StandardCharsets.UTF_8));
        }

        /** Without the token: a question that ends up in a log line (a dead letter) must not carry it. */
        @Override
        public String toString() {
            return connectionId != null ? "connection " + connectionId : "a token";
        }
    }

    /**
     * One session: what masters before 2026-12-07 ask (this version asks {@link FindSessions}); still answered so that
     * they keep asking newer masters during a rolling upgrade instead of waiting a timeout.
     */
    public record FindSession(String sessionId, ActorRef<SessionAnswer> replyTo) implements Command {
    }

    /** Sessions by id, answered in one {@link SessionAnswers} in the same order. */
    public record FindSessions(List<String> sessionIds, ActorRef<SessionAnswers> replyTo) implements Command {
    }

    public record FindConnection(String sessionId, ConnectionMatch match, ActorRef<ConnectionAnswer> replyTo)
            implements Command {
    }

    /** The routing table's two kinds of shard. */
    public enum ShardKind {
        SESSIONS, CONNECTIONS
    }

    /** A digest of every shard of {@code kind} in this master's replica, for {@link AgreedListing}. */
    public record ShardDigests(ShardKind kind, ActorRef<DigestsAnswer> replyTo) implements Command {
    }

    /** One digest per shard, in shard order ({@link AgreedListing#digest}). */
    public record DigestsAnswer(long[] digests) implements ClusterSerializable {
    }

    public record SessionAnswer(SessionRecord record, long timestamp)
            implements Answer<SessionRecord>, ClusterSerializable {
    }

    public record SessionAnswers(List<SessionAnswer> answers) implements ClusterSerializable {
    }

    public record ConnectionAnswer(ConnectionRecord record, long timestamp)
            implements Answer<ConnectionRecord>, ClusterSerializable {
    }

    private PeerLookup() {
    }

    /**
     * Registers with the receptionist (so that {@link PeerReads} on the other masters find it) and answers from
     * {@code table}'s local replica. A read that fails is not answered: the asker's timeout sends it to a majority read.
     */
    static Behavior<Command> create(RoutingTable table) {
        return Behaviors.setup(context -> {
            context.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, context.getSelf()));
            context.getSystem().receptionist().tell(Receptionist.register(SESSION_ROUNDS_KEY, context.getSelf()));
            return Behaviors.receive(Command.class)
                    .onMessage(FindSession.class, find -> {
                        table.localSessionAnswer(find.sessionId()).thenAccept(find.replyTo()::tell);
                        return Behaviors.same();
                    })
                    .onMessage(FindSessions.class, find -> {
                        if (find.sessionIds().size() > MAX_SESSIONS_PER_QUESTION) {
                            context.getLog().warn("a question for {} sessions from {} left unanswered (at most {} are "
                                    + "asked at once)", find.sessionIds().size(), find.replyTo().path().address(),
                                    MAX_SESSIONS_PER_QUESTION);
                            return Behaviors.same();
                        }
                        answerSessions(table, find);
                        return Behaviors.same();
                    })
                    .onMessage(FindConnection.class, find -> {
                        table.localConnectionAnswer(find.sessionId(), find.match()).thenAccept(find.replyTo()::tell);
                        return Behaviors.same();
                    })
                    .onMessage(ShardDigests.class, ask -> {
                        table.localDigests(ask.kind()).thenAccept(d -> ask.replyTo().tell(new DigestsAnswer(d)));
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    private static void answerSessions(RoutingTable table, FindSessions find) {
        List<CompletableFuture<SessionAnswer>> answers = new ArrayList<>(find.sessionIds().size());
        for (String sessionId : find.sessionIds()) {
            answers.add(table.localSessionAnswer(sessionId).toCompletableFuture());
        }
        Futures.all(answers).thenAccept(all -> find.replyTo().tell(new SessionAnswers(all)));
    }
}
