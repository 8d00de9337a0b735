package io.tessera.media.session;

import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.CloseSession;
import io.tessera.common.protocol.MediaNodeProtocol.HostSession;
import io.tessera.common.protocol.MediaNodeProtocol.Leave;
import io.tessera.common.protocol.MediaNodeProtocol.ConnectionMedia;
import io.tessera.common.protocol.MediaNodeProtocol.DescribeSessions;
import io.tessera.common.protocol.MediaNodeProtocol.Join;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Publish;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.SessionMedia;
import io.tessera.common.protocol.MediaNodeProtocol.SessionsMedia;
import io.tessera.common.protocol.MediaNodeProtocol.SetNodeStatus;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Subscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Subscription;
import io.tessera.media.fencing.MediaFence;
import io.tessera.media.rtp.PlainRtpEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manager in one JVM: masters' commands through the reference its stats name, the session limit, node status. */
class SessionManagerTest {
    private static final ActorTestKit kit = ActorTestKit.create("SessionManagerTest", com.typesafe.config.ConfigFactory
            .parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
            .withFallback(com.typesafe.config.ConfigFactory.load("tessera-media")));

    private PlainRtpEngine engine;
    private ActorRef<SessionManager.Command> manager;
    private ActorRef<MediaNodeProtocol.Command> forMasters;
    private SimpleMeterRegistry registry;
    private MediaFence fence;

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void start() throws IOException {
        engine = new PlainRtpEngine(new PlainRtpEngine.Settings("127.0.0.1", "127.0.0.1", 44000, 44099, 1, 65536, 64,
                Duration.ofMillis(200)));
        TestProbe<SessionNotice> notices = kit.createTestProbe();
        registry = new SimpleMeterRegistry();
        fence = new MediaFence();
        manager = kit.spawn(SessionManager.create(new Session.Settings("media-1", 3, Duration.ofMillis(300), 5), 1,
                notices.getRef(), engine, null, new SessionMeters(registry), fence));
        forMasters = stats().forMasters();
    }

    @AfterEach
    void stop() {
        kit.stop(manager);
        engine.close();
    }

    private SessionManager.Stats stats() {
        TestProbe<SessionManager.Stats> probe = kit.createTestProbe();
        manager.tell(new SessionManager.GetStats(probe.getRef()));
        return probe.receiveMessage();
    }

    private Ack ask(java.util.function.Function<ActorRef<Ack>, MediaNodeProtocol.Command> command) {
        TestProbe<Ack> probe = kit.createTestProbe();
        forMasters.tell(command.apply(probe.getRef()));
        return probe.receiveMessage();
    }

    @Test
    void hostsUpToItsLimitAndRoutesToTheSession() {
        assertTrue(ask(reply -> new HostSession("s1", reply)).ok());
        assertEquals(1, stats().sessions());

        Ack refused = ask(reply -> new HostSession("s2", reply));
        assertFalse(refused.ok());
        assertEquals(503, refused.errorCode(), refused.error());

        Ack unknown = ask(reply -> new Leave("s3", "con_x", reply));
        assertEquals(404, unknown.errorCode(), "commands other than placement do not start a session");

        Ack notInSession = ask(reply -> new Leave("s1", "con_x", reply));
        assertEquals(102, notInSession.errorCode(), "routed to session s1, which does not know con_x");
    }

    @Test
    void reportsHowManyOfItsSessionsAreProtected() {
        assertEquals(0, stats().protectedSessions());
        MediaNodeProtocol.SessionDescriptor descriptor = new MediaNodeProtocol.SessionDescriptor(1L, 1L,
                MediaNodeProtocol.PROTECTED, "", "ROUTED", "MANUAL", "VP8", false, null);
        assertTrue(ask(reply -> new HostSession("s1", reply, descriptor)).ok());
        assertEquals(1, stats().protectedSessions(), "what placement spreads over the nodes");
        assertTrue(ask(reply -> new MediaNodeProtocol.ReleaseSession("s1", reply)).ok());
        await().atMost(Duration.ofSeconds(5)).until(() -> stats().protectedSessions() == 0);
    }

    @Test
    void aFencedNodeRefusesEveryCommandUntilTheFenceIsLifted() {
        assertTrue(ask(reply -> new HostSession("s1", reply)).ok());
        fence.close("this media node is cut off from the masters");
        TestProbe<MediaNodeProtocol.JoinReply> joined = kit.createTestProbe();
        forMasters.tell(new MediaNodeProtocol.Join("s1", new MediaNodeProtocol.ParticipantInfo("con_a", 1, "", "",
                "PUBLISHER", "test", null), kit.<MediaNodeProtocol.ParticipantEvent>createTestProbe().getRef(),
                joined.getRef()));
        MediaNodeProtocol.JoinReply refused = joined.receiveMessage();
        assertEquals(503, refused.errorCode());
        assertTrue(refused.error().contains("cut off from the masters"), refused.error());
        assertEquals(503, ask(reply -> new MediaNodeProtocol.Signal("s1", null, List.of(), "t", "d", reply))
                .errorCode());
        assertEquals(2, registry.get("tessera.media.fencing.refused").counter().count());

        fence.lift();
        join("con_a");
        assertTrue(ask(reply -> new MediaNodeProtocol.Signal("s1", null, List.of(), "t", "d", reply)).ok());
    }

    /**
     * Joins carry the epoch of the route the master read: a master whose replica lags behind a move must not join a
     * participant to a copy of another epoch, nor start again a copy this node released (the session moved away).
     */
    @Test
    void aJoinThroughAStaleRouteIsRefusedAndStartsNothingAgain() {
        assertTrue(ask(reply -> new HostSession("s1", reply, descriptor(2))).ok());
        JoinReply older = joinAt("con_a", 1);
        assertEquals(409, older.errorCode());
        assertTrue(MediaNodeProtocol.isStaleRoute(older.errorCode(), older.error()), older.error());
        assertTrue(older.error().contains("older than its copy here (epoch 2)"), older.error());
        JoinReply newer = joinAt("con_a", 3);
        assertTrue(MediaNodeProtocol.isStaleRoute(newer.errorCode(), newer.error()), newer.error());
        assertTrue(newer.error().contains("is older than the route (epoch 3)"), newer.error());
        assertTrue(joinAt("con_a", 2).ok(), "the route of the copy's epoch");

        assertTrue(ask(reply -> new MediaNodeProtocol.ReleaseSession("s1", reply)).ok()); // moved away (drain)
        await().atMost(Duration.ofSeconds(5)).until(() -> stats().sessions() == 0);
        JoinReply moved = joinAt("con_b", 2);
        assertTrue(MediaNodeProtocol.isStaleRoute(moved.errorCode(), moved.error()), moved.error());
        assertTrue(moved.error().contains("moved away from this node"), moved.error());
        assertEquals(0, stats().sessions(), "the released copy was not started again, empty");

        assertTrue(ask(reply -> new HostSession("s1", reply, descriptor(4))).ok(), "placed here again");
        assertTrue(joinAt("con_b", 4).ok());
        assertEquals(3, registry.get("tessera.media.fencing.stale.route").counter().count());
    }

    /**
     * A drain's make before break: the moved session's copy here forwards until its streams are up on the new node,
     * but from the move on it takes no join through the old route (a master's lagging replica), only from masters
     * that follow the session (epoch 0) or a newer route.
     */
    @Test
    void aSupersededCopyRefusesJoinsThroughTheOldRouteWhileItStillForwards() {
        assertTrue(ask(reply -> new HostSession("s1", reply, descriptor(2))).ok());
        assertTrue(joinAt("con_a", 2).ok());
        forMasters.tell(new MediaNodeProtocol.SupersedeSession("s1", 3)); // moved away at epoch 3
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            JoinReply lagging = joinAt("con_b", 2);
            return MediaNodeProtocol.isStaleRoute(lagging.errorCode(), lagging.error())
                    && lagging.error().contains("moved away from this node at epoch 3");
        });
        assertEquals(1, stats().sessions(), "the copy still runs (and forwards) until it is released");
        assertTrue(joinAt("con_c", 0).ok(), "a participant following its session is not judged");

        forMasters.tell(new MediaNodeProtocol.SupersedeSession("s1", 1)); // late and older than the copy: ignored
        assertTrue(ask(reply -> new HostSession("s1", reply, descriptor(5))).ok(), "placed here again");
        assertTrue(joinAt("con_d", 5).ok(), "a new placement here clears the move");
    }

    private JoinReply joinAt(String connectionId, long routeEpoch) {
        TestProbe<JoinReply> reply = kit.createTestProbe();
        forMasters.tell(new Join("s1", new ParticipantInfo(connectionId, 1, "", "", "PUBLISHER", "test", null),
                kit.<ParticipantEvent>createTestProbe().getRef(), reply.getRef(), routeEpoch));
        return reply.receiveMessage();
    }

    private static MediaNodeProtocol.SessionDescriptor descriptor(long epoch) {
        return new MediaNodeProtocol.SessionDescriptor(1L, epoch, "normal", "", "ROUTED", "MANUAL", "VP8", false, null);
    }

    @Test
    void aClosedSessionIsForgotten() {
        assertTrue(ask(reply -> new HostSession("s1", reply)).ok());
        assertTrue(ask(reply -> new CloseSession("s1", "sessionClosedByServer", reply)).ok());
        TestProbe<SessionManager.Stats> probe = kit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(3), () -> {
            assertEquals(0, stats().sessions());
            return null;
        });
        assertTrue(ask(reply -> new HostSession("s2", reply)).ok(), "the slot is free again");
    }

    @Test
    void nodeStatusIsRunningOrDraining() {
        assertEquals("running", stats().status());
        assertEquals(400, ask(reply -> new SetNodeStatus("paused", reply)).errorCode());
        assertTrue(ask(reply -> new SetNodeStatus("draining", reply)).ok());
        assertEquals("draining", stats().status());
    }

    @Test
    void theInventoryNamesEachSessionWithItsDescriptorAndParticipants() {
        MediaNodeProtocol.SessionDescriptor descriptor = new MediaNodeProtocol.SessionDescriptor(1234L, 3, "protected",
                "s1", "ROUTED", "MANUAL", "VP8", false, "{}");
        assertTrue(ask(reply -> new HostSession("s1", reply, descriptor)).ok());
        TestProbe<MediaNodeProtocol.JoinReply> joined = kit.createTestProbe();
        TestProbe<MediaNodeProtocol.ParticipantEvent> signalling = kit.createTestProbe();
        MediaNodeProtocol.ParticipantInfo alice = new MediaNodeProtocol.ParticipantInfo("con_a", 1L, "{\"n\":1}", "sd",
                "PUBLISHER", "java", "127.0.0.1");
        forMasters.tell(new MediaNodeProtocol.Join("s1", alice, signalling.getRef(), joined.getRef()));
        assertTrue(joined.receiveMessage().ok());

        TestProbe<MediaNodeProtocol.InventoryPage> pages = kit.createTestProbe();
        forMasters.tell(new MediaNodeProtocol.ReportInventory(pages.getRef()));
        MediaNodeProtocol.InventoryPage page = pages.receiveMessage();
        assertTrue(page.last());
        assertEquals("media-1", page.mediaNodeId());
        assertEquals(java.util.List.of(new MediaNodeProtocol.HostedSession("s1", descriptor, java.util.List.of(alice))),
                page.sessions());
    }

    @Test
    void anEmptyNodeReportsOneEmptyLastPage() {
        TestProbe<MediaNodeProtocol.InventoryPage> pages = kit.createTestProbe();
        forMasters.tell(new MediaNodeProtocol.ReportInventory(pages.getRef()));
        MediaNodeProtocol.InventoryPage page = pages.receiveMessage();
        assertTrue(page.last());
        assertEquals(java.util.List.of(), page.sessions());
    }

    @Test
    void largeInventoriesAreSplitIntoBoundedPagesThatLoseNobody() {
        java.util.List<MediaNodeProtocol.HostedSession> entries = new java.util.ArrayList<>();
        for (int s = 0; s < 5; s++) {
            java.util.List<MediaNodeProtocol.ParticipantInfo> people = new java.util.ArrayList<>();
            for (int p = 0; p < 40; p++) {
                people.add(new MediaNodeProtocol.ParticipantInfo("con_" + s + "_" + p, 1L, "x".repeat(900), null,
                        "PUBLISHER", "java", null));
            }
            entries.add(new MediaNodeProtocol.HostedSession("s" + s, null, people));
        }
        var pages = InventoryCollector.paginate(entries, 8 * 1024);
        assertTrue(pages.size() > 20, "pages: " + pages.size());
        for (var page : pages) {
            int chars = page.stream().mapToInt(e -> e.participants().size() * 1000).sum();
            assertTrue(chars <= 8 * 1024, "page of " + chars);
        }
        assertEquals(200, pages.stream().flatMap(java.util.List::stream).mapToInt(e -> e.participants().size()).sum());
        assertEquals(java.util.Set.of("s0", "s1", "s2", "s3", "s4"), pages.stream().flatMap(java.util.List::stream)
                .map(MediaNodeProtocol.HostedSession::sessionId).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void theDrainDeadlineIsKeptForTheLoadReportsUntilTheDrainIsUndone() {
        assertEquals(0, stats().drainDeadlineMillis());
        assertTrue(ask(reply -> new SetNodeStatus("draining", 1_900_000_000_000L, reply)).ok());
        assertEquals(1_900_000_000_000L, stats().drainDeadlineMillis());
        assertTrue(ask(reply -> new SetNodeStatus("running", 1_900_000_000_000L, reply)).ok());
        assertEquals(0, stats().drainDeadlineMillis(), "running has no deadline, whatever was sent with it");
    }

    @Test
    void describesTheParticipantsAndStreamsOfItsSessions() {
        assertTrue(ask(reply -> new HostSession("s1", reply)).ok());
        join("a");
        join("b");
        TestProbe<SdpReply> published = kit.createTestProbe();
        forMasters.tell(new Publish("s1", "a", new StreamInfo(null, 0, true, true, true, true, "CAMERA", 30,
                "{\"width\":640,\"height\":480}"), offer(44500, "sendonly"), published.getRef()));
        StreamInfo stream = published.receiveMessage().stream();
        TestProbe<SdpReply> subscribed = kit.createTestProbe();
        forMasters.tell(new Subscribe("s1", "b", stream.streamId(), offer(44510, "recvonly"), subscribed.getRef()));
        assertTrue(subscribed.receiveMessage().ok());

        SessionsMedia media = describe(List.of("s1", "not-here"));
        assertEquals("media-1", media.mediaNodeId());
        assertNull(media.error());
        assertEquals(1, media.sessions().size(), "a session not hosted here is left out");
        SessionMedia s1 = media.sessions().get(0);
        assertEquals(List.of("a", "b"), s1.connections().stream().map(ConnectionMedia::connectionId).toList());
        assertEquals(List.of(stream), s1.connections().get(0).published());
        assertEquals(List.of(), s1.connections().get(0).subscriptions());
        Subscription receives = s1.connections().get(1).subscriptions().get(0);
        assertEquals(stream.streamId(), receives.streamId());
        assertEquals("a", receives.publisherConnectionId());
        assertTrue(receives.createdAt() >= stream.createdAt());
        assertEquals(List.of(), s1.connections().get(1).published());

        assertEquals(List.of(), describe(List.of()).sessions());
    }

    private void join(String connectionId) {
        TestProbe<JoinReply> reply = kit.createTestProbe();
        forMasters.tell(new Join("s1", new ParticipantInfo(connectionId, 1, "", "", "PUBLISHER", "test", null),
                kit.<ParticipantEvent>createTestProbe().getRef(), reply.getRef()));
        assertTrue(reply.receiveMessage().ok());
    }

    private SessionsMedia describe(List<String> ids) {
        TestProbe<SessionsMedia> reply = kit.createTestProbe();
        forMasters.tell(new DescribeSessions(ids, reply.getRef()));
        return reply.receiveMessage();
    }

    private static String offer(int port, String direction) {
        return "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video " + port + " RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na="
                + direction + "\r\n";
    }
}
