package io.tessera.master.console;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The console's live timeline on one master: samples this master's view of the cluster every
 * {@link Settings#sampleInterval()}, diffs it against the previous sample, keeps the last {@link Settings#history()}
 * events in a ring buffer and pushes new ones to the connected consoles (at most {@link Settings#maxClients()}).
 * It only reads local state (cluster membership, the media node snapshot, this master's replica of the routing
 * table), so a sample never waits on another node.
 */
public final class ConsoleFeed {
    private static final Logger log = LoggerFactory.getLogger(ConsoleFeed.class);

    /** @param perKindLimit see {@link SnapshotDiff#between} */
    public record Settings(Duration sampleInterval, int history, int maxClients, int perKindLimit) {
        public Settings {
            if (sampleInterval.isNegative() || sampleInterval.isZero() || history < 1 || maxClients < 1
                    || perKindLimit < 1) {
                throw new IllegalArgumentException("console feed settings must be positive: " + sampleInterval
                        + ", history " + history + ", max clients " + maxClients + ", per kind " + perKindLimit);
            }
        }
    }

    public interface Command {
    }

    /** Take a sample now (the timer sends it; tests send it to step the feed). */
    public enum Sample implements Command { INSTANCE }

    /**
     * A console connects: it gets the events after {@code afterSeq} still in the buffer, then every new one.
     * {@code afterSeq} is 0 for a first connection, the SSE {@code Last-Event-ID} after a reconnect.
     */
    public record Subscribe(ActorRef<ConsoleEvent> client, long afterSeq, ActorRef<SubscribeReply> replyTo)
            implements Command {
    }

    /** The recent events, oldest first (for a page that does not stream, and for tests). */
    public record GetRecent(ActorRef<List<ConsoleEvent>> replyTo) implements Command {
    }

    public sealed interface SubscribeReply {
    }

    public record Subscribed(int clients) implements SubscribeReply {
    }

    /** Refused: the bound of connected consoles is reached. */
    public record Refused(String reason) implements SubscribeReply {
    }

    private record ClientGone(ActorRef<ConsoleEvent> client) implements Command {
    }

    public static Behavior<Command> create(Settings settings, Supplier<ClusterSnapshot> sampler, LongSupplier clock) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Sample.INSTANCE, settings.sampleInterval());
            return new Feed(ctx, settings, sampler, clock).behavior();
        }));
    }

    /** As {@link #create}, without the timer: the caller sends {@link Sample}. */
    static Behavior<Command> manual(Settings settings, Supplier<ClusterSnapshot> sampler, LongSupplier clock) {
        return Behaviors.setup(ctx -> new Feed(ctx, settings, sampler, clock).behavior());
    }

    private static final class Feed {
        private final ActorContext<Command> ctx;
        private final Settings settings;
        private final Supplier<ClusterSnapshot> sampler;
        private final LongSupplier clock;
        private final ArrayDeque<ConsoleEvent> recent = new ArrayDeque<>();
        private final Set<ActorRef<ConsoleEvent>> clients = new HashSet<>();
        private ClusterSnapshot last;
        private long seq;

        Feed(ActorContext<Command> ctx, Settings settings, Supplier<ClusterSnapshot> sampler, LongSupplier clock) {
            this.ctx = ctx;
            this.settings = settings;
            this.sampler = sampler;
            this.clock = clock;
        }

        Behavior<Command> behavior() {
            return Behaviors.receive(Command.class)
                    .onMessageEquals(Sample.INSTANCE, this::sample)
                    .onMessage(Subscribe.class, this::subscribe)
                    .onMessage(ClientGone.class, gone -> {
                        clients.remove(gone.client());
                        return Behaviors.same();
                    })
                    .onMessage(GetRecent.class, get -> {
                        get.replyTo().tell(List.copyOf(recent));
                        return Behaviors.same();
                    })
                    .build();
        }

        private Behavior<Command> sample() {
            ClusterSnapshot now;
            try {
                now = sampler.get();
            } catch (RuntimeException e) {
                // A sample that fails is skipped; the next one diffs against the last good one.
                log.warn("console feed: cannot sample the cluster view: {}", e.toString());
                return Behaviors.same();
            }
            if (last == null) {
                // The first sample is the baseline: what was there before this master started is not news.
                last = now;
                return Behaviors.same();
            }
            long at = clock.getAsLong();
            for (ConsoleEvent event : SnapshotDiff.between(last, now, settings.perKindLimit())) {
                append(event.numbered(++seq, at));
            }
            last = now;
            return Behaviors.same();
        }

        private void append(ConsoleEvent event) {
            if (recent.size() == settings.history()) {
                recent.removeFirst();
            }
            recent.addLast(event);
            clients.forEach(c -> c.tell(event));
        }

        private Behavior<Command> subscribe(Subscribe s) {
            if (!clients.contains(s.client()) && clients.size() >= settings.maxClients()) {
                s.replyTo().tell(new Refused("this master serves at most " + settings.maxClients()
                        + " console feeds at once; close another console or use another master"));
                return Behaviors.same();
            }
            clients.add(s.client());
            ctx.watchWith(s.client(), new ClientGone(s.client()));
            s.replyTo().tell(new Subscribed(clients.size()));
            // After a restart of this master its numbering starts again: a larger afterSeq than ours means
            // "from another life", so the client gets the whole buffer.
            long after = s.afterSeq() > seq ? 0 : s.afterSeq();
            recent.stream().filter(e -> e.seq() > after).forEach(s.client()::tell);
            return Behaviors.same();
        }
    }
}
