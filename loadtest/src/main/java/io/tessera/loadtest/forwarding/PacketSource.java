package io.tessera.loadtest.forwarding;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * One publisher: RTP packets of a fixed size with the send time ({@link System#nanoTime()}, one JVM) after the
 * 12-byte header. Sends as fast as it can, or paced at a rate.
 */
final class PacketSource implements AutoCloseable {
    static final int TIMESTAMP_OFFSET = 12;

    private final DatagramChannel channel;
    private final ByteBuffer packet;
    private volatile boolean running;
    private Thread thread;
    private volatile long sent;

    PacketSource(String host, int packetSize, int socketBuffer) throws IOException {
        channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
        channel.bind(new InetSocketAddress(host, 0));
        packet = ByteBuffer.allocateDirect(packetSize);
        packet.put(0, (byte) 0x80).put(1, (byte) 96).putInt(8, 0x7e55e7a0);
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    long sent() {
        return sent;
    }

    /** Starts sending to {@code target}; {@code packetsPerSecond} 0 means as fast as possible. */
    void start(InetSocketAddress target, int packetsPerSecond) {
        running = true;
        thread = new Thread(() -> run(target, packetsPerSecond), "packet-source");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(InetSocketAddress target, int packetsPerSecond) {
        long interval = packetsPerSecond == 0 ? 0 : 1_000_000_000L / packetsPerSecond;
        long next = System.nanoTime();
        int seq = 0;
        long count = 0;
        try {
            while (running) {
                if (interval > 0) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                        continue;
                    }
                    next += interval;
                }
                packet.putShort(2, (short) seq++).putLong(TIMESTAMP_OFFSET, System.nanoTime());
                packet.clear();
                channel.send(packet, target);
                sent = ++count;
            }
        } catch (IOException e) {
            if (running) {
                throw new IllegalStateException("packet source failed", e);
            }
        }
    }

    void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(2000);
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        channel.close();
    }
}
