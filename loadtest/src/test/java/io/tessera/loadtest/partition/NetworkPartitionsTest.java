package io.tessera.loadtest.partition;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy with real sockets on loopback: two "nodes" a and b are server sockets of this test behind a proxy each,
 * and the test's own process plays the sender. Who it is (a or b) is what the proxy reads from /proc for this pid, so
 * the sender identification is the real one, not a stub.
 */
class NetworkPartitionsTest {
    private static final long SELF = ProcessHandle.current().pid();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final AtomicReference<Map<Long, String>> whoIsThisProcess = new AtomicReference<>(Map.of());
    private final List<AutoCloseable> open = new ArrayList<>();
    private ServerSocket nodeA;
    private ServerSocket nodeB;
    private NetworkPartitions partitions;
    private int proxyA;
    private int proxyB;

    @BeforeEach
    void start() throws IOException {
        nodeA = track(new ServerSocket(0, 16, LOOPBACK));
        nodeB = track(new ServerSocket(0, 16, LOOPBACK));
        proxyA = freePort();
        proxyB = freePort();
        partitions = NetworkPartitions.start(List.of(
                new NetworkPartitions.Endpoint("a", LOOPBACK.getHostAddress(), proxyA, nodeA.getLocalPort()),
                new NetworkPartitions.Endpoint("b", LOOPBACK.getHostAddress(), proxyB, nodeB.getLocalPort())),
                whoIsThisProcess::get);
    }

    @AfterEach
    void stop() {
        partitions.close();
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    @Test
    void bytesPassThenAreBlackHoledWhileTheConnectionStaysOpenThenPassAfterHeal() throws Exception {
        Link aToB = connect("a", proxyB, nodeB);
        aToB.assertPasses("hello");
        aToB.assertAnswered("welcome");

        partitions.isolate("a");
        aToB.client.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> partitions.droppedBytes() >= 4);
        assertFalse(aToB.client.isClosed(), "a black hole, not a refused connection");
        // isolate is both ways: a new connection from b into a is black-holed too
        Link bToA = connect("b", proxyA, nodeA);
        bToA.client.getOutputStream().write("also lost".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> partitions.droppedBytes() >= 4 + 9);
        assertEquals(Set.of("a->b", "b->a"), partitions.cuts());

        partitions.heal();
        // the connections that lost bytes are closed (their framing is broken) and never delivered what was dropped
        assertEquals("", aToB.readUntilClosed());
        assertEquals("", bToA.readUntilClosed());
        assertEquals(Set.of(), partitions.cuts());
        Link again = connect("a", proxyB, nodeB);
        again.assertPasses("after heal");
        again.assertAnswered("ok");
    }

    @Test
    void aOneWayCutDropsWhatASendsBAndNothingThatBSendsA() throws Exception {
        partitions.cut("a", "b");
        Link bToA = connect("b", proxyA, nodeA);
        bToA.assertPasses("b still reaches a");

        Link aToB = connect("a", proxyB, nodeB);
        aToB.client.getOutputStream().write("dropped".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> partitions.droppedBytes() >= 7);
        bToA.assertPasses("b still reaches a after a lost bytes");
        assertEquals(Set.of("a->b"), partitions.cuts());

        // "nothing a sends reaches b" holds on b's own connections too: a's answer on one is dropped
        bToA.server.getOutputStream().write("answer".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> partitions.droppedBytes() >= 7 + 6);
    }

    /**
     * The bound on connections into one node, with real sockets: the {@value NetworkPartitions#MAX_CONNECTIONS_PER_NODE}
     * first are piped to the node, one more is closed before any byte reaches the node (counted), and once one of the
     * open ones closes, a new connection is piped again.
     */
    @Test
    void connectionsIntoANodeBeyondTheLimitAreClosedAtOnceAndCountedUntilOneCloses() throws Exception {
        whoIsThisProcess.set(Map.of(SELF, "b"));
        List<Socket> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
        ServerSocket busyNode = track(new ServerSocket(0, 512, LOOPBACK));
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(track(busyNode.accept()));
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "busy-node");
        acceptor.setDaemon(true);
        acceptor.start();
        int proxyBusy = freePort();
        try (NetworkPartitions proxy = NetworkPartitions.start(List.of(new NetworkPartitions.Endpoint("busy",
                LOOPBACK.getHostAddress(), proxyBusy, busyNode.getLocalPort())), whoIsThisProcess::get)) {
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < NetworkPartitions.MAX_CONNECTIONS_PER_NODE; i++) {
                clients.add(track(new Socket(LOOPBACK, proxyBusy)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> proxy.connections()
                    == NetworkPartitions.MAX_CONNECTIONS_PER_NODE && accepted.size()
                    == NetworkPartitions.MAX_CONNECTIONS_PER_NODE);

            Socket oneTooMany = track(new Socket(LOOPBACK, proxyBusy));
            oneTooMany.setSoTimeout(10_000);
            assertEquals(-1, readOrReset(oneTooMany), "closed by the proxy before any byte");
            assertEquals(1, proxy.refusedConnections());
            assertEquals(NetworkPartitions.MAX_CONNECTIONS_PER_NODE, proxy.connections());
            assertEquals(NetworkPartitions.MAX_CONNECTIONS_PER_NODE, accepted.size(), "the node never saw it");

            clients.get(0).close();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> proxy.connections() == NetworkPartitions.MAX_CONNECTIONS_PER_NODE - 1);
            Socket again = track(new Socket(LOOPBACK, proxyBusy));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> accepted.size() == NetworkPartitions.MAX_CONNECTIONS_PER_NODE + 1);
            again.getOutputStream().write("through".getBytes(StandardCharsets.UTF_8));
            Socket nodeSide = accepted.get(NetworkPartitions.MAX_CONNECTIONS_PER_NODE);
            nodeSide.setSoTimeout(10_000);
            assertArrayEquals("through".getBytes(StandardCharsets.UTF_8), nodeSide.getInputStream().readNBytes(7));
            assertEquals(1, proxy.refusedConnections(), "a free slot is used again");
        } finally {
            busyNode.close();
        }
    }

    /** -1 when the peer closed the connection (an orderly close or a reset), else the first byte. */
    private static int readOrReset(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (java.net.SocketException reset) {
            return -1;
        }
    }

    @Test
    void refusesUnknownNodesAndSelfCuts() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> partitions.isolate("c")).getMessage()
                .contains("unknown node 'c'"));
        assertThrows(IllegalArgumentException.class, () -> partitions.cut("a", "c"));
        assertThrows(IllegalArgumentException.class, () -> partitions.cut("a", "a"));
        assertEquals(Set.of(), partitions.cuts());
    }

    /** A connection through a proxy, opened by this process acting as {@code from}, and the node's side of it. */
    private Link connect(String from, int proxyPort, ServerSocket node) throws IOException {
        whoIsThisProcess.set(Map.of(SELF, from));
        Socket client = track(new Socket(LOOPBACK, proxyPort));
        node.setSoTimeout(10_000);
        Socket server = track(node.accept());
        client.setSoTimeout(10_000);
        server.setSoTimeout(10_000);
        return new Link(client, server);
    }

    private record Link(Socket client, Socket server) {
        void assertPasses(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            client.getOutputStream().write(bytes);
            assertArrayEquals(bytes, server.getInputStream().readNBytes(bytes.length));
        }

        void assertAnswered(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            server.getOutputStream().write(bytes);
            assertArrayEquals(bytes, client.getInputStream().readNBytes(bytes.length));
        }

        /** What the node side received from now until the proxy closed it (what it read before is not repeated). */
        String readUntilClosed() throws IOException {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            InputStream in = server.getInputStream();
            try {
                in.transferTo(seen);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the proxy did not close the connection; received " + seen, e);
            } catch (IOException reset) {
                // closed by the proxy with a reset: as closed
            }
            return seen.toString(StandardCharsets.UTF_8);
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(LOOPBACK, 0));
            return s.getLocalPort();
        }
    }
}
