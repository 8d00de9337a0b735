package io.tessera.loadtest.partition;

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
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>One implementation for every user: the cluster-it test kit runs it inside the test JVM, and
 * {@link PartitionProxyMain} runs it as a process of its own for {@code bin/cluster partition|cut|heal} and the load
 * harness's {@code --chaos}. Bounded: at most {@link #MAX_CONNECTIONS_PER_NODE} open connections into each node
 * (Artery opens three per peer), each with two {@link #BUFFER_BYTES} buffers; beyond that a connection is accepted
 * and closed at once (its sender sees it end before any byte, as a refused connection), said so on stderr and counted
 * ({@link #refusedConnections}); a slot is free again as soon as one of the open connections closes.
 */
public final class NetworkPartitions implements AutoCloseable {

    /** A node's remoting: the port others connect to (the proxy's) and the port the node itself listens on. */
    public record Endpoint(String nodeId, String host, int advertisedPort, int bindPort) {
    }

    private record Link(String from, String to) {
    }

    /** Open connections into one node's proxy; Artery needs 3 per peer, so this is room for ~80 peers. */
    public static final int MAX_CONNECTIONS_PER_NODE = 256;
    /** Per direction of a connection. */
    static final int BUFFER_BYTES = 64 * 1024;

    private final Set<Link> cut = ConcurrentHashMap.newKeySet();
    private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
    /** Connections accepted into each node and not closed yet (counted from accept, before the pipe exists). */
    private final Map<String, AtomicInteger> openInto = new ConcurrentHashMap<>();
    private final AtomicLong droppedBytes = new AtomicLong();
    private final AtomicLong refusedConnections = new AtomicLong();
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
        requireNode(nodeId);
        for (String other : endpoints.keySet()) {
            if (!other.equals(nodeId)) {
                cut(nodeId, other);
                cut(other, nodeId);
            }
        }
    }

    /** From now on nothing {@code from} sends reaches {@code to} (one way: an asymmetric cut). */
    public void cut(String from, String to) {
        requireNode(from);
        requireNode(to);
        if (from.equals(to)) {
            throw new IllegalArgumentException("cannot cut " + from + " from itself");
        }
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
        Set<String> result = new TreeSet<>();
        cut.forEach(l -> result.add(l.from() + "->" + l.to()));
        return result;
    }

    /** The nodes behind the proxies, in no particular order. */
    public Set<String> nodes() {
        return Set.copyOf(endpoints.keySet());
    }

    /** Open connections through the proxies now. */
    public int connections() {
        return pipes.size();
    }

    /** Connections closed at once since the start because {@link #MAX_CONNECTIONS_PER_NODE} were open into a node. */
    public long refusedConnections() {
        return refusedConnections.get();
    }

    /** Bytes dropped by cut links since the start. */
    public long droppedBytes() {
        return droppedBytes.get();
    }

    private void requireNode(String nodeId) {
        if (!endpoints.containsKey(nodeId)) {
            throw new IllegalArgumentException("unknown node '" + nodeId + "' (one of: "
                    + new TreeSet<>(endpoints.keySet()) + ")");
        }
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
            AtomicInteger open = openInto.computeIfAbsent(target.nodeId(),
                    id -> new AtomicInteger());
            if (open.incrementAndGet() > MAX_CONNECTIONS_PER_NODE) {
                open.decrementAndGet();
                refusedConnections.incrementAndGet();
                System.err.println("NetworkPartitions: " + MAX_CONNECTIONS_PER_NODE + " connections into "
                        + target.nodeId() + " are open already; refusing one more from port " + in.getPort());
                closeQuietly(in);
                continue;
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
            openInto.get(target.nodeId()).decrementAndGet();
            return;
        }
        Pipe pipe = new Pipe(in, out, target.nodeId());
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
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream input = source.getInputStream(); OutputStream output = sink.getOutputStream()) {
            int n;
            while ((n = input.read(buffer)) >= 0) {
                if (pipe.tainted || isCut(from, to)) {
                    pipe.tainted = true; // dropped: this connection's stream is broken from here on
                    droppedBytes.addAndGet(n);
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
        private final String into;
        private final AtomicBoolean closed = new AtomicBoolean();
        volatile boolean tainted;

        Pipe(Socket a, Socket b, String into) {
            this.a = a;
            this.b = b;
            this.into = into;
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                openInto.get(into).decrementAndGet();
            }
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
