package io.tessera.media.rtp;

import io.tessera.media.fencing.MediaFence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One thread that owns a set of UDP sockets and moves their packets: the Netty discipline of one owner
 * thread per socket. Other threads never touch the sockets or the counters; they hand the loop a
 * {@link Runnable} through a bounded queue and wake its selector. The packet path allocates nothing:
 * one direct buffer per loop, reused for every datagram.
 */
final class ForwardingLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ForwardingLoop.class);

    /** Datagrams read from one socket before the loop looks at the others, so one busy stream cannot starve them. */
    static final int READ_BUDGET = 64;

    /** Something the loop calls when a socket it owns has datagrams. */
    interface ReadHandler {
        void onReadable(ForwardingLoop loop) throws IOException;
    }

    final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);

    // Counters, written by the loop thread only.
    long packetsReceived;
    long bytesReceived;
    long packetsForwarded;
    long bytesForwarded;
    long packetsDropped;
    long foreignPackets;
    long rtcpForwarded;
    long feedbackThrottled;
    long errors;

    /** While closed, publishers' packets are read and dropped, not forwarded (null: never fenced). */
    volatile MediaFence fence;

    private final Selector selector;
    private final BlockingQueue<Runnable> commands;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * Debug only: when the system property {@value #TRACE_PROPERTY} names a directory, the loop wakes at least every
     * {@value #TRACE_MILLIS} ms and writes its counters there ({@code wallMs,received,forwarded,dropped}), so a
     * stall of this thread (no line) can be told from a stall of its senders (lines, flat counters). Null: off.
     */
    static final String TRACE_PROPERTY = "tessera.media.rtp.trace-dir";
    static final int TRACE_MILLIS = 50;
    private final java.io.PrintWriter trace;
    private long lastTraceMillis;
    private long traceLines;

    ForwardingLoop(String name, int commandQueueCapacity) throws IOException {
        this.selector = Selector.open();
        this.commands = new ArrayBlockingQueue<>(commandQueueCapacity);
        this.trace = openTrace(name);
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        // Above the node's control work: when a killed node's sessions land here, placement must not stall the
        // media of the sessions already here. Linux honours it only with -XX:ThreadPriorityPolicy=1 and root or
        // CAP_SYS_NICE (OPERATIONS.md); otherwise it is a no-op.
        this.thread.setPriority(Thread.MAX_PRIORITY);
        this.thread.start();
    }

    /** Queues a command for the loop thread; false when the queue is full. */
    boolean submit(Runnable command) {
        if (!commands.offer(command)) {
            return false;
        }
        selector.wakeup();
        return true;
    }

    /** Queues a command that must not be lost (a release), waiting for room if the queue is full. */
    void submitSurely(Runnable command) {
        try {
            while (running && !commands.offer(command, 100, TimeUnit.MILLISECONDS)) {
                selector.wakeup();
            }
            selector.wakeup();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static final int DRAINED = 0;
    static final int RECEIVED = 1;
    static final int FOREIGN = -1;

    /**
     * Reads one datagram of {@code channel} into {@link #buffer} (flipped): {@link #RECEIVED} when it came from
     * {@code host}, {@link #FOREIGN} when from anyone else (counted, dropped), {@link #DRAINED} when there was none.
     */
    int receiveFrom(DatagramChannel channel, java.net.InetAddress host) throws IOException {
        buffer.clear();
        java.net.SocketAddress from = channel.receive(buffer);
        if (from == null) {
            return DRAINED;
        }
        if (!host.equals(((java.net.InetSocketAddress) from).getAddress())) {
            foreignPackets++;
            return FOREIGN;
        }
        buffer.flip();
        return RECEIVED;
    }

    /**
     * Whether a packet from {@code from} comes from {@code host}; any loopback address counts as a loopback
     * {@code host}, since the kernel picks a loopback packet's source by its route (127.0.0.1), not by its destination.
     */
    static boolean sameHost(java.net.InetAddress host, java.net.InetAddress from) {
        return host.equals(from) || (host.isLoopbackAddress() && from.isLoopbackAddress());
    }

    /** Like {@link #receiveFrom(DatagramChannel, java.net.InetAddress)}, any loopback address counting as {@code host}. */
    int receiveFromLocal(DatagramChannel channel, java.net.InetAddress host) throws IOException {
        buffer.clear();
        java.net.SocketAddress from = channel.receive(buffer);
        if (from == null) {
            return DRAINED;
        }
        if (!sameHost(host, ((java.net.InetSocketAddress) from).getAddress())) {
            foreignPackets++;
            return FOREIGN;
        }
        buffer.flip();
        return RECEIVED;
    }

    /** Registers a socket for reads; loop thread only. */
    void register(DatagramChannel channel, ReadHandler handler) throws ClosedChannelException {
        channel.register(selector, SelectionKey.OP_READ, handler);
    }

    /** Number of counters in {@link #counters()}. */
    static final int COUNTERS = 9;

    /** A copy of the counters, taken on the loop thread (the order of {@link io.tessera.media.engine.MediaStats}). */
    CompletableFuture<long[]> counters() {
        CompletableFuture<long[]> result = new CompletableFuture<>();
        if (!submit(() -> result.complete(new long[]{packetsReceived, packetsForwarded, packetsDropped,
                foreignPackets, rtcpForwarded, feedbackThrottled, bytesReceived, bytesForwarded, errors}))) {
            result.completeExceptionally(new IllegalStateException("forwarding loop queue is full"));
        }
        return result;
    }

    boolean isLoopThread() {
        return Thread.currentThread() == thread;
    }

    private static java.io.PrintWriter openTrace(String name) {
        String dir = System.getProperty(TRACE_PROPERTY);
        if (dir == null || dir.isBlank()) {
            return null;
        }
        java.nio.file.Path file = java.nio.file.Path.of(dir, name + "-" + ProcessHandle.current().pid() + ".csv");
        try {
            java.io.PrintWriter out = new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(file));
            out.println("wallMs,received,forwarded,dropped");
            log.info("forwarding loop {} traces its counters to {}", name, file);
            return out;
        } catch (IOException e) {
            log.warn("forwarding loop {}: no trace at {}: {}", name, file, e.toString());
            return null;
        }
    }

    private void traceIfDue() {
        long now = System.currentTimeMillis();
        if (now - lastTraceMillis >= TRACE_MILLIS) {
            lastTraceMillis = now;
            trace.append(Long.toString(now)).append(',').append(Long.toString(packetsReceived)).append(',')
                    .append(Long.toString(packetsForwarded)).append(',').append(Long.toString(packetsDropped))
                    .append('\n');
            if (++traceLines % 20 == 0) {
                trace.flush(); // about once a second: a node that is killed keeps all but its last second
            }
        }
    }

    private void run() {
        while (running) {
            try {
                if (trace == null) {
                    selector.select();
                } else {
                    selector.select(TRACE_MILLIS);
                    traceIfDue();
                }
                runCommands();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (key.isValid()) {
                        try {
                            ((ReadHandler) key.attachment()).onReadable(this);
                        } catch (IOException e) {
                            // One bad socket (closed under us, ICMP error) must not stop the others.
                            errors++;
                        }
                    }
                }
            } catch (Throwable t) {
                errors++;
                log.error("forwarding loop {} error: {}", thread.getName(), t.toString());
            }
        }
        runCommands();
        if (trace != null) {
            trace.close();
        }
        try {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        } catch (IOException e) {
            log.warn("closing forwarding loop {}: {}", thread.getName(), e.toString());
        }
    }

    private void runCommands() {
        Runnable command;
        while ((command = commands.poll()) != null) {
            try {
                command.run();
            } catch (RuntimeException e) {
                errors++;
                log.error("forwarding loop {} command failed: {}", thread.getName(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
