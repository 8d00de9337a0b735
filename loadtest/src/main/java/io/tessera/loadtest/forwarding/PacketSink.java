package io.tessera.loadtest.forwarding;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

/**
 * All subscribers of a run on one thread: a selector over their sockets, a count of packets received and,
 * when asked, a histogram of one-way latency (receive time minus the send time in the packet).
 */
final class PacketSink implements AutoCloseable {
    private final Selector selector;
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final Histogram latencyNanos = new Histogram(10_000_000_000L, 3);
    private volatile boolean recordLatency;
    private volatile boolean reading = true;
    private volatile boolean running = true;
    private volatile long received;
    private final Thread thread;

    PacketSink(String host, int subscribers, int socketBuffer) throws IOException {
        selector = Selector.open();
        for (int i = 0; i < subscribers; i++) {
            DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
            channel.bind(new InetSocketAddress(host, 0));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            channels.add(channel);
        }
        thread = new Thread(this::run, "packet-sink");
        thread.setDaemon(true);
        thread.start();
    }

    List<InetSocketAddress> addresses() throws IOException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (DatagramChannel channel : channels) {
            addresses.add((InetSocketAddress) channel.getLocalAddress());
        }
        return addresses;
    }

    long received() {
        return received;
    }

    /**
     * While not reading, packets pile up in the sockets and the kernel drops them: the forwarder is measured
     * without the receivers' share of the CPU.
     */
    void reading(boolean on) {
        reading = on;
        selector.wakeup();
    }

    /** Starts a fresh latency histogram. Only call while no packets flow. */
    void recordLatency(boolean on) {
        if (on) {
            latencyNanos.reset();
        }
        recordLatency = on;
    }

    /** The histogram; read it only after the flow stopped and {@link #recordLatency} was turned off. */
    Histogram latencyNanos() {
        return latencyNanos;
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        long count = 0;
        try {
            while (running) {
                if (!reading) {
                    Thread.sleep(10);
                    continue;
                }
                selector.select(100);
                var keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    DatagramChannel channel = (DatagramChannel) keys.next().channel();
                    keys.remove();
                    while (true) {
                        buffer.clear();
                        if (channel.receive(buffer) == null) {
                            break;
                        }
                        if (recordLatency && buffer.position() >= PacketSource.TIMESTAMP_OFFSET + 8) {
                            long latency = System.nanoTime() - buffer.getLong(PacketSource.TIMESTAMP_OFFSET);
                            latencyNanos.recordValue(Math.max(0, Math.min(latency, 10_000_000_000L)));
                        }
                        received = ++count;
                    }
                }
            }
        } catch (IOException e) {
            if (running) {
                throw new IllegalStateException("packet sink failed", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DatagramChannel channel : channels) {
            channel.close();
        }
        selector.close();
    }
}
