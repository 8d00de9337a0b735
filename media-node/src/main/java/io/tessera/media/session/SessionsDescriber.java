package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol.DescribeSession;
import io.tessera.common.protocol.MediaNodeProtocol.SessionMedia;
import io.tessera.common.protocol.MediaNodeProtocol.SessionsMedia;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Answers one {@code DescribeSessions} of a master: asks each of the wanted sessions on this node for its media,
 * collects the answers and sends them back as one message, then stops. A session that does not answer within
 * {@code timeout} (a busy actor) is left out and named in the answer's {@code error}, so the master gets what there
 * is instead of nothing. One short-lived child of the {@link SessionManager} per request.
 */
final class SessionsDescriber {

    /** What this actor handles: the sessions' answers and its own deadline. */
    interface Command {
    }

    private record Described(SessionMedia media) implements Command {
    }

    private enum TimedOut implements Command { INSTANCE }

    private SessionsDescriber() {
    }

    static Behavior<Command> create(String mediaNodeId, Map<String, ActorRef<Session.Message>> sessions,
                                    ActorRef<SessionsMedia> replyTo, Duration timeout) {
        if (sessions.isEmpty()) {
            replyTo.tell(new SessionsMedia(mediaNodeId, List.of(), null));
            return Behaviors.stopped();
        }
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ActorRef<SessionMedia> adapter = ctx.messageAdapter(SessionMedia.class, Described::new);
            sessions.forEach((id, session) -> session.tell(new Session.Forwarded(new DescribeSession(id, adapter))));
            timers.startSingleTimer(TimedOut.INSTANCE, timeout);
            List<SessionMedia> answers = new ArrayList<>(sessions.size());
            Set<String> waiting = new HashSet<>(sessions.keySet());
            return Behaviors.receive(Command.class)
                    .onMessage(Described.class, described -> {
                        // A session that ended meanwhile answers "not hosted": it is left out, as not hosted here.
                        if (waiting.remove(described.media().sessionId()) && described.media().hosted()) {
                            answers.add(described.media());
                        }
                        if (waiting.isEmpty()) {
                            replyTo.tell(new SessionsMedia(mediaNodeId, answers, null));
                            return Behaviors.stopped();
                        }
                        return Behaviors.same();
                    })
                    .onMessageEquals(TimedOut.INSTANCE, () -> {
                        replyTo.tell(new SessionsMedia(mediaNodeId, answers, "sessions " + waiting
                                + " did not answer within " + timeout.toMillis() + " ms"));
                        return Behaviors.stopped();
                    })
                    .build();
        }));
    }
}
