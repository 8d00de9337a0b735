package io.tessera.master.signalling;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.master.fencing.ServingGate;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.placement.PlacementMeters;
import io.tessera.master.placement.PlacementPolicy;
import io.tessera.master.placement.TestMediaNodes;
import io.tessera.master.routing.InMemoryRoutes;
import io.tessera.master.session.SessionService;
import io.tessera.master.session.Tokens;
import io.tessera.wire.jsonrpc.JsonRpc;
import io.tessera.wire.jsonrpc.OpenViduResult;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The WebSocket endpoint bound on a loopback port, spoken to over real sockets (the JDK's client): the socket's
 * outbound stream, attached to the connection's {@link Outbox} when Pekko HTTP materializes the socket's flow, carries
 * answers and the master's own messages, and closing sockets costs no thread of its own.
 */
class SignallingRouteTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    /** A fixed executor: the client's own threads are started once, not counted against the master's. */
    private static final ExecutorService clientThreads = Executors.newFixedThreadPool(2);
    private static final HttpClient http = HttpClient.newBuilder().executor(clientThreads).build();
    private static SignallingRoute route;
    private static ServerBinding binding;

    @BeforeAll
    static void bind() throws Exception {
        TestProbe<RelocationRelay.Command> relay = testKit.createTestProbe();
        SessionService sessions = new SessionService(testKit.system(), new InMemoryRoutes(), new TestMediaNodes().view(),
                new PlacementPolicy(3000), new Tokens("ws://127.0.0.1:4443"), Duration.ofMinutes(5),
                new MediaNodeClient(testKit.system(), Duration.ofMillis(500)),
                new PlacementMeters(new SimpleMeterRegistry()));
        route = new SignallingRoute(testKit.system(), sessions, new SignallingRoute.Limits(1000, 64 * 1024, 50, 64,
                1 << 20), new SignallingSettings(100, 64 * 1024, Duration.ofMinutes(1), 50,
                OpenViduResult.IceServer.parseList(OpenViduResult.IceServer.LOOPBACK_DEFAULT),
                SignallingSettings.RECONNECT_HOLD), relay.getRef(),
                new SignallingMeters(new SimpleMeterRegistry()), ServingGate.open());
        binding = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(route.route())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void shutdown() {
        binding.unbind();
        testKit.shutdownTestKit();
        clientThreads.shutdownNow();
    }

    /** A client socket and the texts it received, in order; "closed" once the server closed it. */
    private static final class Client implements WebSocket.Listener {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final WebSocket socket;
        private final StringBuilder partial = new StringBuilder();

        Client() throws Exception {
            socket = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + binding.localAddress().getPort() + "/openvidu"), this)
                    .get(10, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            received.add("closed");
            return null;
        }

        String next() throws InterruptedException {
            String text = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(text, "nothing came from the master within 10 s");
            return text;
        }

        void ping(int id) throws Exception {
            socket.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\",\"params\":{}}", true)
                    .get(5, TimeUnit.SECONDS);
            assertEquals(id, JsonRpc.MAPPER.readTree(next()).get("id").asInt());
        }
    }

    @Test
    void answersGoOutThroughTheSocketsOwnStream() throws Exception {
        Client client = new Client();
        for (int id = 1; id <= 5; id++) {
            client.ping(id);
        }
        client.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> route.openConnections() == 0);
    }

    @Test
    void aMasterThatLeavesTellsItsClientsAndClosesTheirSockets() throws Exception {
        Client client = new Client();
        client.ping(1);
        assertEquals(1, route.tellClientsToMove(ClientConnection.MasterLeaving.SHUTDOWN));
        assertEquals("masterLeaving", JsonRpc.MAPPER.readTree(client.next()).get("method").asText());
        assertEquals("closed", client.next());
        await().atMost(Duration.ofSeconds(10)).until(() -> route.openConnections() == 0);
    }

    /**
     * A shutting-down master goes on towards exiting only once its clients' sockets closed after the notice, so the
     * process cannot be gone before the notice was written.
     */
    @Test
    void movingClientsCompletesWhenTheirSocketsClosedAfterTheNotice() throws Exception {
        Client client = new Client();
        client.ping(1);
        SignallingRoute.Moved moved = route.moveClients(ClientConnection.MasterLeaving.SHUTDOWN, Duration.ofSeconds(30))
                .toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals(new SignallingRoute.Moved(1, 1), moved);
        assertEquals("masterLeaving", JsonRpc.MAPPER.readTree(client.next()).get("method").asText());
        assertEquals(0, route.openConnections());
    }

    /**
     * Pekko's {@code watchTermination} answers with Scala's CompletionStage: a plain callback on it runs on the JDK's
     * default executor, which on a machine with two cores (common pool parallelism 1) starts a thread per call. The
     * route's callback runs on the dispatcher: sockets opened and closed start no thread through that executor from
     * Pekko's side (JFR's thread starts are watched; the JDK's WebSocket client starts such threads of its own, which
     * are not counted). Only a machine with at most two cores could show the old cost here.
     */
    @Test
    void closingSocketsStartsNoThreadPerSocket() throws Exception {
        AtomicInteger fromPekko = new AtomicInteger();
        AtomicInteger seen = new AtomicInteger();
        try (RecordingStream threads = new RecordingStream()) {
            threads.enable("jdk.ThreadStart").withStackTrace();
            threads.onEvent("jdk.ThreadStart", start -> {
                seen.incrementAndGet();
                RecordedStackTrace stack = start.getStackTrace();
                if (stack != null && hasFrameOf(stack, "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor")
                        && hasFrameOf(stack, "org.apache.pekko.stream")) {
                    fromPekko.incrementAndGet();
                }
            });
            threads.startAsync();
            int sockets = 20;
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                Client client = new Client();
                client.ping(1);
                clients.add(client);
            }
            List<CompletableFuture<WebSocket>> closes = new ArrayList<>();
            clients.forEach(c -> closes.add(c.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done")));
            CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> route.openConnections() == 0);
            // the client's own thread starts show that JFR's events arrive; the server's came before them
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.get() >= sockets);
        }
        assertEquals(0, fromPekko.get(), "threads started from Pekko's stream callbacks for 20 closed sockets");
    }

    private static boolean hasFrameOf(RecordedStackTrace stack, String typePrefix) {
        return stack.getFrames().stream().anyMatch(f -> f.getMethod().getType().getName().startsWith(typePrefix));
    }
}
