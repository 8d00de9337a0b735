package io.tessera.master.routing;

import io.tessera.common.protocol.ClusterSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Answers another master's question for one routing record, or for the digests of every shard of one kind, from this
 * master's replica: the server side of {@link PeerReads} (and of {@link AgreedListing}). A local miss elsewhere then costs two small messages per other master instead of a majority read,
 * whose answers carry the whole shard (hundreds of records once the cluster holds thousands of sessions) and are
 * merged into the asker's replica.
 *
 * <p>The answer carries the record's last-writer-wins timestamp, so the asker keeps the newest of the copies it gets.
 * Nothing is written here: the asker decides what the answers mean.
 */
public final class PeerLookup {

    static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "tessera-routing-peer-lookup");

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

    public record FindSession(String sessionId, ActorRef<SessionAnswer> replyTo) implements Command {
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
            return Behaviors.receive(Command.class)
                    .onMessage(FindSession.class, find -> {
                        table.localSessionAnswer(find.sessionId()).thenAccept(find.replyTo()::tell);
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
}
