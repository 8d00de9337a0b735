package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol.HostedSession;
import io.tessera.common.protocol.MediaNodeProtocol.InventoryPage;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.SessionDescriptor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers one {@code ReportInventory}: asks every session of the node for its participants, then sends the node's
 * sessions to the master in pages, and stops. A session that does not answer within the timeout is reported without
 * participants (its route is still rebuilt; its participants' resumes then fail with 404 and they join again).
 */
final class InventoryCollector {

    /** Rough bound of one page (characters of text in it): CBOR of that stays far below Artery's 256 KiB frame. */
    static final int PAGE_CHARS = 48 * 1024;

    /** What this actor handles. */
    interface Command {
    }

    private record Answered(Session.Participants participants) implements Command {
    }

    private enum TimedOut implements Command { INSTANCE }

    /** A hosted session: the descriptor the node keeps for it, and its actor. */
    record Hosted(SessionDescriptor descriptor, ActorRef<Session.Message> session) {
    }

    static Behavior<Command> create(String mediaNodeId, Map<String, Hosted> sessions, ActorRef<InventoryPage> replyTo,
                                    Duration timeout) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ActorRef<Session.Participants> adapter = ctx.messageAdapter(Session.Participants.class, Answered::new);
            sessions.values().forEach(h -> h.session().tell(new Session.ReportParticipants(adapter)));
            timers.startSingleTimer(TimedOut.INSTANCE, timeout);
            Map<String, Session.Participants> answers = new HashMap<>();
            if (sessions.isEmpty()) {
                send(mediaNodeId, sessions, answers, replyTo);
                return Behaviors.stopped();
            }
            return Behaviors.receive(Command.class)
                    .onMessage(Answered.class, a -> {
                        answers.put(a.participants().sessionId(), a.participants());
                        if (answers.keySet().containsAll(sessions.keySet())) {
                            send(mediaNodeId, sessions, answers, replyTo);
                            return Behaviors.stopped();
                        }
                        return Behaviors.same();
                    })
                    .onMessage(TimedOut.class, t -> {
                        ctx.getLog().warn("inventory: {} of {} sessions did not answer within {} ms",
                                sessions.size() - answers.size(), sessions.size(), timeout.toMillis());
                        send(mediaNodeId, sessions, answers, replyTo);
                        return Behaviors.stopped();
                    })
                    .build();
        }));
    }

    private static void send(String mediaNodeId, Map<String, Hosted> sessions, Map<String, Session.Participants> answers,
                             ActorRef<InventoryPage> replyTo) {
        List<HostedSession> entries = new ArrayList<>();
        sessions.forEach((id, hosted) -> {
            Session.Participants p = answers.get(id);
            if (p == null || !p.ended()) {
                entries.add(new HostedSession(id, hosted.descriptor(), p == null ? List.of() : p.participants()));
            }
        });
        List<List<HostedSession>> pages = paginate(entries, PAGE_CHARS);
        for (int i = 0; i < pages.size(); i++) {
            replyTo.tell(new InventoryPage(mediaNodeId, i, i == pages.size() - 1, pages.get(i), null));
        }
    }

    /**
     * Splits the entries into pages of about {@code budget} characters; a session larger than a page is split into
     * entries with the same id and descriptor and a part of its participants each. Always at least one page.
     */
    static List<List<HostedSession>> paginate(List<HostedSession> entries, int budget) {
        List<List<HostedSession>> pages = new ArrayList<>();
        List<HostedSession> page = new ArrayList<>();
        int used = 0;
        for (HostedSession entry : entries) {
            int header = 256 + entry.sessionId().length();
            if (used + header > budget && !page.isEmpty()) {
                pages.add(page);
                page = new ArrayList<>();
                used = 0;
            }
            used += header;
            List<ParticipantInfo> part = new ArrayList<>();
            for (ParticipantInfo p : entry.participants()) {
                if (used + size(p) > budget && !part.isEmpty()) {
                    page.add(new HostedSession(entry.sessionId(), entry.descriptor(), part));
                    pages.add(page);
                    page = new ArrayList<>();
                    part = new ArrayList<>();
                    used = header;
                }
                part.add(p);
                used += size(p);
            }
            page.add(new HostedSession(entry.sessionId(), entry.descriptor(), part));
        }
        pages.add(page);
        return pages;
    }

    private static int size(ParticipantInfo p) {
        return 64 + len(p.connectionId()) + len(p.metadata()) + len(p.serverData()) + len(p.role()) + len(p.platform())
                + len(p.ip());
    }

    private static int len(String s) {
        return s == null ? 0 : s.length();
    }
}
