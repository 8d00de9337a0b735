package io.tessera.master.signalling;

import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.SessionRelocated;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import io.tessera.common.cluster.ClusterFanout;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One per master: hears every session move on the cluster topic and passes it to this master's client
 * connections in that session, so that ten thousand sockets do not each subscribe to a cluster topic. The
 * connections register when they join and unregister when they leave or stop; the map is bounded by the
 * master's socket limit.
 */
public final class RelocationRelay {

    public interface Command {
    }

    /** A connection joined session {@code sessionId} on this master. */
    public record Register(String sessionId, ActorRef<ClientConnection.Command> connection) implements Command {
    }

    /** The connection left the session, or stopped. */
    public record Unregister(String sessionId, ActorRef<ClientConnection.Command> connection) implements Command {
    }

    /** A relocation notice from the cluster topic (message adapter). */
    private record Heard(SessionRelocated relocation) implements Command {
    }

    /** An early word from the cluster topic: a session's media node was found dead (message adapter). */
    private record HeardLost(ClusterTopics.MediaNodeLost lost) implements Command {
    }

    private RelocationRelay() {
    }

    public static Behavior<Command> create() {
        return Behaviors.setup(ctx -> {
            ActorRef<ClusterFanout.Command<SessionRelocated>> topic =
                    ctx.spawn(ClusterFanout.create(SessionRelocated.class, ClusterTopics.SESSION_RELOCATIONS), "topic");
            topic.tell(ClusterFanout.subscribe(ctx.messageAdapter(SessionRelocated.class, Heard::new)));
            ActorRef<ClusterFanout.Command<ClusterTopics.MediaNodeLost>> losses = ctx.spawn(
                    ClusterFanout.create(ClusterTopics.MediaNodeLost.class, ClusterTopics.MEDIA_NODE_LOSSES), "losses");
            losses.tell(ClusterFanout.subscribe(ctx.messageAdapter(ClusterTopics.MediaNodeLost.class, HeardLost::new)));
            Map<String, Set<ActorRef<ClientConnection.Command>>> bySession = new HashMap<>();
            return Behaviors.receive(Command.class)
                    .onMessage(Register.class, r -> {
                        bySession.computeIfAbsent(r.sessionId(), id -> new HashSet<>()).add(r.connection());
                        return Behaviors.same();
                    })
                    .onMessage(Unregister.class, u -> {
                        Set<ActorRef<ClientConnection.Command>> connections = bySession.get(u.sessionId());
                        if (connections != null && connections.remove(u.connection()) && connections.isEmpty()) {
                            bySession.remove(u.sessionId());
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Heard.class, heard -> {
                        Set<ActorRef<ClientConnection.Command>> connections = bySession.get(heard.relocation().sessionId());
                        if (connections != null) {
                            ClientConnection.Relocated relocated = new ClientConnection.Relocated(heard.relocation());
                            connections.forEach(c -> c.tell(relocated));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(HeardLost.class, heard -> {
                        for (String sessionId : heard.lost().sessionIds()) {
                            Set<ActorRef<ClientConnection.Command>> connections = bySession.get(sessionId);
                            if (connections != null) {
                                ClientConnection.MediaNodeLost lost = new ClientConnection.MediaNodeLost(sessionId,
                                        heard.lost().mediaNodeId());
                                connections.forEach(c -> c.tell(lost));
                            }
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
