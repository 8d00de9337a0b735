package io.tessera.it.partition;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Real network cuts between cluster nodes on one machine, without root tools: a TCP proxy in front of each node's Pekko
 * remoting port (Artery TCP). Every node advertises the proxy's port as its canonical address and binds its own
 * listener on another port, so every byte one node sends another goes through the receiver's proxy. The proxy knows
 * who sends (the process that owns the connection's client side, {@link SocketOwners}), so a cut is per direction:
 * {@code cut(a, b)} drops what a sends b, {@link #isolate} cuts a node off from all others both ways.
 *
 * <p>A cut link is a black hole, as a real partition: the connections stay open, bytes are read and dropped, nothing
 * is refused (a refused connection is a different, gentler fault: the sender knows at once). {@link #heal} closes
 * the connections that lost bytes (their framing is broken) and the senders reconnect, as after a network outage.
 * The nodes' HTTP ports are not proxied: clients keep reaching a node that is cut off from the cluster.
 */
public final class NetworkPartitions implements AutoCloseable {

    /** A node's remoting: the port others connect to (the proxy's) and the port the node itself listens on. */
    public record Endpoint(String nodeId, String host, int advertisedPort, int bindPort) {
    }

    private record Link(String from, String to) {
    }

    private final Set<Link> cut = ConcurrentHashMap.newKeySet();
    private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
    private final List<ServerSocket> listeners = new ArrayList<>();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    /** pid -> node id of the nodes now running (a restarted node has a new pid). */
    private final Supplier<Map<Long, String>> processes;
    private volatile boolean closed;

    private NetworkPartitions(Supplier<Map<Long, String>> processes) {
        this.processes = processes;
    }

    /** Opens a proxy on each endpoint's advertised port, forwarding to its bind port. */
    public static NetworkPartitions start(List<Endpoint> endpoints, Supplier<Map<Long, String>> processes) {
        NetworkPartitions partitions = new NetworkPartitions(processes);
        try {
            for (Endpoint e : endpoints) {
                partitions.endpoints.put(e.nodeId(), e);
                ServerSocket listener = new ServerSocket();
                listener.setReuseAddress(true);
                listener.bind(new InetSocketAddress(InetAddress.getByName(e.host()), e.advertisedPort()), 64);
                partitions.listeners.add(listener);
                daemon("proxy-" + e.nodeId(), () -> partitions.accept(listener, e));
            }
        } catch (IOException e) {
            partitions.close();
            throw new UncheckedIOException("cannot open the remoting proxies", e);
        }
        return partitions;
    }

    /** Cuts {@code nodeId} off from every other node, both ways. */
    public void isolate(String nodeId) {
        for (String other : endpoints.keySet()) {
            if (!other.equals(nodeId)) {
                cut(nodeId, other);
                cut(other, nodeId);
            }
        }
    }

    /** From now on nothing {@code from} sends reaches {@code to} (one way: an asymmetric cut). */
    public void cut(String from, String to) {
        cut.add(new Link(from, to));
    }

    /** Every link works again; connections that lost bytes are closed so that their senders reconnect. */
    public void heal() {
        cut.clear();
        for (Pipe pipe : List.copyOf(pipes)) {
            if (pipe.tainted) {
                pipe.close();
            }
        }
    }

    /** The links cut now, as "from->to". */
    public Set<String> cuts() {
        Set<String> result = new java.util.TreeSet<>();
        cut.forEach(l -> result.add(l.from() + "->" + l.to()));
        return result;
    }

    boolean isCut(String from, String to) {
        return cut.contains(new Link(from, to));
    }

    private void accept(ServerSocket listener, Endpoint target) {
        while (!closed) {
            Socket in;
            try {
                in = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            daemon("pipe-to-" + target.nodeId(), () -> open(in, target));
        }
    }

    private void open(Socket in, Endpoint target) {
        String from = senderOf(in).orElse("unknown");
        if ("unknown".equals(from)) {
            System.err.println("NetworkPartitions: cannot tell who connected to " + target.nodeId() + " from port "
                    + in.getPort() + "; its bytes are never cut");
        }
        Socket out = new Socket();
        try {
            in.setTcpNoDelay(true);
            out.setTcpNoDelay(true);
            out.connect(new InetSocketAddress(InetAddress.getByName(target.host()), target.bindPort()), 2_000);
        } catch (IOException e) {
            closeQuietly(in); // the node is not running: as a refused connection
            closeQuietly(out);
            return;
        }
        Pipe pipe = new Pipe(in, out);
        pipes.add(pipe);
        daemon("pump-" + from + "-" + target.nodeId(), () -> pump(pipe, in, out, from, target.nodeId()));
        pump(pipe, out, in, target.nodeId(), from);
    }

    /** The node whose process holds the connection's client side (it may take a moment to show in /proc). */
    private Optional<String> senderOf(Socket in) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<String> owner = SocketOwners.owner(in.getPort(), in.getLocalPort(), processes.get());
            if (owner.isPresent()) {
                return owner;
            }
            try {
                Thread.sleep(20); // the kernel's table is written as the connection completes; no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return Optional.empty();
    }

    private void pump(Pipe pipe, Socket source, Socket sink, String from, String to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream input = source.getInputStream(); OutputStream output = sink.getOutputStream()) {
            int n;
            while ((n = input.read(buffer)) >= 0) {
                if (pipe.tainted || isCut(from, to)) {
                    pipe.tainted = true; // dropped: this connection's stream is broken from here on
                } else {
                    output.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // one side closed: close both below
        } finally {
            pipe.close();
        }
    }

    private final class Pipe {
        private final Socket a;
        private final Socket b;
        volatile boolean tainted;

        Pipe(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void close() {
            pipes.remove(this);
            closeQuietly(a);
            closeQuietly(b);
        }
    }

    @Override
    public void close() {
        closed = true;
        listeners.forEach(NetworkPartitions::closeQuietly);
        List.copyOf(pipes).forEach(Pipe::close);
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
