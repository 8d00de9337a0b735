package io.tessera.media.session;

import io.tessera.common.logging.SessionMdc;
import io.tessera.common.protocol.ClusterTopics.ParticipantActivated;
import io.tessera.common.protocol.ClusterTopics.ParticipantRemoved;
import io.tessera.common.protocol.ClusterTopics.SessionEnded;
import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.AddIceCandidate;
import io.tessera.common.protocol.MediaNodeProtocol.AttachmentSuperseded;
import io.tessera.common.protocol.MediaNodeProtocol.ChangeStreamProperty;
import io.tessera.common.protocol.MediaNodeProtocol.PrepareSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.ReconnectStream;
import io.tessera.common.protocol.MediaNodeProtocol.StartSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.ToSignalling;
import io.tessera.common.protocol.MediaNodeProtocol.CloseSession;
import io.tessera.common.protocol.MediaNodeProtocol.Command;
import io.tessera.common.protocol.MediaNodeProtocol.DescribeSession;
import io.tessera.common.protocol.MediaNodeProtocol.Event;
import io.tessera.common.protocol.MediaNodeProtocol.Evict;
import io.tessera.common.protocol.MediaNodeProtocol.EventsDelivered;
import io.tessera.common.protocol.MediaNodeProtocol.HostSession;
import io.tessera.common.protocol.MediaNodeProtocol.Join;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.Leave;
import io.tessera.common.protocol.MediaNodeProtocol.SignallingClosed;
import io.tessera.common.protocol.MediaNodeProtocol.MediaNodeFailed;
import io.tessera.common.protocol.MediaNodeProtocol.MessageReceived;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvicted;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantJoined;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantLeft;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantPublished;
import io.tessera.common.protocol.MediaNodeProtocol.PeerInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Publish;
import io.tessera.common.protocol.MediaNodeProtocol.ReleaseSession;
import io.tessera.common.protocol.MediaNodeProtocol.Resume;
import io.tessera.common.protocol.MediaNodeProtocol.Signal;
import io.tessera.common.protocol.MediaNodeProtocol.Subscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Unpublish;
import io.tessera.common.protocol.MediaNodeProtocol.Unsubscribe;
import io.tessera.media.engine.MediaEngine;
import io.tessera.media.webrtc.WebRtcEngine;
import io.tessera.wire.jsonrpc.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One media session on this node: its participants, and a sequence of events for each of them.
 * Every event a participant receives is numbered by that participant's own sequence, so a client that
 * resumes through another master can say what it saw last. A participant whose signalling actor is gone
 * (its socket closed: its master says so, {@link SignallingClosed}; or its master left the cluster:
 * {@link SignallingHostLost}) is kept for a grace window, with its events buffered, and
 * evicted with reason {@code networkDisconnect} after it. Within the window its client can resume through
 * any master: the last events of every participant are kept, so those lost on the way to a dying master are
 * replayed too.
 *
 * <p>It also owns the session's media endpoints: each participant publishes at most one stream and
 * subscribes to any number; {@link SessionMedia} drives the engines (the plain RTP {@link MediaEngine}, or the
 * WebRTC engine, by the publisher's offer), and everything a participant holds is released when it leaves, is
 * evicted or the session ends (and, as a last resort, when the actor stops).
 */
public final class Session {

    /** Messages of this actor: the public commands forwarded by the manager, plus the internal ones below. */
    public interface Message {
    }

    record Forwarded(Command command) implements Message {
    }

    /**
     * A master left the cluster (it died, was downed or left): its participants' signalling actors are gone with it.
     * Told by the manager, which follows cluster membership; one message per session instead of a remote DeathWatch
     * per participant (its watch, unwatch, notification and their acks and flushes were a quarter of the messages on
     * the wire of a join plus a leave).
     */
    public record SignallingHostLost(Address master) implements Message {
    }

    private record GraceExpired(String connectionId, ActorRef<ParticipantEvent> signalling) implements Message {
    }

    /** Asks for the session's participants, for the node's inventory ({@link InventoryCollector}). */
    public record ReportParticipants(ActorRef<Participants> replyTo) implements Message {
    }

    /** The session's participants as they joined; {@code ended}: the session is over (left out of inventories). */
    public record Participants(String sessionId, List<ParticipantInfo> participants, boolean ended) {
    }

    /** Told to the manager whenever the number of participants changes, and once when the session ends. */
    public record Changed(String sessionId, int participants, int streams, boolean ended) {
    }

    /**
     * Limits and identity of the node, fixed at start.
     *
     * @param replayBuffer       events kept per participant for a resume; a detached one that misses more is evicted
     * @param publisherUpTimeout how long a WebRTC publisher may take from its answer to a working PeerConnection
     *                           before it is released ({@code tessera.media.webrtc.publisher-up-timeout})
     */
    public record Settings(String mediaNodeId, int maxParticipants, GraceWindow graceWindow, int replayBuffer,
                           Duration publisherUpTimeout) {
        /** The default WebRTC publisher timeout, as in tessera-media.conf. */
        public static final Duration DEFAULT_PUBLISHER_UP_TIMEOUT = Duration.ofSeconds(30);

        public Settings(String mediaNodeId, int maxParticipants, Duration graceWindow, int replayBuffer) {
            this(mediaNodeId, maxParticipants, GraceWindow.fixed(graceWindow), replayBuffer,
                    DEFAULT_PUBLISHER_UP_TIMEOUT);
        }
    }

    public static Behavior<Message> create(String sessionId, Settings settings, ActorRef<Changed> manager,
                                           ActorRef<SessionNotice> notices, MediaEngine engine, SessionMeters meters) {
        return create(sessionId, settings, manager, notices, engine, null, meters);
    }

    /** {@code webrtc}: the node's WebRTC engine, null when it has none. */
    public static Behavior<Message> create(String sessionId, Settings settings, ActorRef<Changed> manager,
                                           ActorRef<SessionNotice> notices, MediaEngine engine, WebRtcEngine webrtc,
                                           SessionMeters meters) {
        // Every line this actor logs names its session and node, and the participant a command is about.
        // Signalling rate only: the media engine forwards packets on its own threads and never comes here.
        return Behaviors.withMdc(Message.class, SessionMdc.map(sessionId, null, settings.mediaNodeId()),
                Session::mdcFor,
                Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                        new Session(sessionId, settings, manager, notices, engine, webrtc, meters, ctx, timers)
                                .active())));
    }

    /** The participant a message is about, for the MDC; empty for session-wide ones. */
    private static Map<String, String> mdcFor(Message message) {
        String connectionId = null;
        if (message instanceof Forwarded f) {
            Command c = f.command();
            if (c instanceof Join join) {
                connectionId = join.participant().connectionId();
            } else if (c instanceof Resume resume) {
                connectionId = resume.connectionId();
            } else if (c instanceof Evict evict) {
                connectionId = evict.connectionId();
            } else if (c instanceof ChangeStreamProperty change) {
                connectionId = change.connectionId();
            } else if (c instanceof SignallingClosed closed) {
                connectionId = closed.connectionId();
            } else {
                connectionId = AttachmentFence.sender(c);
            }
        } else if (message instanceof GraceExpired g) {
            connectionId = g.connectionId();
        }
        return connectionId == null ? Map.of() : SessionMdc.map(null, connectionId, null);
    }

    private final String sessionId;
    private final Settings settings;
    private final ActorRef<Changed> manager;
    private final ActorRef<SessionNotice> notices;
    private final SessionMedia media;
    private final StreamPropertyChanges streamProperties;
    private final SessionMeters meters;
    private final ActorContext<Message> ctx;
    private final TimerScheduler<Message> timers;
    private final Map<String, Participant> participants = new LinkedHashMap<>();

    private Session(String sessionId, Settings settings, ActorRef<Changed> manager, ActorRef<SessionNotice> notices,
                    MediaEngine engine, WebRtcEngine webrtc, SessionMeters meters, ActorContext<Message> ctx,
                    TimerScheduler<Message> timers) {
        this.meters = meters;
        this.sessionId = sessionId;
        this.settings = settings;
        this.manager = manager;
        this.notices = notices;
        SessionMedia.Room room = new SessionMedia.Room() {
            @Override
            public Map<String, Participant> participants() {
                return participants;
            }

            @Override
            public void deliver(Participant recipient, Event event) {
                Session.this.deliver(recipient, event);
            }

            @Override
            public void changed() {
                Session.this.changed();
            }
        };
        this.media = new SessionMedia(sessionId, engine, webrtc, settings.publisherUpTimeout(),
                settings.maxParticipants(), notices, meters, ctx,
                timers, room);
        this.streamProperties = new StreamPropertyChanges(sessionId, room);
        this.ctx = ctx;
        this.timers = timers;
    }

    private Behavior<Message> active() {
        return Behaviors.receive(Message.class)
                .onMessage(Forwarded.class, f -> onCommand(f.command()))
                .onMessage(SignallingHostLost.class, this::onSignallingHostLost)
                .onMessage(GraceExpired.class, this::onGraceExpired)
                .onMessage(ReportParticipants.class, report -> {
                    report.replyTo().tell(new Participants(sessionId,
                            participants.values().stream().map(p -> p.info).toList(), false));
                    return Behaviors.same();
                })
                .onMessage(SessionMedia.EngineDone.class, done -> {
                    done.apply().run();
                    return Behaviors.same();
                })
                .onMessage(SessionMedia.PublisherUp.class, up -> {
                    media.onPublisherUp(up);
                    return Behaviors.same();
                })
                .onMessage(SessionMedia.PublisherUpTimedOut.class, timedOut -> {
                    media.onPublisherUpTimedOut(timedOut);
                    return Behaviors.same();
                })
                .onMessage(HeldSubscriptions.Expired.class, expired -> {
                    media.held().onExpired(expired);
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, stop -> {
                    media.releaseAll();
                    return Behaviors.same();
                })
                .build();
    }

    /** After the session ended, late commands get a clear answer until the manager stops this actor. */
    private Behavior<Message> ended() {
        return Behaviors.receive(Message.class)
                .onMessage(Forwarded.class, f -> {
                    f.command().reject(ErrorCode.NOT_FOUND, "session " + sessionId + " is closed");
                    return Behaviors.same();
                })
                .onMessage(ReportParticipants.class, report -> {
                    report.replyTo().tell(new Participants(sessionId, List.of(), true));
                    return Behaviors.same();
                })
                .onMessage(SessionMedia.EngineDone.class, done -> {
                    done.apply().run(); // late engine outcomes: replies to their askers; nothing is left to change
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Message> onCommand(Command received) {
        AttachmentFence.Verdict verdict = AttachmentFence.check(received, participants);
        if (verdict instanceof AttachmentFence.Refused refused) {
            meters.staleAttachmentRefused();
            AttachmentFence.refuse(received, refused);
            ctx.getLog().info("refused a command of participant {} that came through its replaced attachment {} "
                    + "(now {})", refused.connectionId(), refused.attachment(), refused.current());
            return Behaviors.same();
        }
        Command command = ((AttachmentFence.Serve) verdict).command();
        if (command instanceof HostSession host) {
            ctx.getLog().info("hosting session {}", sessionId);
            host.replyTo().tell(Ack.success());
        } else if (command instanceof Join join) {
            onJoin(join);
        } else if (command instanceof Resume resume) {
            onResume(resume);
        } else if (command instanceof EventsDelivered delivered) {
            Participant p = participants.get(delivered.connectionId());
            if (p != null) {
                p.delivered = Math.max(p.delivered, Math.min(delivered.seq(), p.seq));
            }
        } else if (command instanceof ReleaseSession release) {
            // Moved away (drain): its participants follow it elsewhere; nobody is told anything here.
            media.releaseAll();
            participants.clear();
            release.replyTo().tell(Ack.success());
            manager.tell(new Changed(sessionId, 0, 0, true));
            return ended();
        } else if (command instanceof SignallingClosed closed) {
            detach(closed.connectionId(), closed.signalling());
        } else if (command instanceof Leave leave) {
            Participant p = participants.get(leave.connectionId());
            if (p == null) {
                leave.replyTo().tell(Ack.failure(ErrorCode.NOT_JOINED, "connection " + leave.connectionId() + " is not in session " + sessionId));
            } else {
                leave.replyTo().tell(Ack.success());
                return remove(leave.connectionId(), "disconnect", false);
            }
        } else if (command instanceof Evict evict) {
            if (!participants.containsKey(evict.connectionId())) {
                evict.replyTo().tell(Ack.failure(ErrorCode.NOT_FOUND, "connection " + evict.connectionId() + " is not in session " + sessionId));
            } else {
                evict.replyTo().tell(Ack.success());
                return remove(evict.connectionId(), evict.reason(), true);
            }
        } else if (command instanceof Signal signal) {
            onSignal(signal);
        } else if (command instanceof Publish publish) {
            media.onPublish(publish);
        } else if (command instanceof Unpublish unpublish) {
            media.onUnpublish(unpublish);
        } else if (command instanceof Subscribe subscribe) {
            media.subscriptions().onSubscribe(subscribe);
        } else if (command instanceof PrepareSubscribe prepare) {
            media.subscriptions().onPrepareSubscribe(prepare);
        } else if (command instanceof StartSubscribe start) {
            media.subscriptions().onStartSubscribe(start);
        } else if (command instanceof AddIceCandidate candidate) {
            media.subscriptions().onAddIceCandidate(candidate);
        } else if (command instanceof ReconnectStream reconnect) {
            media.rebuilds().onReconnect(reconnect);
        } else if (command instanceof ChangeStreamProperty change) {
            streamProperties.onChange(change);
        } else if (command instanceof Unsubscribe unsubscribe) {
            media.subscriptions().onUnsubscribe(unsubscribe);
        } else if (command instanceof DescribeSession describe) {
            describe.replyTo().tell(MediaDescription.of(sessionId, participants.values()));
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
            // Its token is in use: a second socket may not take the participation over (a resume may).
            join.replyTo().tell(JoinReply.failure(ErrorCode.CONFLICT, "token is in use by connection " + info.connectionId()
                    + "; resume it with 'connect', or ask the application for a new token"));
            return;
        }
        if (participants.size() >= settings.maxParticipants()) {
            join.replyTo().tell(JoinReply.failure(ErrorCode.TOO_MANY_REQUESTS, "session " + sessionId + " is full ("
                    + settings.maxParticipants() + " participants)"));
            return;
        }
        boolean moved = join.movedFrom() != null;
        // After a failure or a drain everyone moves and knew each other; after a placement race the mover is new here.
        boolean strangers = "placementRace".equals(join.reason());
        List<PeerInfo> others = new ArrayList<>(participants.size());
        for (Participant other : participants.values()) {
            others.add(new PeerInfo(other.info, other.visibleStream() == null ? List.of()
                    : List.of(other.visibleStream())));
            if (!moved || strangers) { // a participant moving with its session was in it already
                deliver(other, new ParticipantJoined(info));
            }
        }
        // A participant moving with its session keeps its secret: its client's resume handle holds it.
        Participant joined = new Participant(info, join.signalling(), moved ? join.resumeSecret() : null);
        joined.movedIn = moved && !strangers;
        participants.put(info.connectionId(), joined);
        if (moved) {
            joined.seq = Math.max(0, join.lastSeq()); // its client's sequence goes on where it was
            joined.delivered = joined.seq;
        }
        join.replyTo().tell(new JoinReply(true, 0, null, settings.mediaNodeId(), others, joined.seq,
                joined.resumeSecret, media.webrtcEngine()));
        if (moved) {
            deliver(joined, new MediaNodeFailed(join.movedFrom(), settings.mediaNodeId(),
                    join.reason() == null ? "nodeCrashed" : join.reason(), joined.resumeSecret));
            // Streams published here before it arrived: it must hear of them to subscribe again, or, for a stream it
            // knew that was rebuilt here under its old id, be offered it again (a browser must not hear of it twice).
            for (Participant other : participants.values()) {
                if (other != joined && strangers) {
                    deliver(joined, new ParticipantJoined(other.info));
                }
                if (other != joined && other.visibleStream() != null) {
                    if (joined.movedIn && other.rebuild != null && other.rebuild.afterMove()) {
                        media.rebuilds().offerAgain(joined, other);
                    } else {
                        deliver(joined, new ParticipantPublished(other.info.connectionId(), other.visibleStream()));
                    }
                }
            }
        }
        notices.tell(new ParticipantActivated(sessionId, info.connectionId(), System.currentTimeMillis(),
                info.metadata(), info.platform(), settings.mediaNodeId(), info.ip(), join.movedFrom()));
        ctx.getLog().info("participant {} joined session {}{} ({} participants)", info.connectionId(), sessionId,
                moved ? " moved from " + join.movedFrom() : "", participants.size());
        changed();
    }

    private void onResume(Resume resume) {
        Participant p = participants.get(resume.connectionId());
        if (p == null) {
            meters.resumed(SessionMeters.ResumeResult.UNKNOWN_CONNECTION);
            resume.replyTo().tell(JoinReply.failure(ErrorCode.NOT_FOUND, "connection " + resume.connectionId() + " is no longer in session "
                    + sessionId + " (its grace window passed, or it left); join again"));
            return;
        }
        if (resume.resumeSecret() == null || !MessageDigest.isEqual(p.resumeSecret.getBytes(StandardCharsets.UTF_8),
                resume.resumeSecret().getBytes(StandardCharsets.UTF_8))) {
            meters.resumed(SessionMeters.ResumeResult.WRONG_SECRET);
            resume.replyTo().tell(JoinReply.failure(ErrorCode.UNAUTHORIZED, "wrong resume secret for connection " + resume.connectionId()));
            // The connection id is known to be in the session; the secret offered is never logged.
            ctx.getLog().info("resume of participant {} of session {} refused: wrong resume secret",
                    resume.connectionId(), sessionId);
            return;
        }
        // openvidu-browser knows no seq: it goes on after the last event its master confirmed handing to its socket.
        long lastSeq = resume.lastSeq() == Resume.LAST_DELIVERED ? p.delivered : resume.lastSeq();
        long oldestKept = p.recent.isEmpty() ? p.seq + 1 : p.recent.peekFirst().seq();
        if (lastSeq < 0 || lastSeq > p.seq) {
            meters.resumed(SessionMeters.ResumeResult.BAD_SEQ);
            resume.replyTo().tell(JoinReply.failure(ErrorCode.BAD_REQUEST, "lastSeq " + lastSeq + " is not between 0 and "
                    + p.seq));
            return;
        }
        if (lastSeq < oldestKept - 1) {
            meters.resumed(SessionMeters.ResumeResult.EVENTS_LOST);
            resume.replyTo().tell(JoinReply.failure(ErrorCode.CONFLICT, "connection " + resume.connectionId() + " missed events "
                    + (lastSeq + 1) + ".." + (oldestKept - 1) + " that are no longer kept; join again"));
            return;
        }
        p.attachment++; // from now on, what the old path still relays is refused (AttachmentFence)
        if (!resume.signalling().equals(p.signalling)) {
            if (p.signalling != null) {
                // The old path may still be alive (a frozen master): it gets no more events, and closes its socket.
                p.signalling.<ToSignalling>unsafeUpcast()
                        .tell(new AttachmentSuperseded(sessionId, resume.connectionId(), p.attachment));
            }
            p.signalling = resume.signalling();
        }
        timers.cancel("grace-" + resume.connectionId());
        List<PeerInfo> others = new ArrayList<>(participants.size());
        for (Participant other : participants.values()) {
            if (other != p) {
                others.add(new PeerInfo(other.info, other.visibleStream() == null ? List.of()
                    : List.of(other.visibleStream())));
            }
        }
        meters.resumed(SessionMeters.ResumeResult.OK);
        resume.replyTo().tell(new JoinReply(true, 0, null, settings.mediaNodeId(), others, lastSeq,
                p.resumeSecret, media.webrtcEngine(), p.attachment));
        int replayed = 0;
        for (ParticipantEvent event : p.recent) {
            if (event.seq() > lastSeq) {
                p.signalling.tell(event);
                replayed++;
            }
        }
        ctx.getLog().info("participant {} of session {} resumed after seq {}{}; {} events replayed",
                resume.connectionId(), sessionId, lastSeq,
                resume.lastSeq() == Resume.LAST_DELIVERED ? " (the last one delivered)" : "", replayed);
    }

    private void onSignal(Signal signal) {
        if (signal.from() != null && !participants.containsKey(signal.from())) {
            signal.replyTo().tell(Ack.failure(ErrorCode.NOT_JOINED, "connection " + signal.from() + " is not in session " + sessionId));
            return;
        }
        List<String> to = signal.to() == null ? List.of() : signal.to();
        for (String recipient : to) {
            if (!participants.containsKey(recipient)) {
                signal.replyTo().tell(Ack.failure(ErrorCode.NOT_FOUND, "signal recipient " + recipient + " is not in session " + sessionId));
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

    /**
     * Every participant served through the lost master is detached. Its refs carry the master's address without its
     * incarnation, but a new incarnation at the same address serves nobody yet: it joins only after the old one is
     * removed, and the manager hears of the removal before the new one can be Up (its Up needs this node to have
     * seen it join), so a resume through it always comes after this.
     */
    private Behavior<Message> onSignallingHostLost(SignallingHostLost lost) {
        List<Participant> served = participants.values().stream()
                .filter(p -> p.signalling != null && p.signalling.path().address().equals(lost.master())).toList();
        for (Participant p : served) {
            detach(p.info.connectionId(), p.signalling);
        }
        if (!served.isEmpty()) {
            ctx.getLog().info("{} participants of session {} lost their master {}", served.size(), sessionId,
                    lost.master());
        }
        return Behaviors.same();
    }

    /** Detaches the participant if {@code signalling} still serves it (a resume may have replaced it since). */
    private void detach(String connectionId, ActorRef<ParticipantEvent> signalling) {
        Participant p = participants.get(connectionId);
        if (p != null && signalling.equals(p.signalling)) {
            p.signalling = null;
            p.seqAtDetach = p.seq;
            Duration window = settings.graceWindow().now();
            ctx.getLog().info("participant {} of session {} lost its signalling; keeping it for {}{}",
                    connectionId, sessionId, window,
                    window.equals(settings.graceWindow().normal()) ? "" : " (no master is up: the masterless window)");
            timers.startSingleTimer("grace-" + connectionId, new GraceExpired(connectionId, signalling), window);
        }
    }

    private Behavior<Message> onGraceExpired(GraceExpired expired) {
        Participant p = participants.get(expired.connectionId());
        if (p != null && p.signalling == null) {
            // A timer without the old signalling ref is the replay buffer overflowing (see deliver).
            meters.evicted(expired.signalling() != null);
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
        media.release(removed);
        timers.cancel("grace-" + connectionId);
        for (Participant other : participants.values()) {
            deliver(other, new ParticipantLeft(connectionId, reason));
        }
        notices.tell(new ParticipantRemoved(sessionId, connectionId, reason));
        ctx.getLog().info("participant {} left session {} ({})", connectionId, sessionId, reason);
        if (participants.isEmpty()) {
            // OpenVidu closes a session when its last participant is gone.
            return end("lastParticipantLeft");
        }
        changed();
        return Behaviors.same();
    }

    private Behavior<Message> end(String reason) {
        ctx.getLog().info("session {} ended ({})", sessionId, reason);
        media.releaseAll();
        participants.clear();
        notices.tell(new SessionEnded(sessionId, reason));
        manager.tell(new Changed(sessionId, 0, 0, true));
        return ended();
    }

    private void changed() {
        int streams = (int) participants.values().stream().filter(p -> p.live).count();
        manager.tell(new Changed(sessionId, participants.size(), streams, false));
    }

    /**
     * Numbers the event in the recipient's sequence, keeps it for a resume, and sends it unless the recipient
     * is detached. A detached recipient that misses more events than are kept could not resume without a gap:
     * it is evicted at once.
     */
    private void deliver(Participant recipient, Event event) {
        recipient.seq++;
        ParticipantEvent numbered = new ParticipantEvent(sessionId, recipient.info.connectionId(), recipient.seq, event);
        if (recipient.recent.size() >= settings.replayBuffer()) {
            recipient.recent.pollFirst();
        }
        recipient.recent.addLast(numbered);
        if (recipient.signalling != null) {
            recipient.signalling.tell(numbered);
        } else if (recipient.seq - recipient.seqAtDetach > settings.replayBuffer()) {
            timers.startSingleTimer("grace-" + recipient.info.connectionId(),
                    new GraceExpired(recipient.info.connectionId(), null), Duration.ZERO);
        }
    }
}
