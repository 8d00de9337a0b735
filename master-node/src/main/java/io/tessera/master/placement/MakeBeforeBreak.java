package io.tessera.master.placement;

import io.tessera.common.logging.SessionMdc;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.master.medianode.MediaNodeClient;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Make before break for a drain's moves, for the failover singleton ({@link MediaFailover}, its parent): a drained
 * session's old copy keeps forwarding until every stream it published is up on the new node, or until the bound
 * ({@code drain-release-after}), which restarts at each participant's moved join (at most
 * {@link DrainReleases#MAX_BOUNDS_AFTER_MOVE} bounds after the move); then it is released. The streams are asked of
 * the old copy itself (the master's routing table does not hold them). What waits, and when it is complete, is
 * {@link DrainReleases}; this actor asks, counts, times and releases. A child of the singleton, so it moves with it;
 * it answers nothing (the release is its own, fire-and-forget, as the parent's was).
 */
final class MakeBeforeBreak {

    /** What this actor handles: the parent's word of moves, streams and moved joins, and its own asks and timers. */
    interface Command {
    }

    /** A drain moved {@code sessionId} away from {@code fromNodeId}, whose copy ({@code oldCopy}) still forwards. */
    record Moved(String sessionId, String fromNodeId, ActorRef<MediaNodeProtocol.Command> oldCopy) implements Command {
    }

    /** A stream went up on its session's node (a publish, or a rebuild after a move). */
    record StreamUp(String sessionId, String streamId) implements Command {
    }

    /**
     * A participant of {@code sessionId} joined its new node, moved from {@code movedFrom}: it is told of the move
     * only now, so its page's rebuild starts only now (the bound restarts, {@link DrainReleases#told}).
     */
    record ParticipantMoved(String sessionId, String movedFrom) implements Command {
    }

    /** The old copy's published streams, asked of it after the move. */
    private record OldCopyDescribed(String sessionId, ActorRef<MediaNodeProtocol.Command> oldCopy,
                                    MediaNodeClient.Reply<MediaNodeProtocol.SessionsMedia> reply) implements Command {
    }

    /** The bound of a drained session's make before break: its old copy is released now, rebuilt or not. */
    private record ReleaseDue(String sessionId, ActorRef<MediaNodeProtocol.Command> oldCopy) implements Command {
    }

    private static final String DRAIN_RELEASE_AFTER = "tessera.master.ha.drain-release-after";
    private static final Duration DEFAULT_DRAIN_RELEASE_AFTER = Duration.ofSeconds(5);

    /** {@code bound}: the make-before-break bound; null reads {@code tessera.master.ha.drain-release-after}. */
    static Behavior<Command> create(MediaNodeClient mediaNodeClient, Duration bound) {
        return Behaviors.setup(ctx -> {
            // Named, not found from the stack: a first log line from a timer's message was named ActorCell.
            ctx.setLoggerName(MakeBeforeBreak.class);
            return Behaviors.withTimers(timers -> new MakeBeforeBreak(mediaNodeClient,
                    bound != null ? bound : drainReleaseAfter(ctx), ctx, timers).behavior());
        });
    }

    private final MediaNodeClient mediaNodeClient;
    /** The longest a drained session's old copy forwards after the move ({@code drain-release-after}). */
    private final Duration drainReleaseAfter;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    /** Drained sessions whose old copy still forwards until their streams are up on the new node. */
    private final DrainReleases drainReleases = new DrainReleases();

    private MakeBeforeBreak(MediaNodeClient mediaNodeClient, Duration drainReleaseAfter, ActorContext<Command> ctx,
                            TimerScheduler<Command> timers) {
        this.mediaNodeClient = mediaNodeClient;
        this.drainReleaseAfter = drainReleaseAfter;
        this.ctx = ctx;
        this.timers = timers;
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Moved.class, this::onMoved)
                .onMessage(OldCopyDescribed.class, this::onOldCopyDescribed)
                .onMessage(StreamUp.class, up -> {
                    drainReleases.streamUp(up.sessionId(), up.streamId()).ifPresent(a -> releaseOldCopy(a, "rebuilt"));
                    return Behaviors.same();
                })
                .onMessage(ParticipantMoved.class, this::onParticipantMoved)
                .onMessage(ReleaseDue.class, due -> {
                    drainReleases.due(due.sessionId(), due.oldCopy()).ifPresent(a -> releaseOldCopy(a,
                            "bound reached, not up on the new node: " + a.missing()));
                    return Behaviors.same();
                })
                .build();
    }

    /**
     * The old copy is released once every stream it published is up on the new node, or at the bound, whichever
     * comes first; with no bound (0) or no room left, at once (break before make, as a drain did before).
     */
    private Behavior<Command> onMoved(Moved moved) {
        String sessionId = moved.sessionId();
        ActorRef<MediaNodeProtocol.Command> oldCopy = moved.oldCopy();
        Duration bound = drainReleaseAfter;
        if (bound.isZero() || !drainReleases.hasRoom()) {
            mediaNodeClient.release(oldCopy, sessionId);
            return Behaviors.same();
        }
        drainReleases.await(new DrainReleases.Awaiting(sessionId, moved.fromNodeId(), oldCopy,
                        System.currentTimeMillis(), bound.toMillis()))
                .ifPresent(previous -> releaseOldCopy(previous, "moved again"));
        timers.startSingleTimer("drain-release-" + sessionId, new ReleaseDue(sessionId, oldCopy), bound);
        ctx.pipeToSelf(mediaNodeClient.describe(oldCopy, List.of(sessionId), mediaNodeClient.timeout()),
                (reply, error) -> new OldCopyDescribed(sessionId, oldCopy, reply)); // never fails: null is no answer
        return Behaviors.same();
    }

    private Behavior<Command> onOldCopyDescribed(OldCopyDescribed described) {
        if (!(described.reply() instanceof MediaNodeClient.Accepted<MediaNodeProtocol.SessionsMedia> accepted)) {
            return Behaviors.same(); // the old copy's streams stay unknown: released at the bound
        }
        Set<String> published = new HashSet<>();
        accepted.value().sessions().stream().filter(s -> s.sessionId().equals(described.sessionId()))
                .flatMap(s -> s.connections().stream()).flatMap(c -> c.published().stream())
                .forEach(stream -> published.add(stream.streamId()));
        drainReleases.described(described.sessionId(), described.oldCopy(), published)
                .ifPresent(a -> releaseOldCopy(a, published.isEmpty() ? "nothing published" : "rebuilt"));
        return Behaviors.same();
    }

    /** Told of a drain's move only now: its page's rebuild starts now, and so does the bound (capped). */
    private Behavior<Command> onParticipantMoved(ParticipantMoved joined) {
        long now = System.currentTimeMillis();
        drainReleases.told(joined.sessionId(), joined.movedFrom(), now, drainReleaseAfter.toMillis())
                .ifPresent(a -> timers.startSingleTimer("drain-release-" + a.sessionId,
                        new ReleaseDue(a.sessionId, a.oldCopy), Duration.ofMillis(a.dueAtMillis - now)));
        return Behaviors.same();
    }

    private void releaseOldCopy(DrainReleases.Awaiting awaiting, String why) {
        timers.cancel("drain-release-" + awaiting.sessionId);
        try (SessionMdc mdc = SessionMdc.session(awaiting.sessionId)) {
            ctx.getLog().info("releasing the copy of session {} on {} {} ms after the move ({})", awaiting.sessionId,
                    awaiting.fromNodeId, System.currentTimeMillis() - awaiting.movedAtMillis, why);
        }
        mediaNodeClient.release(awaiting.oldCopy, awaiting.sessionId);
    }

    /** {@code tessera.master.ha.drain-release-after}: the longest a drained session's old copy forwards after the move. */
    private static Duration drainReleaseAfter(ActorContext<Command> ctx) {
        com.typesafe.config.Config config = ctx.getSystem().settings().config();
        return config.hasPath(DRAIN_RELEASE_AFTER) ? config.getDuration(DRAIN_RELEASE_AFTER) : DEFAULT_DRAIN_RELEASE_AFTER;
    }
}
