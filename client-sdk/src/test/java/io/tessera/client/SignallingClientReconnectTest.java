package io.tessera.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Resume after a lost or frozen master, against scripted in-test masters on loopback. */
class SignallingClientReconnectTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String TOKEN = "ws://h:1?sessionId=s1&token=tok_a";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private SignallingClient client;
    private final List<Long> delivered = new CopyOnWriteArrayList<>();
    private final List<String> callbacks = new CopyOnWriteArrayList<>();
    private final List<SignallingListener.Reconnecting> attempts = new CopyOnWriteArrayList<>();
    private final CompletableFuture<SignallingListener.Reconnected> reconnected = new CompletableFuture<>();
    private final CompletableFuture<SignallingListener.Disconnected> disconnected = new CompletableFuture<>();
    private final CompletableFuture<SignallingListener.CloseInfo> closed = new CompletableFuture<>();

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private MiniWebSocketServer master() throws IOException {
        MiniWebSocketServer s = new MiniWebSocketServer();
        resources.add(s);
        return s;
    }

    /** A port nothing listens on: connections are refused at once, as to a dead host's closed port. */
    private static URI deadUri() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("ws://127.0.0.1:" + s.getLocalPort() + "/openvidu");
        }
    }

    private static ReconnectPolicy fastPolicy() {
        return ReconnectPolicy.builder().initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(100))
                .maxTotalTime(Duration.ofSeconds(5)).attemptTimeout(Duration.ofSeconds(1)).build();
    }

    private SignallingClientBuilder builder(MiniWebSocketServer first, List<URI> failover, ReconnectPolicy policy) {
        return SignallingClient.builder(first.uri())
                .failoverUris(failover)
                .reconnect(policy)
                .onEvent(e -> delivered.add(e.seq()))
                .onReconnecting(r -> {
                    attempts.add(r);
                    callbacks.add("reconnecting " + r.attempt());
                })
                .onReconnected(r -> {
                    callbacks.add("reconnected");
                    reconnected.complete(r);
                })
                .onDisconnected(d -> {
                    callbacks.add("disconnected " + d.reason());
                    disconnected.complete(d);
                })
                .onClose(c -> {
                    callbacks.add("closed");
                    closed.complete(c);
                });
    }

    /** Connects to {@code master}, joins session s1 as con_me with resume secret sec-1, and gets events 1..n. */
    private void joinWithEvents(MiniWebSocketServer master, SignallingClientBuilder b, int events) throws Exception {
        client = b.connect();
        master.awaitConnected();
        CompletableFuture<JoinResult> join = client.joinRoom(TOKEN, "");
        reply(master, expect(master, "joinRoom"), "{\"id\":\"con_me\",\"sessionId\":\"s1\",\"value\":[],"
                + "\"mediaNodeId\":\"media-1\",\"resumeSecret\":\"sec-1\",\"seq\":0}");
        get(join);
        assertEquals(ConnectionState.JOINED, client.state());
        for (int seq = 1; seq <= events; seq++) {
            master.sendEvent("sendMessage", seq);
        }
        await().atMost(WAIT).until(() -> client.lastSeq() == events);
    }

    /** The next request of {@code method}, skipping keepalive pings. */
    private static JsonNode expect(MiniWebSocketServer master, String method) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = master.nextReceived(Duration.ofNanos(deadline - System.nanoTime()));
            assertNotNull(text, "no " + method + " request");
            JsonNode req = JsonRpcCodec.MAPPER.readTree(text);
            if (method.equals(req.path("method").asText())) {
                return req;
            }
        }
        throw new AssertionError("no " + method + " request within " + WAIT);
    }

    private static void reply(MiniWebSocketServer master, JsonNode req, String resultJson) throws IOException {
        master.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"result\":" + resultJson + "}");
    }

    private static void replyError(MiniWebSocketServer master, JsonNode req, int code) throws IOException {
        master.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + req.get("id") + ",\"error\":{\"code\":" + code
                + ",\"message\":\"scripted " + code + "\"}}");
    }

    private static String resumed(String secret, long seq) {
        return "{\"id\":\"con_me\",\"sessionId\":\"s1\",\"value\":[{\"id\":\"con_x\",\"createdAt\":1,\"streams\":[]}],"
                + "\"mediaNodeId\":\"media-1\",\"resumeSecret\":\"" + secret + "\",\"seq\":" + seq
                + ",\"resumed\":true}";
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).getCause();
    }

    private static List<Long> seqs(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void droppedSocketResumesOnTheNextMasterAndEventsContinue() throws Exception {
        MiniWebSocketServer m1 = master();
        MiniWebSocketServer m2 = master();
        joinWithEvents(m1, builder(m1, List.of(m2.uri()), fastPolicy()), 2);
        CompletableFuture<JsonNode> inFlight = client.sendMessage(List.of(), "signal:chat", "hi");
        expect(m1, "sendMessage");

        m1.dropAbruptly();

        Throwable lost = failureOf(inFlight);
        assertInstanceOf(IOException.class, lost);
        assertTrue(lost.getMessage().contains("lost"), lost.getMessage());
        JsonNode connect = expect(m2, "connect");
        assertEquals("s1", connect.at("/params/sessionId").asText());
        assertEquals("con_me", connect.at("/params/connectionId").asText());
        assertEquals("sec-1", connect.at("/params/resumeSecret").asText());
        assertEquals(2, connect.at("/params/lastSeq").asLong());
        assertEquals(ConnectionState.RECONNECTING, client.state());
        Throwable meanwhile = failureOf(client.ping());
        assertTrue(meanwhile.getMessage().contains("reconnecting"), meanwhile.getMessage());

        reply(m2, connect, resumed("sec-2", 2));
        SignallingListener.Reconnected info = get(reconnected);
        assertEquals(m2.uri(), info.uri());
        assertEquals(1, info.attempts());
        assertEquals(0, info.replayedEvents());
        assertEquals(List.of("con_x"), info.result().participants().stream().map(RemoteParticipant::connectionId).toList());
        assertEquals(List.of("reconnecting 1", "reconnected"), callbacks);
        assertEquals(m2.uri(), attempts.get(0).uri(), "round robin starts after the lost master");
        assertEquals(ConnectionState.JOINED, client.state());
        assertEquals(1, client.resumeCount());
        assertEquals("sec-2", client.resumeSecret(), "the latest secret is kept");
        assertTrue(client.lastReconnectDuration().isPresent());
        assertEquals(m2.uri(), client.currentUri().orElseThrow());

        m2.sendEvent("participantJoined", 3);
        await().atMost(WAIT).until(() -> delivered.equals(seqs(1, 3)));
        CompletableFuture<JsonNode> ping = client.ping();
        reply(m2, expect(m2, "ping"), "{\"value\":\"pong\"}");
        assertEquals("pong", get(ping).get("value").asText());
    }

    @Test
    void replayBeforeTheConnectAnswerIsDeliveredOnceAndInOrder() throws Exception {
        MiniWebSocketServer m1 = master();
        MiniWebSocketServer m2 = master();
        joinWithEvents(m1, builder(m1, List.of(m2.uri()), fastPolicy()), 3);
        m1.dropAbruptly();

        JsonNode connect = expect(m2, "connect");
        assertEquals(3, connect.at("/params/lastSeq").asLong());
        // The new master forwards the replay as soon as the media node re-attaches, before its answer.
        for (long seq : new long[] {2, 3, 4, 5}) {
            m2.sendEvent("sendMessage", seq);
        }
        reply(m2, connect, resumed("sec-2", 5));
        m2.sendEvent("sendMessage", 5);
        m2.sendEvent("sendMessage", 6);

        assertEquals(2, get(reconnected).replayedEvents());
        await().atMost(WAIT).until(() -> delivered.size() >= 6);
        assertEquals(seqs(1, 6), delivered);
        assertEquals(3, client.duplicatesDropped());
        assertEquals(0, client.gapsDetected());

        m2.sendEvent("sendMessage", 8);
        await().atMost(WAIT).until(() -> client.lastSeq() == 8);
        assertEquals(1, client.gapsDetected(), "a jump is delivered but counted");
        List<ServerEvent> queued = new ArrayList<>();
        client.events().drainTo(queued);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 8L), queued.stream().map(ServerEvent::seq).toList());
    }

    @Test
    void frozenMasterIsDroppedByTheKeepaliveAndResumedElsewhere() throws Exception {
        MiniWebSocketServer m1 = master();
        MiniWebSocketServer m2 = master();
        joinWithEvents(m1, builder(m1, List.of(m2.uri()), fastPolicy())
                .keepalive(Duration.ofMillis(100), Duration.ofMillis(600)), 1);

        // m1 now answers nothing and keeps TCP open, as a master under SIGSTOP.
        assertNotNull(expect(m1, "ping"), "the keepalive pings");
        JsonNode connect = expect(m2, "connect");
        assertEquals(1, connect.at("/params/lastSeq").asLong());
        reply(m2, connect, resumed("sec-2", 1));

        assertEquals(m2.uri(), get(reconnected).uri());
        assertTrue(attempts.get(0).cause().getMessage().contains("keepalive"), attempts.get(0).cause().getMessage());
        assertEquals(1, client.resumeCount());
        m1.awaitDisconnected();
    }

    @Test
    void masterThatAcceptsTcpButNeverAnswersCostsOneAttemptTimeout() throws Exception {
        MiniWebSocketServer m1 = master();
        // Listening but never accepting: the kernel completes TCP, nobody answers the upgrade (a frozen process).
        ServerSocket frozen = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        resources.add(frozen);
        URI frozenUri = URI.create("ws://127.0.0.1:" + frozen.getLocalPort() + "/openvidu");
        MiniWebSocketServer m3 = master();
        ReconnectPolicy policy = ReconnectPolicy.builder().initialBackoff(Duration.ofMillis(20))
                .attemptTimeout(Duration.ofMillis(300)).maxTotalTime(Duration.ofSeconds(5)).build();
        joinWithEvents(m1, builder(m1, List.of(frozenUri, m3.uri()), policy), 0);

        m1.dropAbruptly();
        reply(m3, expect(m3, "connect"), resumed("sec-2", 0));

        SignallingListener.Reconnected info = get(reconnected);
        assertEquals(m3.uri(), info.uri());
        assertEquals(2, info.attempts());
        assertEquals(frozenUri, attempts.get(0).uri());
    }

    @ParameterizedTest
    @CsvSource({"401, RESUME_REJECTED", "404, PARTICIPANT_GONE", "409, EVENTS_LOST"})
    void terminalConnectErrorsCloseTheClientWithoutFurtherAttempts(int code, SignallingListener.DisconnectReason reason)
            throws Exception {
        MiniWebSocketServer m1 = master();
        MiniWebSocketServer m2 = master();
        MiniWebSocketServer m3 = master();
        joinWithEvents(m1, builder(m1, List.of(m2.uri(), m3.uri()), fastPolicy()), 1);
        m1.dropAbruptly();

        replyError(m2, expect(m2, "connect"), code);

        SignallingListener.Disconnected d = get(disconnected);
        assertEquals(reason, d.reason());
        assertEquals(1, d.attempts());
        assertEquals(code, assertInstanceOf(JsonRpcException.class, d.cause()).code());
        assertEquals(-1, get(closed).statusCode());
        assertEquals(List.of("reconnecting 1", "disconnected " + reason, "closed"), callbacks);
        assertEquals(ConnectionState.CLOSED, client.state());
        assertFalse(client.isOpen());
        m2.awaitDisconnected();
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !m3.wasConnected() && attempts.size() == 1);
    }

    @Test
    void unavailableMediaNodeIsRetriedOnTheNextMaster() throws Exception {
        MiniWebSocketServer m1 = master();
        MiniWebSocketServer m2 = master();
        MiniWebSocketServer m3 = master();
        joinWithEvents(m1, builder(m1, List.of(m2.uri(), m3.uri()), fastPolicy()), 1);
        m1.dropAbruptly();

        replyError(m2, expect(m2, "connect"), 503);
        reply(m3, expect(m3, "connect"), resumed("sec-3", 1));

        SignallingListener.Reconnected info = get(reconnected);
        assertEquals(m3.uri(), info.uri());
        assertEquals(2, info.attempts());
        assertEquals(503, assertInstanceOf(JsonRpcException.class, attempts.get(1).cause()).code());
        assertEquals(List.of("reconnecting 1", "reconnecting 2", "reconnected"), callbacks);
        m2.awaitDisconnected();
        assertEquals("sec-3", client.resumeSecret());
    }

    @Test
    void givesUpAfterTheTotalTimeWithAGrowingCappedBackoff() throws Exception {
        MiniWebSocketServer m1 = master();
        URI dead1 = deadUri();
        URI dead2 = deadUri();
        ReconnectPolicy policy = ReconnectPolicy.builder().initialBackoff(Duration.ofMillis(10)).multiplier(2)
                .maxBackoff(Duration.ofMillis(40)).maxTotalTime(Duration.ofMillis(600))
                .attemptTimeout(Duration.ofMillis(200)).build();
        // Jitter pinned to its top: each delay is exactly the ceiling.
        joinWithEvents(m1, builder(m1, List.of(dead1, dead2), policy).jitter(() -> 1.0), 0);

        m1.close(); // the master is gone for good: every URI now refuses

        SignallingListener.Disconnected d = get(disconnected);
        assertEquals(SignallingListener.DisconnectReason.GAVE_UP, d.reason());
        List<Long> delays = attempts.stream().map(a -> a.delay().toMillis()).toList();
        assertEquals(List.of(10L, 20L, 40L, 40L), delays.subList(0, 4), "grows then is capped: " + delays);
        assertTrue(delays.stream().allMatch(ms -> ms <= 40), delays.toString());
        // Each attempt started before the deadline and the delays alone add up: 10 + 20 + 40 * 14 < 600.
        assertTrue(d.attempts() <= 16, "attempts " + d.attempts());
        assertEquals(attempts.size(), d.attempts());
        assertTrue(d.elapsed().toMillis() >= 600 - 40, "gave up only when the next delay would pass the total: "
                + d.elapsed());
        assertEquals(List.of(dead1, dead2, m1.uri()), attempts.subList(0, 3).stream()
                .map(SignallingListener.Reconnecting::uri).toList(), "round robin");
        assertEquals(ConnectionState.CLOSED, client.state());
        int made = attempts.size();
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> attempts.size() == made);
    }

    @Test
    void closeDuringAResumeAttemptStopsIt() throws Exception {
        MiniWebSocketServer m1 = master();
        MiniWebSocketServer m2 = master();
        joinWithEvents(m1, builder(m1, List.of(m2.uri()), fastPolicy()), 1);
        m1.dropAbruptly();
        JsonNode connect = expect(m2, "connect");

        client.close();

        assertEquals(1000, get(closed).statusCode());
        m2.awaitDisconnected();
        assertEquals(ConnectionState.CLOSED, client.state());
        assertFalse(disconnected.isDone(), "closing is not a failure");
        try {
            reply(m2, connect, resumed("sec-2", 1)); // too late: the socket is gone
        } catch (IOException expected) {
            // the fake may notice the closed socket
        }
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> attempts.size() == 1 && !reconnected.isDone());
    }

    @Test
    void closeDuringTheBackoffStopsFurtherAttempts() throws Exception {
        MiniWebSocketServer m1 = master();
        MiniWebSocketServer m2 = master();
        // The first attempt waits 500 ms: long enough for the test to close before it, on a loaded machine too.
        ReconnectPolicy policy = ReconnectPolicy.builder().initialBackoff(Duration.ofMillis(500))
                .maxBackoff(Duration.ofMillis(500)).build();
        joinWithEvents(m1, builder(m1, List.of(m2.uri()), policy).jitter(() -> 1.0), 0);
        m1.dropAbruptly();
        await().atMost(WAIT).until(() -> attempts.size() == 1);

        client.close();

        assertEquals(ConnectionState.CLOSED, client.state());
        assertEquals(List.of("reconnecting 1", "closed"), callbacks);
        await().during(Duration.ofMillis(800)).atMost(WAIT).until(() -> !m2.wasConnected() && attempts.size() == 1);
    }

    @Test
    void clientThatNeverJoinedDoesNotResume() throws Exception {
        MiniWebSocketServer m1 = master();
        MiniWebSocketServer m2 = master();
        client = builder(m1, List.of(m2.uri()), fastPolicy()).connect();
        m1.awaitConnected();
        assertEquals(ConnectionState.OPEN, client.state());

        m1.dropAbruptly();

        get(closed);
        assertEquals(List.of("closed"), callbacks);
        assertEquals(ConnectionState.CLOSED, client.state());
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !m2.wasConnected());
    }

    @Test
    void leavingTheRoomTurnsResumeOff() throws Exception {
        MiniWebSocketServer m1 = master();
        MiniWebSocketServer m2 = master();
        joinWithEvents(m1, builder(m1, List.of(m2.uri()), fastPolicy()), 0);
        CompletableFuture<JsonNode> leave = client.leaveRoom();
        reply(m1, expect(m1, "leaveRoom"), "{}");
        get(leave);
        assertEquals(ConnectionState.OPEN, client.state());

        m1.dropAbruptly();

        get(closed);
        assertEquals(List.of("closed"), callbacks);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !m2.wasConnected());
    }

    @Test
    void builderRejectsIncompleteFailoverSettings() throws Exception {
        MiniWebSocketServer m1 = master();
        SignallingClientBuilder noPolicy = SignallingClient.builder(m1.uri()).failoverUris(List.of(deadUri()));
        assertThrows(IllegalStateException.class, noPolicy::connect);
        assertThrows(IllegalArgumentException.class, () -> SignallingClient.builder(m1.uri())
                .keepalive(Duration.ofSeconds(3), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> SignallingClient.builder(m1.uri())
                .failoverUris(List.of(URI.create("http://h:1/openvidu"))));
    }
}
