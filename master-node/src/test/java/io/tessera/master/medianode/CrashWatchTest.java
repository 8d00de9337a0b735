package io.tessera.master.medianode;

import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The crash watch against real sockets: a stand-in sentinel (a plain server socket speaking the media node's
 * sentinel wire) that crashes, stops on purpose, drops the connection while still listening, or never greets.
 */
class CrashWatchTest {
    private static final String ADDRESS = "pekko://tessera@127.0.0.1:2651";
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("CrashWatchTest");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** A stand-in for a media node's sentinel: accepts, greets (or not), keeps every connection it accepted. */
    private static final class StandIn implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        final Thread acceptor;

        StandIn(String greeting) throws IOException {
            this(greeting, Integer.MAX_VALUE);
        }

        /** {@code accepts}: how many connections it takes in before it stops accepting (the port still listens). */
        StandIn(String greeting, int accepts) throws IOException {
            server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!server.isClosed() && accepted.size() < accepts) {
                    try {
                        Socket socket = server.accept();
                        accepted.add(socket);
                        if (greeting != null) {
                            socket.getOutputStream().write(greeting.getBytes(StandardCharsets.UTF_8));
                            socket.getOutputStream().flush();
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "stand-in-sentinel");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return InetSocketAddress.createUnresolved("127.0.0.1", server.getLocalPort());
        }

        void send(String text) throws IOException {
            OutputStream out = accepted.get(accepted.size() - 1).getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void dropConnections() throws IOException {
            for (Socket socket : accepted) {
                socket.close();
            }
        }

        /** What a process exit does: every connection closed, the port then refuses. */
        @Override
        public void close() throws IOException {
            server.close();
            dropConnections();
        }
    }

    /** Whether the peer closed {@code socket} (end of stream); false while it is open and silent. */
    private static boolean closedByPeer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    private static ActorRef<CrashWatch.Command> watching(StandIn standIn, TestProbe<CrashWatch.ProcessGone> gone) {
        ActorRef<CrashWatch.Command> watch = testKit.spawn(CrashWatch.create(gone.getRef()));
        watch.tell(new CrashWatch.WatchOnly(Map.of("media-1", standIn.address())));
        return watch;
    }

    @Test
    void aProcessThatExitsIsReportedGoneWithItsIncarnation() throws Exception {
        TestProbe<CrashWatch.ProcessGone> gone = testKit.createTestProbe();
        StandIn standIn = new StandIn("tessera-sentinel 1 " + ADDRESS + " 4242\n");
        ActorRef<CrashWatch.Command> watch = watching(standIn, gone);
        await().atMost(Duration.ofSeconds(10)).until(() -> standIn.accepted.size() == 1);
        gone.expectNoMessage(Duration.ofMillis(500)); // held: alive
        standIn.close();
        CrashWatch.ProcessGone report = gone.expectMessageClass(CrashWatch.ProcessGone.class, Duration.ofSeconds(10));
        assertEquals("media-1", report.nodeId());
        assertEquals(AddressFromURIString.parse(ADDRESS), report.address());
        assertEquals(4242L, report.uid());
        gone.expectNoMessage(Duration.ofSeconds(2)); // once, not at every retry while the port refuses
        testKit.stop(watch);
    }

    /**
     * A process with many sockets exits over a second or so: its kernel closes the held connection before the
     * listening socket, which meanwhile completes handshakes that nobody accepts, then resets them. That is a death in
     * progress, not a live node (seen under bin/cluster: a media node with 300 sessions).
     */
    @Test
    void aProcessWhoseListenerOutlivesItsConnectionsIsStillReportedGone() throws Exception {
        TestProbe<CrashWatch.ProcessGone> gone = testKit.createTestProbe();
        StandIn standIn = new StandIn("tessera-sentinel 1 " + ADDRESS + " 99\n", 1);
        ActorRef<CrashWatch.Command> watch = watching(standIn, gone);
        await().atMost(Duration.ofSeconds(10)).until(() -> standIn.accepted.size() == 1);
        standIn.dropConnections(); // the held connection ends; the port still listens, nobody accepts
        gone.expectNoMessage(Duration.ofMillis(600));
        standIn.server.close(); // the listener goes last: pending handshakes are reset, then the port refuses
        CrashWatch.ProcessGone report = gone.expectMessageClass(CrashWatch.ProcessGone.class, Duration.ofSeconds(10));
        assertEquals(99L, report.uid());
        testKit.stop(watch);
    }

    @Test
    void aNodeThatSaidByeIsNotReportedWhenItStops() throws Exception {
        TestProbe<CrashWatch.ProcessGone> gone = testKit.createTestProbe();
        StandIn standIn = new StandIn("tessera-sentinel 1 " + ADDRESS + " 1\n");
        ActorRef<CrashWatch.Command> watch = watching(standIn, gone);
        await().atMost(Duration.ofSeconds(10)).until(() -> standIn.accepted.size() == 1);
        standIn.send("bye\n"); // then the close, in order on one stream, as the node sends them
        standIn.close();
        gone.expectNoMessage(Duration.ofSeconds(3));
        testKit.stop(watch);
    }

    @Test
    void aConnectionDroppedByANodeThatStillListensIsHeldAgainNotReported() throws Exception {
        TestProbe<CrashWatch.ProcessGone> gone = testKit.createTestProbe();
        try (StandIn standIn = new StandIn("tessera-sentinel 1 " + ADDRESS + " 2\n")) {
            ActorRef<CrashWatch.Command> watch = watching(standIn, gone);
            await().atMost(Duration.ofSeconds(10)).until(() -> standIn.accepted.size() == 1);
            standIn.dropConnections();
            await().atMost(Duration.ofSeconds(10)).until(() -> standIn.accepted.size() >= 2);
            gone.expectNoMessage(Duration.ofSeconds(2));
            testKit.stop(watch);
        }
    }

    @Test
    void aNodeThatNeverGreetedProvesNothing() throws Exception {
        TestProbe<CrashWatch.ProcessGone> gone = testKit.createTestProbe();
        StandIn standIn = new StandIn(null);
        ActorRef<CrashWatch.Command> watch = watching(standIn, gone);
        await().atMost(Duration.ofSeconds(10)).until(() -> standIn.accepted.size() == 1);
        standIn.close();
        gone.expectNoMessage(Duration.ofSeconds(3));
        testKit.stop(watch);
    }

    @Test
    void aNodeNoLongerNamedIsNoLongerWatched() throws Exception {
        TestProbe<CrashWatch.ProcessGone> gone = testKit.createTestProbe();
        StandIn standIn = new StandIn("tessera-sentinel 1 " + ADDRESS + " 3\n");
        ActorRef<CrashWatch.Command> watch = watching(standIn, gone);
        await().atMost(Duration.ofSeconds(10)).until(() -> standIn.accepted.size() == 1);
        watch.tell(new CrashWatch.WatchOnly(Map.of()));
        Socket held = standIn.accepted.get(0);
        held.setSoTimeout(100);
        await("the watch closes its connection").atMost(Duration.ofSeconds(10)).until(() -> closedByPeer(held));
        standIn.close();
        gone.expectNoMessage(Duration.ofSeconds(3));
        testKit.stop(watch);
    }

    @Test
    void theProbeTellsARefusalFromAGreetingAndFromSilence() throws Exception {
        try (StandIn greeting = new StandIn("tessera-sentinel 1 " + ADDRESS + " 5\n")) {
            assertEquals(CrashWatch.Verdict.ALIVE,
                    CrashWatch.probe(new InetSocketAddress("127.0.0.1", greeting.server.getLocalPort())));
        }
        // accepted by the kernel, never by a process that writes: not taken for alive, nor for gone
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals(CrashWatch.Verdict.UNKNOWN,
                    CrashWatch.probe(new InetSocketAddress("127.0.0.1", silent.getLocalPort())));
        }
        int closedPort;
        try (ServerSocket once = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = once.getLocalPort();
        }
        assertEquals(CrashWatch.Verdict.REFUSED, CrashWatch.probe(new InetSocketAddress("127.0.0.1", closedPort)));
    }

    /** The check before downing a node its detector lost: only a greeting as that very incarnation is an answer. */
    @Test
    void aProcessAnswersOnlyAsItsOwnIncarnationAndInTime() throws Exception {
        Duration timeout = CrashWatch.ANSWER_TIMEOUT;
        try (StandIn alive = new StandIn("tessera-sentinel 1 " + ADDRESS + " 77\n")) {
            InetSocketAddress at = alive.address();
            assertTrue(CrashWatch.greetsAs(at, 77, timeout));
            assertFalse(CrashWatch.greetsAs(at, 78, timeout), "another incarnation on the same port");
        }
        try (StandIn full = new StandIn("busy\n")) {
            assertFalse(CrashWatch.greetsAs(full.address(), 77, timeout), "busy names no incarnation");
        }
        // a frozen process: its kernel accepts, nothing greets
        try (ServerSocket frozen = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertFalse(CrashWatch.greetsAs(InetSocketAddress.createUnresolved("127.0.0.1", frozen.getLocalPort()),
                    77, timeout));
        }
        int closedPort;
        try (ServerSocket once = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = once.getLocalPort();
        }
        assertFalse(CrashWatch.greetsAs(InetSocketAddress.createUnresolved("127.0.0.1", closedPort), 77, timeout));
    }

    @Test
    void theWatchAnswersACheckForAWatchedNodeAndRefusesOneItDoesNotWatch() throws Exception {
        TestProbe<CrashWatch.ProcessGone> gone = testKit.createTestProbe();
        TestProbe<CrashWatch.ProcessAnswer> answers = testKit.createTestProbe();
        try (StandIn standIn = new StandIn("tessera-sentinel 1 " + ADDRESS + " 9\n")) {
            ActorRef<CrashWatch.Command> watch = watching(standIn, gone);
            watch.tell(new CrashWatch.CheckProcess("media-1", 9, answers.getRef()));
            assertEquals(new CrashWatch.ProcessAnswer("media-1", 9, true),
                    answers.expectMessageClass(CrashWatch.ProcessAnswer.class, Duration.ofSeconds(10)));
            watch.tell(new CrashWatch.CheckProcess("media-2", 9, answers.getRef()));
            assertEquals(new CrashWatch.ProcessAnswer("media-2", 9, false),
                    answers.expectMessageClass(CrashWatch.ProcessAnswer.class, Duration.ofSeconds(10)));
            testKit.stop(watch);
        }
    }
}
