package io.tessera.client.rtp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Opening the non-blocking UDP channels that the reactor owns. */
final class UdpChannels {

    private UdpChannels() {
    }

    /** A non-blocking channel bound to {@code address:port} (port 0: ephemeral), of the address's IP family. */
    static DatagramChannel bind(InetAddress address, int port, int receiveBufferBytes) throws IOException {
        DatagramChannel c = DatagramChannel.open(address instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
            c.configureBlocking(false);
            if (receiveBufferBytes > 0) {
                c.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes); // the kernel may cap it
            }
            c.bind(new InetSocketAddress(address, port));
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    static int localPort(DatagramChannel c) throws IOException {
        return ((InetSocketAddress) c.getLocalAddress()).getPort();
    }

    static void checkPort(int port, String what) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(what + " must be 0..65535 (0: any free port), got " + port);
        }
    }

    /** Waits (at most 5 s) for the reactor to take a channel. */
    static void await(CompletableFuture<Void> registered) throws IOException {
        try {
            registered.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while registering with the RTP reactor");
        } catch (ExecutionException e) {
            throw new IOException("could not register with the RTP reactor: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the RTP reactor did not register the socket within 5 s");
        }
    }
}
