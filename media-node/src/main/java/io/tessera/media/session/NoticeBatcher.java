package io.tessera.media.session;

import io.tessera.common.cluster.ClusterFanout;
import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.ClusterTopics.SessionNotices;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers this node's session notices for one batch window and publishes them to the masters as one
 * {@link SessionNotices}, in the order the sessions gave them.
 *
 * <p>Why: each notice was one remote message to each of the three masters, the largest single line of a join's and a
 * leave's messages (3 of a join's 10.9, docs/BENCHMARKS.md "Wire census per operation"), and each costs its sender and
 * its receivers a serialization, a frame and a dispatch whatever its size. Under load many notices fall into one window
 * and share them; alone, a notice waits at most the window. The window is opened by the first notice after a flush, so
 * an idle node sends nothing.
 *
 * <p>Bounded: a batch is sent as soon as it holds {@link SessionNotices#MAX_NOTICES} notices or about
 * {@link SessionNotices#MAX_BYTES} of their text, so the buffer never holds more than one batch.
 */
public final class NoticeBatcher {

    /** What the batcher handles: a session's notice, and the end of a window. */
    public sealed interface Command permits Notice, WindowEnded {
    }

    /** A notice one of this node's sessions gave. */
    public record Notice(SessionNotice notice) implements Command {
    }

    private enum WindowEnded implements Command {
        INSTANCE
    }

    private final ActorRef<ClusterFanout.Command<SessionNotices>> topic;
    private final TimerScheduler<Command> timers;
    private final Duration window;
    private final List<SessionNotice> batch = new ArrayList<>();
    private int batchBytes;

    private NoticeBatcher(ActorRef<ClusterFanout.Command<SessionNotices>> topic, TimerScheduler<Command> timers,
                          Duration window) {
        this.topic = topic;
        this.timers = timers;
        this.window = window;
    }

    /**
     * @param window how long the first notice of a batch waits for others; zero publishes every notice at once, alone
     */
    public static Behavior<Command> create(ActorRef<ClusterFanout.Command<SessionNotices>> topic, Duration window) {
        return Behaviors.withTimers(timers -> new NoticeBatcher(topic, timers, window).behavior());
    }

    /**
     * Spawns a batcher under {@code ctx} and what the sessions tell their notices to ({@code name} and
     * {@code name + "-in"}): sessions know only that notices go somewhere, not that they are batched.
     */
    public static ActorRef<SessionNotice> spawn(ActorContext<?> ctx, ActorRef<ClusterFanout.Command<SessionNotices>> topic,
                                                Duration window, String name) {
        ActorRef<Command> batcher = ctx.spawn(create(topic, window), name);
        return ctx.spawn(Behaviors.receiveMessage(notice -> {
            batcher.tell(new Notice(notice));
            return Behaviors.same();
        }), name + "-in");
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Notice.class, n -> {
                    add(n.notice());
                    return Behaviors.same();
                })
                .onMessageEquals(WindowEnded.INSTANCE, () -> {
                    flush();
                    return Behaviors.same();
                })
                .build();
    }

    private void add(SessionNotice notice) {
        int bytes = SessionNotices.estimatedBytes(notice);
        if (!batch.isEmpty() && batchBytes + bytes > SessionNotices.MAX_BYTES) {
            flush(); // this one would make the batch too large: it opens the next one
        }
        batch.add(notice);
        batchBytes += bytes;
        if (window.isZero() || window.isNegative() || batch.size() >= SessionNotices.MAX_NOTICES || batchBytes >= SessionNotices.MAX_BYTES) {
            flush();
        } else if (batch.size() == 1) {
            timers.startSingleTimer(WindowEnded.INSTANCE, window);
        }
    }

    private void flush() {
        timers.cancel(WindowEnded.INSTANCE);
        if (batch.isEmpty()) {
            return;
        }
        topic.tell(ClusterFanout.publish(new SessionNotices(batch)));
        batch.clear();
        batchBytes = 0;
    }
}
