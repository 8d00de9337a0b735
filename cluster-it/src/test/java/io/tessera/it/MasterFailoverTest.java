package io.tessera.it;

import io.tessera.wire.sdp.PlainRtpAnswer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.client.JoinResult;
import io.tessera.client.JsonRpcException;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.ReconnectPolicy;
import io.tessera.client.SignallingClient;
import io.tessera.client.TesseraToken;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Masters failing under real clients (DESIGN.md section 6): kill -9 of a master with 24 participants and RTP
 * flowing, SIGSTOP of another (it must fence itself when it wakes), the last master serving alone, and a
 * resume after the grace window. Three masters and one media node; the tests run in order on one cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MasterFailoverTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    /** Short enough for the grace test, long enough for a resume on a loaded 2-core machine. */
    private static final Duration GRACE = Duration.ofSeconds(8);
    private static final String CLIENT_HOST = "127.0.0.1";
    /** The masters close sockets that send nothing for this long; SDK clients here ping every second. */
    private static final Duration SILENCE = Duration.ofSeconds(6);

    private static ClusterProcesses cluster;
    private static ClusterProcesses.Node m1;
    private static ClusterProcesses.Node m2;
    private static ClusterProcesses.Node m3;
    private static RtpReactor reactor;
    private static final Map<String, Object> report = new LinkedHashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterProcesses.start("MasterFailoverTest", 3, 1, Map.of(
                "TESSERA_GRACE_WINDOW", GRACE.toSeconds() + "s",
                "TESSERA_CLIENT_SILENCE_TIMEOUT", SILENCE.toSeconds() + "s"));
        cluster.awaitReady(STARTUP);
        m1 = cluster.masters().get(0);
        m2 = cluster.masters().get(1);
        m3 = cluster.masters().get(2);
        reactor = new RtpReactor("failover-rtp");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (reactor != null) {
            reactor.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        MeasuredResults.write("failover", report);
    }

    /** A participant whose SDK resumes by itself; records when (nanoTime) it resumed. */
    private static final class Client implements AutoCloseable {
        final String name;
        final Participant participant;
        volatile long resumedAtNanos;
        volatile String resumedOn;

        Client(String name, ClusterProcesses.Node via, List<ClusterProcesses.Node> others) throws Exception {
            this.name = name;
            SignallingClient client = SignallingClient.builder(via.webSocketUri())
                    .failoverUris(others.stream().map(ClusterProcesses.Node::webSocketUri).toList())
                    .reconnect(ReconnectPolicy.builder().initialBackoff(Duration.ofMillis(50))
                            .maxBackoff(Duration.ofSeconds(1)).maxTotalTime(Duration.ofSeconds(30))
                            .attemptTimeout(Duration.ofSeconds(2)).build())
                    .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3))
                    .onReconnected(info -> {
                        resumedAtNanos = System.nanoTime();
                        resumedOn = info.uri().toString();
                    })
                    .connect();
            this.participant = Participant.of(name, client);
        }

        SignallingClient sdk() {
            return participant.client;
        }

        @Override
        public void close() {
            participant.close();
        }
    }

    private record Room(String sessionId, List<Client> clients, SyntheticPublisher source, List<RtpReceiver> sinks)
            implements AutoCloseable {
        @Override
        public void close() {
            source.close();
            sinks.forEach(RtpReceiver::close);
            clients.forEach(Client::close);
        }
    }

    /** A session whose participants all join through {@code via}: the first publishes RTP, the others receive it. */
    private static Room room(String name, int size, ClusterProcesses.Node via, List<ClusterProcesses.Node> others,
                             int packets) throws Exception {
        String sid = name + "-" + RUN;
        MasterRestClient rest = cluster.rest(m1);
        TestSessions.createSession(rest, sid);
        List<Client> clients = new ArrayList<>();
        List<RtpReceiver> sinks = new ArrayList<>();
        InetAddress local = InetAddress.getByName(CLIENT_HOST);
        SyntheticPublisher source = SyntheticPublisher.builder(reactor).localAddress(local).packetsPerSecond(100)
                .packetSize(1000).packetLimit(packets).bind();
        for (int i = 0; i < size; i++) {
            Connection con = TestSessions.createConnection(rest, sid, name + "-" + i);
            TestSessions.awaitConnectionVisible(cluster.rest(via), sid, con.connectionId());
            Client client = new Client(name + "-" + i, via, others);
            clients.add(client);
            JoinResult joined = client.participant.join(con.token(), "{}");
            assertTrue(joined.raw().path("resumeSecret").asText().length() >= 32, joined.raw().toString());
        }
        PublishResult published = get(clients.get(0).sdk().publishVideo(PublishOptions.camera(source.sdpOffer())));
        for (Client subscriber : clients.subList(1, size)) {
            RtpReceiver sink = RtpReceiver.builder(reactor).localAddress(local).bind();
            sinks.add(sink);
            sink.remote(PlainRtpAnswer.parse(get(subscriber.sdk().receiveVideoFrom(published.streamId(),
                    sink.sdpOffer(96, "VP8")))));
        }
        source.start(PlainRtpAnswer.parse(published.sdpAnswer()));
        return new Room(sid, clients, source, sinks);
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Milliseconds from {@code fromNanos} to each client's resume, sorted. */
    private static List<Double> resumeMillis(List<Client> clients, long fromNanos) {
        return clients.stream().map(c -> (c.resumedAtNanos - fromNanos) / 1e6).sorted().toList();
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void assertEveryEventOnceInOrder(List<Client> clients) {
        assertAll(clients.stream().map(c -> () -> {
            assertEquals(c.participant.expectedSeqs(), c.participant.seqs(), c.participant::describeEvents);
            assertEquals(0, c.sdk().gapsDetected(), c.name + " saw a gap");
        }));
    }

    // ------------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void killingAMasterResumesEveryParticipantElsewhereWithoutLosingEventsOrMedia() throws Exception {
        List<Room> rooms = new ArrayList<>();
        Participant orphan = null;
        try {
            for (int r = 0; r < 4; r++) {
                rooms.add(room("kill-" + r, 6, m2, List.of(m1, m3), 1500));
            }
            List<Client> everyone = rooms.stream().flatMap(room -> room.clients().stream()).toList();
            List<RtpReceiver> sinks = rooms.stream().flatMap(room -> room.sinks().stream()).toList();
            await("media flows to all 20 subscribers").atMost(Duration.ofSeconds(20))
                    .until(() -> sinks.stream().allMatch(s -> s.stats().received() >= 100));

            // A participant on the master that dies, whose client never comes back: the media node hears nothing from
            // that master any more, only of its removal from the cluster, and must still let it go after the grace.
            Connection orphanCon = TestSessions.createConnection(cluster.rest(m1), rooms.get(0).sessionId(), "orphan");
            TestSessions.awaitConnectionVisible(cluster.rest(m2), rooms.get(0).sessionId(), orphanCon.connectionId());
            orphan = Participant.connect("orphan", m2.webSocketUri());
            String orphanId = orphan.join(orphanCon.token(), "{}").connectionId();
            // A participant on a surviving master, so that events happen while the others are cut off.
            Connection con = TestSessions.createConnection(cluster.rest(m1), rooms.get(0).sessionId(), "witness");
            Client witness = new Client("witness", m1, List.of(m3));
            witness.participant.join(con.token(), "{}");
            await().atMost(Participant.WAIT).until(() -> rooms.get(0).clients().stream().allMatch(c ->
                    c.participant.events().stream().anyMatch(e -> e.method().equals("participantJoined"))));

            long killedAt = System.nanoTime();
            cluster.kill(m2);
            get(witness.sdk().sendMessage(List.of(), "signal:during", "sent while master-2 was down"));

            await("all 24 participants resumed on another master").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20)).until(() -> everyone.stream().allMatch(c -> c.resumedAtNanos != 0));
            List<Double> millis = resumeMillis(everyone, killedAt);
            report.put("killResumeMillis", Map.of("n", millis.size(), "p50", percentile(millis, 50),
                    "p99", percentile(millis, 99), "max", millis.get(millis.size() - 1)));
            assertTrue(everyone.stream().noneMatch(c -> c.resumedOn.contains(m2.host())), "resumed on the dead master?");

            for (Client c : rooms.get(0).clients()) {
                c.participant.awaitEvent("sendMessage", e -> "signal:during".equals(e.param("type")),
                        "the message sent while its master was down");
            }
            for (Room room : rooms) {
                get(room.clients().get(1).sdk().sendMessage(List.of(), "signal:after", "after the failover"));
                for (Client c : room.clients()) {
                    c.participant.awaitEvent("sendMessage", e -> "signal:after".equals(e.param("type")), "after");
                }
            }
            assertEveryEventOnceInOrder(everyone);

            await("every RTP packet arrives").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> rooms.stream().allMatch(room -> room.source().finished()
                            && room.sinks().stream().allMatch(s -> s.stats().received() == room.source().sent())));
            long lost = sinks.stream().mapToLong(s -> s.stats().lost()).sum();
            report.put("killRtpLost", lost);
            assertEquals(0, lost, "media never went through the master");

            await("the orphan leaves once its dead master is removed and the grace window passed")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> witness.participant.events().stream().anyMatch(e -> e.method().equals("participantLeft")
                            && orphanId.equals(e.param("connectionId"))));
            assertEquals("networkDisconnect", witness.participant.events().stream()
                    .filter(e -> e.method().equals("participantLeft") && orphanId.equals(e.param("connectionId")))
                    .findFirst().orElseThrow().param("reason"));
            witness.close();
        } finally {
            if (orphan != null) {
                orphan.close();
            }
            rooms.forEach(Room::close);
        }
    }

    @Test
    @Order(2)
    void aFrozenMastersClientsResumeElsewhereAndItFencesItselfWhenItWakes() throws Exception {
        try (Room room = room("freeze", 6, m3, List.of(m1), 3000)) {
            await("media flows").atMost(Duration.ofSeconds(20))
                    .until(() -> room.sinks().stream().allMatch(s -> s.stats().received() >= 100));
            long frozenAt = System.nanoTime();
            cluster.freeze(m3);
            try {
                await("all 6 participants resumed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> room.clients().stream().allMatch(c -> c.resumedAtNanos != 0));
                List<Double> millis = resumeMillis(room.clients(), frozenAt);
                report.put("freezeResumeMillis", Map.of("n", millis.size(), "p50", percentile(millis, 50),
                        "p99", percentile(millis, 99), "max", millis.get(millis.size() - 1)));
                // Keep it frozen until the others have downed it (failure detector + split brain resolver).
                await("master-3 is removed from the cluster").atMost(Duration.ofSeconds(40))
                        .pollInterval(Duration.ofMillis(500)).until(() -> !clusterView().contains(m3.id()));
            } finally {
                cluster.thaw(m3);
            }
            await("master-3 fences itself: it exits instead of serving").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> !cluster.isAlive(m3));

            get(room.clients().get(2).sdk().sendMessage(List.of(), "signal:after", "after the freeze"));
            for (Client c : room.clients()) {
                c.participant.awaitEvent("sendMessage", e -> "signal:after".equals(e.param("type")), "after");
            }
            assertEveryEventOnceInOrder(room.clients());
            await("every RTP packet arrives").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                    .until(() -> room.source().finished()
                            && room.sinks().stream().allMatch(s -> s.stats().received() == room.source().sent()));
            long lost = room.sinks().stream().mapToLong(s -> s.stats().lost()).sum();
            report.put("freezeRtpLost", lost);
            assertEquals(0, lost);
        }
    }

    @Test
    @Order(3)
    void theLastMasterStandingKeepsServing() throws Exception {
        assertFalse(cluster.isAlive(m2));
        assertFalse(cluster.isAlive(m3));
        String sid = "alone-" + RUN;
        TestSessions.createSession(cluster.rest(m1), sid);
        Connection a = TestSessions.createConnection(cluster.rest(m1), sid, "a");
        Connection b = TestSessions.createConnection(cluster.rest(m1), sid, "b");
        try (Participant pa = Participant.connect("a", m1.webSocketUri());
             Participant pb = Participant.connect("b", m1.webSocketUri())) {
            pa.join(a.token(), "{}");
            pb.join(b.token(), "{}");
            get(pb.client.sendMessage(List.of(), "signal:alone", "one master is enough"));
            pa.awaitEvent("sendMessage", e -> "signal:alone".equals(e.param("type")), "the message");
        }
    }

    @Test
    @Order(4)
    void aResumeAfterTheGraceWindowIsRefusedAndTheParticipantWasAnnouncedAsLeft() throws Exception {
        String sid = "grace-" + RUN;
        TestSessions.createSession(cluster.rest(m1), sid);
        Connection a = TestSessions.createConnection(cluster.rest(m1), sid, "a");
        Connection b = TestSessions.createConnection(cluster.rest(m1), sid, "b");
        try (Participant pa = Participant.connect("a", m1.webSocketUri());
             Participant pb = Participant.of("b", SignallingClient.builder(m1.webSocketUri())
                     .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3)).connect())) {
            JoinResult joined = pa.join(a.token(), "{}");
            pb.join(b.token(), "{}");
            String secret = joined.raw().path("resumeSecret").asText();
            pa.client.close(); // no reconnect configured: the participant is detached
            pb.awaitEvent("participantLeft", e -> joined.connectionId().equals(e.param("connectionId")),
                    "a left after the grace window");
            assertEquals("networkDisconnect", pb.events().stream()
                    .filter(e -> e.method().equals("participantLeft")).findFirst().orElseThrow().param("reason"));
            try (SignallingClient late = SignallingClient.connect(m1.webSocketUri())) {
                var params = new ObjectMapper().createObjectNode().put("sessionId", sid)
                        .put("connectionId", joined.connectionId()).put("resumeSecret", secret).put("lastSeq", 1);
                ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> get(late.request("connect", params)));
                JsonRpcException error = assertInstanceOf(JsonRpcException.class, refused.getCause());
                assertEquals(404, error.code(), error.getMessage());
                assertTrue(error.getMessage().contains("grace window"), error.getMessage());
            }
        }
    }

    @Test
    @Order(5)
    void aSilentClientIsCutOffAndItsParticipantDetached() throws Exception {
        String sid = "silent-" + RUN;
        TestSessions.createSession(cluster.rest(m1), sid);
        Connection a = TestSessions.createConnection(cluster.rest(m1), sid, "a");
        Connection b = TestSessions.createConnection(cluster.rest(m1), sid, "b");
        try (RawSocket silent = RawSocket.open(m1.webSocketUri());
             Participant watcher = Participant.of("watcher", SignallingClient.builder(m1.webSocketUri())
                     .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3)).connect())) {
            watcher.join(b.token(), "{}");
            silent.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"joinRoom\",\"params\":{\"token\":\""
                    + a.token() + "\",\"session\":\"" + sid + "\"}}");
            assertTrue(silent.nextJson(Participant.WAIT).has("result"));
            // It says nothing more, like a frozen client whose TCP connection stays open.
            await("the master closes the silent socket").atMost(SILENCE.multipliedBy(3))
                    .pollInterval(Duration.ofMillis(200)).until(() -> !silent.isOpen());
            watcher.awaitEvent("participantLeft", e -> "networkDisconnect".equals(e.param("reason")),
                    "the silent participant leaves after the grace window");
        }
    }

    @Test
    @Order(6)
    void aFrozenMediaNodeThatWasDownedFencesItselfToo() {
        ClusterProcesses.Node media = cluster.mediaNodes().get(0);
        cluster.freeze(media);
        try {
            await("the media node is removed from the cluster").atMost(Duration.ofSeconds(40))
                    .pollInterval(Duration.ofMillis(500)).until(() -> !clusterView().contains(media.id()));
        } finally {
            cluster.thaw(media);
        }
        // Its sessions were placed nowhere else yet (that is the media node failure work); it must not serve them
        // as a zombie either.
        await("the media node exits instead of forwarding").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> !cluster.isAlive(media));
    }

    private static String clusterView() throws Exception {
        return cluster.rest(m1).send("GET", "/openvidu/api/cluster").text();
    }
}
