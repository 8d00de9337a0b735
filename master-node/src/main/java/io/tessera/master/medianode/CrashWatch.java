package io.tessera.master.medianode;

import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Holds one connection to each media node's process sentinel and says when a node's process is gone: its held
 * connection ended without the node's {@code bye}, and its port then refused every connection for
 * {@link #PROBE_ATTEMPTS} tries in a row. A refusal comes from the node's own kernel: the host is up and nothing
 * listens, so the process that held the port has exited and forwards nothing (its Janus hangs up with it: Janus ends
 * the sessions of a WebSocket that closes, {@code reclaim_session_timeout = 0}). A cut link, a frozen process or a
 * dead host refuses nothing (timeouts, or no answer at all): those stay with the failure detector and the fence.
 *
 * <p>The greeting's cluster address and uid name the incarnation, so a verdict can never down the node's next
 * process. A connection that never greeted proves nothing either way and is only tried again. The wire is the media
 * node's {@code ProcessSentinel}.
 */
public final class CrashWatch {
    /**
     * Tries of the port after the held connection ended, until one is refused: an exiting process with many sockets
     * (a media node with hundreds of sessions) takes up to a second or so to close its listener. Past these, the failure
     * detector decides.
     */
    static final int PROBE_ATTEMPTS = 20;
    /** How long a probe waits for a sentinel that accepted it to write its first line. */
    static final Duration GREETING_TIMEOUT = Duration.ofSeconds(1);
    static final Duration PROBE_SPACING = Duration.ofMillis(100);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Before a connection that failed, never greeted, or ended inconclusively is tried again. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** After a node said bye: it is stopping on purpose; its next process (same port) is looked for at this pace. */
    static final Duration AFTER_BYE = Duration.ofSeconds(5);
    /**
     * How long {@link CheckProcess} waits for a connection and the greeting together. A live sentinel greets at once
     * (its own connection, not behind the node's remoting backlog); a frozen process's kernel accepts and nothing
     * greets, so this is what the check adds to a freeze's failover.
     */
    public static final Duration ANSWER_TIMEOUT = Duration.ofMillis(750);
    /** More media nodes than this are not watched (they still fail over by the failure detector). */
    static final int MAX_WATCHED = 1000;
    private static final String GREETING = "tessera-sentinel 1 ";

    public interface Command {
    }

    /** The sentinels to watch now, by media node id; watches of nodes not named are dropped. */
    public record WatchOnly(Map<String, InetSocketAddress> sentinels) implements Command {
    }

    /** The process of media node {@code nodeId} at cluster address {@code address}, incarnation {@code uid}, is gone. */
    public record ProcessGone(String nodeId, Address address, long uid) {
    }

    /**
     * Does the process of media node {@code nodeId}, incarnation {@code uid}, answer its sentinel now? Asked before a
     * node the failure detector lost is downed: a process that greets is slow (its heartbeats queue behind a burst of
     * work, or the machine is starved), not dead, and downing it would end every session it holds.
     */
    public record CheckProcess(String nodeId, long uid, ActorRef<ProcessAnswer> replyTo) implements Command {
    }

    /** {@code answers}: the sentinel greeted as that incarnation within {@link #ANSWER_TIMEOUT}. */
    public record ProcessAnswer(String nodeId, long uid, boolean answers) {
    }

    private record Line(String nodeId, long generation, String text) implements Command {
    }

    private record Ended(String nodeId, long generation) implements Command {
    }

    private record Probed(String nodeId, long generation, Verdict verdict) implements Command {
    }

    private record Connect(String nodeId, long generation) implements Command {
    }

    enum Verdict { REFUSED, ALIVE, UNKNOWN }

    /** One node's watch: the connection of {@code generation}, what it said. */
    private static final class Watch {
        final InetSocketAddress sentinel;
        long generation;
        SharedKillSwitch connection;
        Address address;
        long uid;
        boolean bye;

        Watch(InetSocketAddress sentinel) {
            this.sentinel = sentinel;
        }
    }

    public static Behavior<Command> create(ActorRef<ProcessGone> gone) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new CrashWatch(gone, ctx, timers).behavior()));
    }

    private final ActorRef<ProcessGone> gone;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final Executor blocking;
    private final Map<String, Watch> watches = new HashMap<>();
    private long generations;

    private CrashWatch(ActorRef<ProcessGone> gone, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
        this.gone = gone;
        this.ctx = ctx;
        this.timers = timers;
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(WatchOnly.class, this::onWatchOnly)
                .onMessage(Connect.class, c -> {
                    current(c.nodeId(), c.generation()).ifPresent(w -> connect(c.nodeId(), w));
                    return Behaviors.same();
                })
                .onMessage(Line.class, this::onLine)
                .onMessage(Ended.class, this::onEnded)
                .onMessage(Probed.class, this::onProbed)
                .onMessage(CheckProcess.class, this::onCheckProcess)
                .onSignal(org.apache.pekko.actor.typed.PostStop.class, stop -> {
                    watches.values().forEach(CrashWatch::close);
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onWatchOnly(WatchOnly only) {
        watches.entrySet().removeIf(e -> {
            boolean drop = !e.getValue().sentinel.equals(only.sentinels().get(e.getKey()));
            if (drop) {
                close(e.getValue());
            }
            return drop;
        });
        only.sentinels().forEach((nodeId, sentinel) -> {
            if (!watches.containsKey(nodeId) && watches.size() < MAX_WATCHED) {
                Watch watch = new Watch(sentinel);
                watches.put(nodeId, watch);
                connect(nodeId, watch);
            }
        });
        return Behaviors.same();
    }

    private void connect(String nodeId, Watch watch) {
        close(watch);
        long generation = ++generations;
        watch.generation = generation;
        watch.address = null;
        watch.bye = false;
        ActorRef<Command> self = ctx.getSelf();
        // One switch on both sides: reading alone cancelled leaves a half-closed connection (halfClose) that the
        // sentinel keeps counting against its bound; with the writing side completed too, the connection closes.
        SharedKillSwitch connection = KillSwitches.shared("sentinel-" + nodeId + "-" + generation);
        CompletionStage<Done> ended = Source.<ByteString>maybe()
                .via(connection.flow())
                .via(Tcp.get(ctx.getSystem()).outgoingConnection(watch.sentinel, Optional.empty(), List.of(), true,
                        Optional.of(CONNECT_TIMEOUT), Optional.empty()))
                .via(Framing.delimiter(ByteString.fromString("\n"), 512, FramingTruncation.ALLOW))
                .via(connection.flow())
                .runWith(Sink.foreach(line -> self.tell(new Line(nodeId, generation, line.utf8String()))),
                        ctx.getSystem());
        watch.connection = connection;
        ctx.pipeToSelf(ended, (done, error) -> new Ended(nodeId, generation));
    }

    private Behavior<Command> onLine(Line line) {
        current(line.nodeId(), line.generation()).ifPresent(watch -> {
            if (watch.address == null && line.text().startsWith(GREETING)) {
                String[] parts = line.text().substring(GREETING.length()).trim().split(" ");
                try {
                    watch.address = AddressFromURIString.parse(parts[0]);
                    watch.uid = Long.parseLong(parts[1]);
                    ctx.getLog().info("media node {} ({} uid {}): its process is watched through its sentinel at {}",
                            line.nodeId(), watch.address, watch.uid, watch.sentinel);
                } catch (RuntimeException e) {
                    ctx.getLog().warn("media node {}: the sentinel at {} greeted with '{}', not understood; not watched",
                            line.nodeId(), watch.sentinel, line.text());
                    watch.address = null;
                }
            } else if (line.text().equals("bye")) {
                watch.bye = true;
            }
        });
        return Behaviors.same();
    }

    private Behavior<Command> onEnded(Ended ended) {
        current(ended.nodeId(), ended.generation()).ifPresent(watch -> {
            watch.connection = null;
            if (watch.address == null) {
                timers.startSingleTimer(ended.nodeId(), new Connect(ended.nodeId(), watch.generation), RETRY_AFTER);
            } else if (watch.bye) {
                timers.startSingleTimer(ended.nodeId(), new Connect(ended.nodeId(), watch.generation), AFTER_BYE);
            } else {
                InetSocketAddress sentinel = watch.sentinel;
                long generation = watch.generation;
                ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> probe(sentinel), blocking),
                        (verdict, error) -> new Probed(ended.nodeId(), generation,
                                error != null ? Verdict.UNKNOWN : verdict));
            }
        });
        return Behaviors.same();
    }

    private Behavior<Command> onProbed(Probed probed) {
        current(probed.nodeId(), probed.generation()).ifPresent(watch -> {
            switch (probed.verdict()) {
                case REFUSED -> {
                    ctx.getLog().warn("media node {} ({} uid {}): its sentinel connection ended without a bye and its"
                            + " port refuses connections: the process is gone", probed.nodeId(), watch.address,
                            watch.uid);
                    gone.tell(new ProcessGone(probed.nodeId(), watch.address, watch.uid));
                    watch.address = null; // told once; the next process greets anew
                    timers.startSingleTimer(probed.nodeId(), new Connect(probed.nodeId(), watch.generation),
                            RETRY_AFTER);
                }
                case ALIVE -> {
                    ctx.getLog().info("media node {}: its sentinel connection ended, but its port accepts: held again",
                            probed.nodeId());
                    connect(probed.nodeId(), watch);
                }
                case UNKNOWN -> {
                    ctx.getLog().info("media node {}: its sentinel connection ended and its port neither accepts nor"
                            + " refuses: left to the failure detector", probed.nodeId());
                    timers.startSingleTimer(probed.nodeId(), new Connect(probed.nodeId(), watch.generation),
                            RETRY_AFTER);
                }
            }
        });
        return Behaviors.same();
    }

    private Behavior<Command> onCheckProcess(CheckProcess check) {
        Watch watch = watches.get(check.nodeId());
        if (watch == null) {
            check.replyTo().tell(new ProcessAnswer(check.nodeId(), check.uid(), false)); // not watched: nothing known
        } else {
            InetSocketAddress sentinel = watch.sentinel;
            // completes on the blocking pool, and a tell is safe from any thread
            CompletableFuture.supplyAsync(() -> greetsAs(sentinel, check.uid(), ANSWER_TIMEOUT), blocking)
                    .whenComplete((answers, error) -> check.replyTo().tell(new ProcessAnswer(check.nodeId(),
                            check.uid(), error == null && answers)));
        }
        return Behaviors.same();
    }

    /**
     * Whether the sentinel at {@code sentinel} greets, within {@code timeout} for connecting and greeting together, as
     * incarnation {@code uid}. {@code busy} (the sentinel's bound) or another incarnation's greeting do not count.
     */
    static boolean greetsAs(InetSocketAddress sentinel, long uid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(resolved(sentinel), (int) Math.max(1, timeout.toMillis()));
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) left);
            StringBuilder line = new StringBuilder();
            var in = socket.getInputStream();
            for (int b = in.read(); b >= 0 && b != '\n' && line.length() < 512; b = in.read()) {
                line.append((char) b);
            }
            if (!line.toString().startsWith(GREETING)) {
                return false;
            }
            String[] parts = line.substring(GREETING.length()).trim().split(" ");
            return parts.length >= 2 && parts[1].equals(Long.toString(uid));
        } catch (IOException | RuntimeException e) {
            return false; // refused, timed out, reset, no route: not an answer
        }
    }

    private Optional<Watch> current(String nodeId, long generation) {
        return Optional.ofNullable(watches.get(nodeId)).filter(w -> w.generation == generation);
    }

    private static void close(Watch watch) {
        if (watch.connection != null) {
            watch.connection.shutdown();
            watch.connection = null;
        }
    }

    /**
     * Whether {@code sentinel} is gone, alive, or cannot be told (a timeout, no route). Alive: a try was greeted (or
     * told {@code busy}) by the sentinel. Gone: every try was refused, or accepted and then closed or reset without a
     * byte, until at least one was refused. The second kind is a process in the middle of exiting: its kernel closes
     * its sockets one by one, and a listening socket that is not closed yet still completes a handshake that no one
     * will ever accept (seen: a media node with 300 sessions closed its sentinel connection ~1 s before its sentinel
     * port began to refuse, and a probe that took any accepted connection for life held it as alive). A live sentinel
     * always writes a line first, so silence until the read timeout is not taken for either.
     */
    static Verdict probe(InetSocketAddress sentinel) {
        boolean refusedOnce = false;
        for (int attempt = 0; attempt < PROBE_ATTEMPTS && !refusedOnce; attempt++) {
            if (attempt > 0) {
                try {
                    Thread.sleep(PROBE_SPACING.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Verdict.UNKNOWN;
                }
            }
            try (Socket socket = new Socket()) {
                socket.connect(resolved(sentinel), (int) CONNECT_TIMEOUT.toMillis()); // resolved at each try
                socket.setSoTimeout((int) GREETING_TIMEOUT.toMillis());
                if (socket.getInputStream().read() >= 0) {
                    return Verdict.ALIVE; // the greeting's (or busy's) first byte
                }
                // closed without a byte: an exiting process's listener; try again until the port refuses
            } catch (ConnectException e) {
                // ConnectException also stands for "no route" and "network unreachable": only ECONNREFUSED proves it
                if (!refused(e)) {
                    return Verdict.UNKNOWN;
                }
                refusedOnce = true;
            } catch (java.net.SocketTimeoutException e) {
                return Verdict.UNKNOWN; // accepted, but no greeting in time: a busy or paused node, not a dead one
            } catch (java.net.SocketException e) {
                if (!String.valueOf(e.getMessage()).startsWith("Connection reset")) {
                    return Verdict.UNKNOWN;
                }
                // reset without a byte: as above, an exiting process
            } catch (IOException e) {
                return Verdict.UNKNOWN;
            }
        }
        return refusedOnce ? Verdict.REFUSED : Verdict.UNKNOWN;
    }

    /** The watch's addresses are given unresolved (host names are looked up late): looked up at each connection. */
    private static InetSocketAddress resolved(InetSocketAddress sentinel) {
        return sentinel.isUnresolved() ? new InetSocketAddress(sentinel.getHostString(), sentinel.getPort()) : sentinel;
    }

    static boolean refused(ConnectException e) {
        return e.getClass() == ConnectException.class && e.getMessage() != null
                && e.getMessage().startsWith("Connection refused");
    }
}
