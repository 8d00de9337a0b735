package io.tessera.media.session;

import io.tessera.common.protocol.ClusterTopics.ParticipantActivated;
import io.tessera.common.protocol.ClusterTopics.ParticipantRemoved;
import io.tessera.common.protocol.ClusterTopics.SessionEnded;
import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.CloseSession;
import io.tessera.common.protocol.MediaNodeProtocol.Command;
import io.tessera.common.protocol.MediaNodeProtocol.Event;
import io.tessera.common.protocol.MediaNodeProtocol.Evict;
import io.tessera.common.protocol.MediaNodeProtocol.HostSession;
import io.tessera.common.protocol.MediaNodeProtocol.Join;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.Leave;
import io.tessera.common.protocol.MediaNodeProtocol.MessageReceived;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvicted;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantJoined;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantLeft;
import io.tessera.common.protocol.MediaNodeProtocol.Signal;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One media session on this node: its participants, and a sequence of events for each of them.
 * Every event a participant receives is numbered by that participant's own sequence, so a client that
 * resumes through another master can say what it saw last. A participant whose signalling actor dies
 * (its master crashed or its socket closed) is kept for a grace window, with its events buffered, and
 * evicted with reason {@code networkDisconnect} after it.
 */
public final class Session {

    /** Messages of this actor: the public commands forwarded by the manager, plus the internal ones below. */
    public interface Message {
    }

    record Forwarded(Command command) implements Message {
    }

    private record SignallingTerminated(String connectionId, ActorRef<ParticipantEvent> signalling) implements Message {
    }

    private record GraceExpired(String connectionId, ActorRef<ParticipantEvent> signalling) implements Message {
    }

    /** Told to the manager whenever the number of participants changes, and once when the session ends. */
    public record Changed(String sessionId, int participants, boolean ended) {
    }

    /** Limits and identity of the node, fixed at start. */
    public record Settings(String mediaNodeId, int maxParticipants, Duration graceWindow, int detachedEventBuffer) {
    }

    private static final class Participant {
        final ParticipantInfo info;
        ActorRef<ParticipantEvent> signalling; // null while detached
        long seq;
        final ArrayDeque<ParticipantEvent> pending = new ArrayDeque<>();

        Participant(ParticipantInfo info, ActorRef<ParticipantEvent> signalling) {
            this.info = info;
            this.signalling = signalling;
        }
    }

    public static Behavior<Message> create(String sessionId, Settings settings, ActorRef<Changed> manager,
                                           ActorRef<SessionNotice> notices) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new Session(sessionId, settings, manager, notices, ctx, timers).active()));
    }

    private final String sessionId;
    private final Settings settings;
    private final ActorRef<Changed> manager;
    private final ActorRef<SessionNotice> notices;
    private final ActorContext<Message> ctx;
    private final TimerScheduler<Message> timers;
    private final Map<String, Participant> participants = new LinkedHashMap<>();

    private Session(String sessionId, Settings settings, ActorRef<Changed> manager, ActorRef<SessionNotice> notices,
                    ActorContext<Message> ctx, TimerScheduler<Message> timers) {
        this.sessionId = sessionId;
        this.settings = settings;
        this.manager = manager;
        this.notices = notices;
        this.ctx = ctx;
        this.timers = timers;
    }

    private Behavior<Message> active() {
        return Behaviors.receive(Message.class)
                .onMessage(Forwarded.class, f -> onCommand(f.command()))
                .onMessage(SignallingTerminated.class, this::onSignallingTerminated)
                .onMessage(GraceExpired.class, this::onGraceExpired)
                .build();
    }

    /** After the session ended, late commands get a clear answer until the manager stops this actor. */
    private Behavior<Message> ended() {
        return Behaviors.receive(Message.class)
                .onMessage(Forwarded.class, f -> {
                    f.command().reject(404, "session " + sessionId + " is closed");
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Message> onCommand(Command command) {
        if (command instanceof HostSession host) {
            host.replyTo().tell(Ack.success());
        } else if (command instanceof Join join) {
            onJoin(join);
        } else if (command instanceof Leave leave) {
            Participant p = participants.get(leave.connectionId());
            if (p == null) {
                leave.replyTo().tell(Ack.failure(102, "connection " + leave.connectionId() + " is not in session " + sessionId));
            } else {
                leave.replyTo().tell(Ack.success());
                return remove(leave.connectionId(), "disconnect", false);
            }
        } else if (command instanceof Evict evict) {
            if (!participants.containsKey(evict.connectionId())) {
                evict.replyTo().tell(Ack.failure(404, "connection " + evict.connectionId() + " is not in session " + sessionId));
            } else {
                evict.replyTo().tell(Ack.success());
                return remove(evict.connectionId(), evict.reason(), true);
            }
        } else if (command instanceof Signal signal) {
            onSignal(signal);
        } else if (command instanceof CloseSession close) {
            // As OpenVidu: each participant in turn is evicted, and the ones still there see it leave.
            List<String> order = List.copyOf(participants.keySet());
            for (int i = 0; i < order.size(); i++) {
                deliver(participants.get(order.get(i)), new ParticipantEvicted(order.get(i), close.reason()));
                for (String remaining : order.subList(i + 1, order.size())) {
                    deliver(participants.get(remaining), new ParticipantLeft(order.get(i), close.reason()));
                }
            }
            close.replyTo().tell(Ack.success());
            return end(close.reason());
        }
        return Behaviors.same();
    }

    private void onJoin(Join join) {
        ParticipantInfo info = join.participant();
        if (participants.containsKey(info.connectionId())) {
            join.replyTo().tell(JoinReply.failure(105, "connection " + info.connectionId() + " has already joined"));
            return;
        }
        if (participants.size() >= settings.maxParticipants()) {
            join.replyTo().tell(JoinReply.failure(429, "session " + sessionId + " is full ("
                    + settings.maxParticipants() + " participants)"));
            return;
        }
        List<ParticipantInfo> others = new ArrayList<>(participants.size());
        for (Participant other : participants.values()) {
            others.add(other.info);
            deliver(other, new ParticipantJoined(info));
        }
        Participant joined = new Participant(info, join.signalling());
        participants.put(info.connectionId(), joined);
        ctx.watchWith(join.signalling(), new SignallingTerminated(info.connectionId(), join.signalling()));
        join.replyTo().tell(new JoinReply(true, 0, null, settings.mediaNodeId(), others, joined.seq));
        notices.tell(new ParticipantActivated(sessionId, info.connectionId(), System.currentTimeMillis(),
                info.metadata(), info.platform()));
        manager.tell(new Changed(sessionId, participants.size(), false));
    }

    private void onSignal(Signal signal) {
        if (signal.from() != null && !participants.containsKey(signal.from())) {
            signal.replyTo().tell(Ack.failure(102, "connection " + signal.from() + " is not in session " + sessionId));
            return;
        }
        List<String> to = signal.to() == null ? List.of() : signal.to();
        for (String recipient : to) {
            if (!participants.containsKey(recipient)) {
                signal.replyTo().tell(Ack.failure(404, "signal recipient " + recipient + " is not in session " + sessionId));
                return;
            }
        }
        MessageReceived message = new MessageReceived(signal.from(), signal.type(), signal.data());
        if (to.isEmpty()) {
            participants.values().forEach(p -> deliver(p, message));
        } else {
            to.stream().distinct().forEach(recipient -> deliver(participants.get(recipient), message));
        }
        signal.replyTo().tell(Ack.success());
    }

    private Behavior<Message> onSignallingTerminated(SignallingTerminated terminated) {
        Participant p = participants.get(terminated.connectionId());
        if (p != null && terminated.signalling().equals(p.signalling)) {
            p.signalling = null;
            ctx.getLog().info("participant {} of session {} lost its signalling; keeping it for {}",
                    terminated.connectionId(), sessionId, settings.graceWindow());
            timers.startSingleTimer("grace-" + terminated.connectionId(),
                    new GraceExpired(terminated.connectionId(), terminated.signalling()), settings.graceWindow());
        }
        return Behaviors.same();
    }

    private Behavior<Message> onGraceExpired(GraceExpired expired) {
        Participant p = participants.get(expired.connectionId());
        if (p != null && p.signalling == null) {
            return remove(expired.connectionId(), "networkDisconnect", false);
        }
        return Behaviors.same();
    }

    /** Removes a participant and tells the others; the evicted one itself is told when the server removed it. */
    private Behavior<Message> remove(String connectionId, String reason, boolean tellEvicted) {
        Participant removed = participants.get(connectionId);
        if (tellEvicted) {
            deliver(removed, new ParticipantEvicted(connectionId, reason));
        }
        participants.remove(connectionId);
        if (removed.signalling != null) {
            ctx.unwatch(removed.signalling);
        }
        timers.cancel("grace-" + connectionId);
        for (Participant other : participants.values()) {
            deliver(other, new ParticipantLeft(connectionId, reason));
        }
        notices.tell(new ParticipantRemoved(sessionId, connectionId, reason));
        if (participants.isEmpty()) {
            // OpenVidu closes a session when its last participant is gone.
            return end("lastParticipantLeft");
        }
        manager.tell(new Changed(sessionId, participants.size(), false));
        return Behaviors.same();
    }

    private Behavior<Message> end(String reason) {
        participants.clear();
        notices.tell(new SessionEnded(sessionId, reason));
        manager.tell(new Changed(sessionId, 0, true));
        return ended();
    }

    /** Numbers the event in the recipient's sequence; sends it, or buffers it while the recipient is detached. */
    private void deliver(Participant recipient, Event event) {
        recipient.seq++;
        ParticipantEvent numbered = new ParticipantEvent(sessionId, recipient.info.connectionId(), recipient.seq, event);
        if (recipient.signalling != null) {
            recipient.signalling.tell(numbered);
        } else if (recipient.pending.size() < settings.detachedEventBuffer()) {
            recipient.pending.addLast(numbered);
        } else {
            // It can no longer resume without a gap: drop its buffer; the grace timer evicts it.
            recipient.pending.clear();
            timers.startSingleTimer("grace-" + recipient.info.connectionId(),
                    new GraceExpired(recipient.info.connectionId(), null), Duration.ZERO);
        }
    }
}
