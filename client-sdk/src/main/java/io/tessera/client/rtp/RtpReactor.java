package io.tessera.client.rtp;

import io.tessera.client.os.ProcStat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that owns the UDP sockets of many publishers and receivers: an NIO selector for reads and a timer queue
 * for pacing, so hundreds of streams cost one thread and two reused direct buffers.
 *
 * <p>Other threads talk to it only through a bounded command queue (register, close); a full queue rejects the
 * command rather than blocking. Create one or two per load generator (e.g. one for publishers, one for receivers).
 */
public final class RtpReactor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RtpReactor.class);

    /** Largest UDP payload over IPv4. */
    static final int MAX_DATAGRAM = 65_507;
    /** Datagrams read from one socket per wake-up, so that one busy socket cannot starve the others. */
    private static final int READS_PER_WAKEUP = 64;
    private static final int DEFAULT_COMMAND_CAPACITY = 4_096;
    private static final long CLOSE_WAIT_SECONDS = 5;

    /** Handles one datagram on the reactor thread; {@code packet} (position 0, limit = length) is valid only during the call. */
    interface DatagramHandler {
        void onDatagram(ByteBuffer packet, int length, long arrivalNanos);
    }

    /** A timer callback on the reactor thread; returns its next deadline ({@code System.nanoTime()}), or -1 to end. */
    interface TimerTask {
        long run(long nowNanos);
    }

    /** A scheduled timer; {@link #cancel()} may be called from any thread. */
    static final class Timer {
        private final TimerTask task;
        private long deadline; // reactor thread only
        private volatile boolean cancelled;

        private Timer(TimerTask task, long deadline) {
            this.task = task;
            this.deadline = deadline;
        }

        void cancel() {
            cancelled = true;
        }
    }

    private final String name;
    private final Selector selector;
    private final Thread thread;
    private final int commandCapacity;
    private final Queue<Runnable> commands = new ArrayDeque<>(); // guarded by itself
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
    private final List<CompletableFuture<Void>> awaitingDeregistration = new ArrayList<>();
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final AtomicLong handlerFailures = new AtomicLong();
    private final AtomicLong readFailures = new AtomicLong();
    private boolean terminated; // guarded by commands
    private volatile boolean closing;

    /** Starts a reactor thread named {@code name} with a command queue of 4096. */
    public RtpReactor(String name) throws IOException {
        this(name, DEFAULT_COMMAND_CAPACITY);
    }

    /** Starts a reactor thread named {@code name} whose command queue holds at most {@code commandCapacity}. */
    public RtpReactor(String name, int commandCapacity) throws IOException {
        this(name, commandCapacity, Thread.NORM_PRIORITY);
    }

    /**
     * As {@link #RtpReactor(String, int)}, with the thread at {@code threadPriority}. A load generator that shares its
     * cores with what it measures raises it, so that its own pacing and reads are not what stalls (the JVM passes Java
     * priorities to Linux only with {@code -XX:ThreadPriorityPolicy=1}, and a nice value below 0 needs root or
     * CAP_SYS_NICE; otherwise the priority is silently ignored, see {@link #osNiceValue()}).
     */
    public RtpReactor(String name, int commandCapacity, int threadPriority) throws IOException {
        if (commandCapacity < 1) {
            throw new IllegalArgumentException("commandCapacity must be at least 1, got " + commandCapacity);
        }
        this.name = name;
        this.commandCapacity = commandCapacity;
        this.selector = Selector.open();
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.setPriority(threadPriority);
        thread.start();
    }

    /**
     * The Linux nice value the reactor thread runs at (0 is the default, lower is favoured), read by the thread itself
     * from /proc; empty if not on Linux, closed, or unanswered within 5 s. Tells whether a raised priority took effect.
     */
    public java.util.OptionalInt osNiceValue() {
        CompletableFuture<Integer> nice = new CompletableFuture<>();
        try {
            execute(() -> nice.complete(ProcStat.ofThisThread().map(ProcStat::nice).orElse(null)));
            Integer v = nice.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            return v == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(v);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            return java.util.OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.OptionalInt.empty();
        }
    }

    /** Datagram handlers or timers that threw (each is logged once per power of two). */
    public long handlerFailures() {
        return handlerFailures.get();
    }

    /** Reads that failed with an I/O error. */
    public long readFailures() {
        return readFailures.get();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closing;
    }

    // ---------------------------------------------------------------- package API for endpoints

    boolean inReactorThread() {
        return Thread.currentThread() == thread;
    }

    /** The shared send buffer: reactor thread only, filler bytes stay zero (nothing writes past the synthetic prefix). */
    ByteBuffer sendBuffer() {
        return sendBuffer;
    }

    /** Runs {@code command} on the reactor thread; throws RejectedExecutionException when closed or full. */
    void execute(Runnable command) {
        synchronized (commands) {
            if (terminated || closing) {
                throw new RejectedExecutionException("RTP reactor " + name + " is closed");
            }
            if (commands.size() >= commandCapacity) {
                throw new RejectedExecutionException("RTP reactor " + name + " command queue is full (" + commandCapacity + ")");
            }
            commands.add(command);
        }
        selector.wakeup();
    }

    /** Registers a non-blocking channel for reads; completes once the selector owns it. */
    CompletableFuture<Void> register(DatagramChannel channel, DatagramHandler handler) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(() -> {
            try {
                channel.register(selector, SelectionKey.OP_READ, handler);
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Starts a timer on the reactor thread at {@code firstDeadlineNanos}. */
    Timer schedule(long firstDeadlineNanos, TimerTask task) {
        Timer timer = new Timer(task, firstDeadlineNanos);
        execute(() -> timers.add(timer));
        return timer;
    }

    /**
     * Closes the channels and waits until the selector has released them, so that their ports can be bound again at
     * once (a registered channel's socket is only freed when its key is deregistered).
     */
    void closeAndRelease(DatagramChannel... channels) {
        if (inReactorThread()) {
            closeQuietly(channels);
            return; // freed at the next select, which follows at once
        }
        CompletableFuture<Void> released = new CompletableFuture<>();
        try {
            execute(() -> {
                closeQuietly(channels);
                awaitingDeregistration.add(released);
            });
        } catch (RejectedExecutionException e) {
            closeQuietly(channels); // the reactor is gone: the selector's close freed or will free them
            awaitTermination();
            return;
        }
        try {
            released.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("RTP reactor {} did not confirm the release of {} socket(s)", name, channels.length);
        }
    }

    private static void closeQuietly(DatagramChannel... channels) {
        for (DatagramChannel c : channels) {
            try {
                c.close();
            } catch (IOException e) {
                // Closing a UDP socket does not fail in practice; nothing to do if it does.
            }
        }
    }

    // ---------------------------------------------------------------- the thread

    private void loop() {
        try {
            while (!closing) {
                runCommands();
                long now = System.nanoTime();
                long nextDeadline = runDueTimers(now);
                if (!awaitingDeregistration.isEmpty()) {
                    selector.selectNow(this::onReady);
                    awaitingDeregistration.forEach(f -> f.complete(null));
                    awaitingDeregistration.clear();
                } else if (nextDeadline == Long.MAX_VALUE) {
                    selector.select(this::onReady);
                } else {
                    long waitNanos = nextDeadline - System.nanoTime();
                    if (waitNanos <= 0) {
                        selector.selectNow(this::onReady);
                    } else {
                        // select() counts in ms: round up so that a timer is never fired early.
                        selector.select(this::onReady, (waitNanos + 999_999) / 1_000_000);
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            log.error("RTP reactor {} stopped: {}", name, e.toString());
        } catch (RuntimeException | Error e) {
            log.error("RTP reactor {} crashed", name, e);
        } finally {
            shutdown();
        }
    }

    private void runCommands() {
        while (true) {
            Runnable c;
            synchronized (commands) {
                c = commands.poll();
            }
            if (c == null) {
                return;
            }
            try {
                c.run();
            } catch (RuntimeException e) {
                failed("command", e);
            }
        }
    }

    private long runDueTimers(long now) {
        Timer t;
        while ((t = timers.peek()) != null && (t.cancelled || t.deadline <= now)) {
            timers.poll();
            if (t.cancelled) {
                continue;
            }
            long next;
            try {
                next = t.task.run(now);
            } catch (RuntimeException e) {
                failed("timer", e);
                next = -1;
            }
            if (next >= 0 && !t.cancelled) {
                // A timer that asks for a time already past runs again in the next loop, after the sockets.
                t.deadline = Math.max(next, now + 1);
                timers.add(t);
            }
        }
        return t == null ? Long.MAX_VALUE : t.deadline;
    }

    private void onReady(SelectionKey key) {
        if (!key.isValid() || !key.isReadable()) {
            return;
        }
        DatagramChannel channel = (DatagramChannel) key.channel();
        DatagramHandler handler = (DatagramHandler) key.attachment();
        ByteBuffer buf = receiveBuffer;
        for (int i = 0; i < READS_PER_WAKEUP; i++) {
            buf.clear();
            try {
                if (channel.receive(buf) == null) {
                    return;
                }
            } catch (IOException e) {
                readFailures.incrementAndGet();
                return;
            }
            int length = buf.position();
            buf.flip();
            try {
                handler.onDatagram(buf, length, System.nanoTime());
            } catch (RuntimeException e) {
                failed("datagram handler", e);
            }
        }
    }

    private void failed(String what, RuntimeException e) {
        long n = handlerFailures.incrementAndGet();
        if (Long.bitCount(n) == 1) { // 1, 2, 4, 8...: visible without flooding the log
            log.warn("RTP reactor {}: {} failed ({} failure(s) so far)", name, what, n, e);
        }
    }

    private void shutdown() {
        List<Runnable> left;
        synchronized (commands) {
            terminated = true;
            left = new ArrayList<>(commands);
            commands.clear();
        }
        for (SelectionKey k : selectorKeysSafely()) {
            try {
                k.channel().close();
            } catch (IOException e) {
                // see closeQuietly
            }
        }
        try {
            selector.close(); // deregisters every key: the sockets are freed here
        } catch (IOException e) {
            log.debug("closing the selector of {} failed", name, e);
        }
        // Commands still queued see a closed selector: registrations fail, closes still close.
        for (Runnable c : left) {
            try {
                c.run();
            } catch (RuntimeException e) {
                // expected for registrations
            }
        }
        awaitingDeregistration.forEach(f -> f.complete(null));
        awaitingDeregistration.clear();
        timers.clear();
    }

    private List<SelectionKey> selectorKeysSafely() {
        try {
            return new ArrayList<>(selector.keys());
        } catch (ClosedSelectorException e) {
            return List.of();
        }
    }

    private void awaitTermination() {
        if (inReactorThread()) {
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread and closes every socket still registered; waits up to 5 s for the thread to end. */
    @Override
    public void close() {
        closing = true;
        selector.wakeup();
        awaitTermination();
    }

    @Override
    public String toString() {
        return "RtpReactor[" + name + "]";
    }
}
