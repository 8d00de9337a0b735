package io.tessera.loadtest.forwarding;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A baseline: the least a forwarder can do in Java. One thread receives on one socket and sends each
 * datagram to every subscriber from that socket, with no checks and no bookkeeping: one receive and N sends
 * per packet, like the engine, and nothing else. Two variants: blocking (the kernel wakes the thread), and
 * spinning on a non-blocking socket (no wake-ups, but a core of its own, which on a small machine the sender
 * and receivers miss). The better of the two is the limit of this machine for the benchmark's shape with
 * the JDK's socket API (which has no recvmmsg/sendmmsg batching).
 */
final class RawUdpForwarder implements Forwarder {
    private final String host;
    private final int socketBuffer;
    private final boolean spin;
    private final List<InetSocketAddress> subscribers = new ArrayList<>();
    private volatile InetSocketAddress[] targets = new InetSocketAddress[0];
    private DatagramChannel channel;
    private Thread thread;
    private volatile long forwarded;

    RawUdpForwarder(String host, int socketBuffer, boolean spin) {
        this.host = host;
        this.socketBuffer = socketBuffer;
        this.spin = spin;
    }

    @Override
    public String name() {
        return spin ? "raw UDP, spinning" : "raw UDP, blocking";
    }

    @Override
    public InetSocketAddress start(InetSocketAddress source) throws IOException {
        channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
        channel.bind(new InetSocketAddress(host, 0));
        channel.configureBlocking(!spin);
        thread = new Thread(this::run, "raw-udp-forwarder");
        thread.setDaemon(true);
        thread.start();
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public void addSubscriber(InetSocketAddress subscriber) {
        subscribers.add(subscriber);
        targets = subscribers.toArray(new InetSocketAddress[0]);
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        long count = 0;
        try {
            while (true) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                if (from == null) {
                    Thread.onSpinWait();
                    continue;
                }
                buffer.flip();
                for (InetSocketAddress target : targets) {
                    buffer.rewind();
                    if (channel.send(buffer, target) > 0) {
                        count++;
                    }
                }
                forwarded = count;
            }
        } catch (ClosedChannelException e) {
            // closed by close(): the run is over
        } catch (IOException e) {
            throw new IllegalStateException("baseline forwarder failed", e);
        }
    }

    @Override
    public long forwarded() {
        return forwarded;
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
            if (thread != null) {
                thread.join(2000);
            }
        } catch (IOException e) {
            // nothing left to release
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
