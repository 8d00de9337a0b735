package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.client.JoinResult;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.ReconnectPolicy;
import io.tessera.client.SignallingClient;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.SessionProperties;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import io.tessera.wire.sdp.PlainRtpAnswer;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The test kit of the tests that take every master away (issue 16): sessions with SDK clients that resume by
 * themselves through any master, for as long as the masters may be away, and synthetic RTP flowing from one
 * participant of each session to the others. It owns the RTP reactor its media runs on, and {@link #close()} closes it:
 * the classes that use it close it before their cluster, with {@link #closeAll}.
 */
final class MasterlessRooms implements AutoCloseable {
    /** How long clients keep trying to resume, and how long a test waits for the cluster to come back. */
    static final Duration BACK = Duration.ofSeconds(120);

    private final ClusterProcesses cluster;
    private final RtpReactor reactor;
    /** Masters that do not run yet but will (replacements at new addresses): clients may resume through them too. */
    private final List<ClusterProcesses.Node> futureMasters;

    /** Rooms on {@code cluster}, with an RTP reactor of their own named after the cluster's test. */
    MasterlessRooms(ClusterProcesses cluster, String reactorName, List<ClusterProcesses.Node> futureMasters)
            throws Exception {
        this.cluster = cluster;
        this.futureMasters = List.copyOf(futureMasters);
        this.reactor = new RtpReactor(reactorName);
    }

    @Override
    public void close() {
        reactor.close();
    }

    /** A class's {@code @AfterAll}: the rooms' reactor, then the cluster; either may be null (a failed start). */
    static void closeAll(MasterlessRooms rooms, ClusterProcesses cluster) {
        try (ClusterProcesses closedSecond = cluster; MasterlessRooms closedFirst = rooms) {
            // try-with-resources: closes both in reverse order, skips a null one, keeps the first failure
        }
    }

    /** An SDK client that resumes by itself through any master it knows of. */
    final class Client {
        final Participant participant;
        volatile long resumedAtNanos;
        /** Where its resuming stands, for a failure's message: the last attempt, resume or disconnection. */
        volatile String resumeState = "joined";
        String connectionId;

        Client(String name, ClusterProcesses.Node via) throws Exception {
            List<URI> others = java.util.stream.Stream.concat(cluster.masters().stream(), futureMasters.stream())
                    .filter(m -> m != via).map(ClusterProcesses.Node::webSocketUri).toList();
            SignallingClient sdk = SignallingClient.builder(via.webSocketUri())
                    .failoverUris(others)
                    .reconnect(ReconnectPolicy.builder().initialBackoff(Duration.ofMillis(100))
                            .maxBackoff(Duration.ofSeconds(1)).maxTotalTime(BACK)
                            .attemptTimeout(Duration.ofSeconds(2)).build())
                    .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3))
                    .onReconnecting(a -> resumeState = "resuming, attempt " + a.attempt() + " via " + a.uri()
                            + " after " + a.cause())
                    .onReconnected(info -> {
                        resumedAtNanos = System.nanoTime();
                        resumeState = "resumed via " + info.uri() + " after " + info.attempts() + " attempt(s)";
                    })
                    .onDisconnected(d -> resumeState = "gave up: " + d.reason() + " " + d.detail())
                    .connect();
            this.participant = Participant.of(name, sdk);
        }

        JoinResult join(String token) throws Exception {
            JoinResult joined = participant.join(token, "{\"name\":\"" + participant.name + "\"}");
            connectionId = joined.connectionId();
            return joined;
        }
    }

    record Room(String sessionId, String mediaNodeId, List<Client> clients, SyntheticPublisher source,
                List<RtpReceiver> sinks) {
    }

    /**
     * A protected session on {@code mediaNodeId} with {@code participants} clients joined through the masters in
     * turn; the first publishes 100 packets/s, the others subscribe.
     */
    Room room(String sessionId, String mediaNodeId, int participants) throws Exception {
        var rest = cluster.rest(cluster.masters().get(0));
        rest.createSession(SessionProperties.withId(sessionId).priority("protected").mediaNodeId(mediaNodeId));
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < participants; i++) {
            ClusterProcesses.Node via = cluster.masters().get(i % cluster.masters().size());
            Connection con = TestSessions.createConnection(rest, sessionId, "p" + i);
            TestSessions.awaitConnectionVisible(cluster.rest(via), sessionId, con.connectionId());
            Client c = new Client(sessionId + "-p" + i, via);
            c.join(con.token());
            clients.add(c);
        }
        InetAddress local = InetAddress.getByName("127.0.0.1");
        SyntheticPublisher source = SyntheticPublisher.builder(reactor).localAddress(local).packetsPerSecond(100)
                .packetSize(600).bind();
        PublishResult published = get(clients.get(0).participant.client.publishVideo(
                PublishOptions.camera(source.sdpOffer())));
        List<RtpReceiver> sinks = new ArrayList<>();
        for (Client subscriber : clients.subList(1, clients.size())) {
            RtpReceiver sink = RtpReceiver.builder(reactor).localAddress(local).bind();
            sink.remote(PlainRtpAnswer.parse(get(subscriber.participant.client.receiveVideoFrom(published.streamId(),
                    sink.sdpOffer(96, "VP8")))));
            sinks.add(sink);
        }
        source.start(PlainRtpAnswer.parse(published.sdpAnswer()));
        return new Room(sessionId, mediaNodeId, clients, source, sinks);
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The session and the ids of its active connections, as {@code master} lists them (empty if it cannot). */
    Optional<Set<String>> listedConnections(ClusterProcesses.Node master, String sessionId) {
        try {
            return cluster.rest(master).sessions().stream().filter(s -> s.sessionId().equals(sessionId)).findFirst()
                    .map(s -> s.connections().stream().filter(c -> "active".equals(c.status()))
                            .map(Connection::connectionId).collect(Collectors.toSet()));
        } catch (Exception e) {
            return Optional.empty(); // not up yet, or not ready (503)
        }
    }

    /** Whether each of {@code masters} lists every room with all its participants. */
    private boolean listEverything(List<ClusterProcesses.Node> masters, List<Room> rooms) {
        return masters.stream().allMatch(m -> missingFromList(m, rooms).isEmpty());
    }

    /** What {@code master} does not list of {@code rooms}: "" when it lists every room with all its participants. */
    private String missingFromList(ClusterProcesses.Node master, List<Room> rooms) {
        List<String> missing = new ArrayList<>();
        for (Room room : rooms) {
            Optional<Set<String>> listed = listedConnections(master, room.sessionId());
            if (listed.isEmpty()) {
                missing.add(room.sessionId() + " (not listed, or no list)");
                continue;
            }
            List<String> lacking = room.clients().stream().filter(c -> !listed.get().contains(c.connectionId))
                    .map(c -> c.connectionId + " (" + c.resumeState + ")").toList();
            if (!lacking.isEmpty()) {
                missing.add(room.sessionId() + " lacks " + lacking);
            }
        }
        return String.join(", ", missing);
    }

    /**
     * Waits until each of {@code masters} lists every room with all its participants. On timeout the error says, per
     * master, its readiness, what it lacks and its cluster-formation log lines: a CI report shows no node logs.
     */
    void awaitEveryMasterListsEverything(List<ClusterProcesses.Node> masters, List<Room> rooms) {
        try {
            await("every master lists every session with its participants").atMost(BACK)
                    .pollInterval(Duration.ofMillis(200)).until(() -> listEverything(masters, rooms));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder why = new StringBuilder("not every master lists every session with its participants within "
                    + BACK.toSeconds() + " s:");
            for (ClusterProcesses.Node m : masters) {
                why.append("\n- ").append(m.id()).append(": ready ").append(cluster.probe(m, "/health/ready"))
                        .append("; missing: ").append(missingFromList(m, rooms));
                cluster.logLinesMatching(m, FORMATION_EVENTS, 12).forEach(l -> why.append("\n    ").append(l));
            }
            throw new AssertionError(why.toString(), e);
        }
    }

    /** Log lines that tell how a master came back: which cluster it joined, its rebuild, downing and fencing. */
    private static final java.util.regex.Pattern FORMATION_EVENTS = java.util.regex.Pattern.compile(
            "JOINING itself|forming new cluster|Welcome from|routing table|ALERT|SBR|downing|Downing|fenc|isolated");

    static List<Long> received(List<RtpReceiver> sinks) {
        return sinks.stream().map(s -> s.stats().received()).toList();
    }

    /** Every sink gets {@code packets} more than it had now. */
    static void awaitPackets(List<RtpReceiver> sinks, int packets, String what, Duration atMost) {
        awaitPacketsSince(sinks, received(sinks), packets, what, atMost);
    }

    static void awaitPacketsSince(List<RtpReceiver> sinks, List<Long> before, int packets, String what,
                                  Duration atMost) {
        await(what + " (" + packets + " packets at every subscriber)").atMost(atMost)
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    for (int i = 0; i < sinks.size(); i++) {
                        if (sinks.get(i).stats().received() - before.get(i) < packets) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** Each kept its id, saw no participantLeft and no gap in its events. */
    static void assertResumedWithoutLoss(List<Client> clients) {
        assertAll(clients.stream().map(c -> () -> {
            Participant p = c.participant;
            assertTrue(p.events().stream().noneMatch(e -> e.method().equals("participantLeft")), p::describeEvents);
            assertEquals(p.expectedSeqs(), p.seqs(), p::describeEvents);
            assertEquals(0, p.client.gapsDetected(), p.name + " saw a gap");
            assertEquals(c.connectionId, p.client.joined().connectionId(), p.name + " kept its id");
        }));
    }

    /** Waits until every client resumed since {@code sinceNanos}; returns when the last one did. */
    static long awaitAllResumed(List<Client> clients, long sinceNanos, String what) {
        await(what).atMost(BACK).pollInterval(Duration.ofMillis(100))
                .until(() -> clients.stream().allMatch(c -> c.resumedAtNanos > sinceNanos));
        return clients.stream().mapToLong(c -> c.resumedAtNanos).max().orElseThrow();
    }

    /** Waits until one of {@code masters} answers its readiness probe with 200; returns when (nanos). */
    long awaitFirstReady(List<ClusterProcesses.Node> masters, String what) {
        long[] readyAt = {0};
        await(what).atMost(BACK).pollInterval(Duration.ofMillis(100)).until(() -> {
            boolean any = masters.stream().anyMatch(m -> cluster.probe(m, "/health/ready").startsWith("200"));
            if (any) {
                readyAt[0] = System.nanoTime();
            }
            return any;
        });
        return readyAt[0];
    }

    /** A newcomer joins each session through {@code via}, on the node it ran on; the others see it join. */
    void newcomerJoinsEachSession(List<Room> rooms, ClusterProcesses.Node via, String tag) throws Exception {
        // Clients may have resumed through another master while this one still rebuilds (503 until then).
        await(via.id() + " ready").atMost(BACK).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.probe(via, "/health/ready").startsWith("200"));
        for (Room room : rooms) {
            Connection con = TestSessions.createConnection(cluster.rest(via), room.sessionId(), tag);
            Client newcomer = new Client(room.sessionId() + "-" + tag, via);
            JoinResult joined = newcomer.join(con.token());
            assertEquals(room.mediaNodeId(), joined.mediaNodeId(), "the session stayed where it ran");
            for (Client c : room.clients()) {
                c.participant.awaitEvent("participantJoined", e -> newcomer.connectionId.equals(e.param("id")),
                        "the newcomer");
            }
            room.clients().add(newcomer);
        }
    }

    static List<RtpReceiver> sinks(List<Room> rooms) {
        return rooms.stream().flatMap(r -> r.sinks().stream()).toList();
    }

    static List<Client> everyone(List<Room> rooms) {
        return rooms.stream().flatMap(r -> r.clients().stream()).toList();
    }
}
