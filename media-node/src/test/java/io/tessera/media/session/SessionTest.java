package io.tessera.media.session;

import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.CloseSession;
import io.tessera.common.protocol.MediaNodeProtocol.Evict;
import io.tessera.common.protocol.MediaNodeProtocol.Join;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.Leave;
import io.tessera.common.protocol.MediaNodeProtocol.MessageReceived;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvicted;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantJoined;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantLeft;
import io.tessera.common.protocol.MediaNodeProtocol.Signal;
import io.tessera.common.protocol.MediaNodeProtocol.SignallingClosed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantPublished;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantUnpublished;
import io.tessera.common.protocol.MediaNodeProtocol.PeerInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Publish;
import io.tessera.common.protocol.MediaNodeProtocol.Resume;
import io.tessera.common.protocol.MediaNodeProtocol.EventsDelivered;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Subscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Unpublish;
import io.tessera.common.protocol.MediaNodeProtocol.Unsubscribe;
import io.tessera.media.rtp.PlainRtpEngine;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionTest {
    // A local actor system: the node's tessera-media.conf asks for a cluster and for exiting the JVM on shutdown.
    private static final ActorTestKit kit = ActorTestKit.create("SessionTest", com.typesafe.config.ConfigFactory
            .parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
            .withFallback(com.typesafe.config.ConfigFactory.load("tessera-media")));

    private TestProbe<Session.Changed> manager;
    private TestProbe<SessionNotice> notices;
    private ActorRef<Session.Message> session;
    private static PlainRtpEngine engine;
    private io.micrometer.core.instrument.simple.SimpleMeterRegistry registry;

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    @AfterEach
    void stopSession() {
        kit.stop(session);
        engine.close();
    }

    @BeforeEach
    void start() throws IOException {
        // A fresh engine per test, so that port counts start at zero.
        engine = new PlainRtpEngine(new PlainRtpEngine.Settings("127.0.0.1", "127.0.0.1", 43000, 43999, 1, 65536, 64,
                Duration.ofMillis(200)));
        manager = kit.createTestProbe();
        notices = kit.createTestProbe();
        registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        session = kit.spawn(Session.create("s1", new Session.Settings("media-1", 3, Duration.ofMillis(300), 5),
                manager.getRef(), notices.getRef(), engine, new SessionMeters(registry)));
    }

    private double count(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }

    private final java.util.Map<String, String> secrets = new java.util.HashMap<>();

    private TestProbe<ParticipantEvent> join(String connectionId) {
        TestProbe<ParticipantEvent> signalling = kit.createTestProbe();
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", info(connectionId), signalling.getRef(), reply.getRef())));
        JoinReply joined = reply.receiveMessage();
        assertTrue(joined.ok(), joined.error());
        assertTrue(joined.resumeSecret().length() >= 32, "a resume secret with 192 random bits");
        secrets.put(connectionId, joined.resumeSecret());
        return signalling;
    }

    private JoinReply resume(String connectionId, String secret, long lastSeq, TestProbe<ParticipantEvent> signalling) {
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Resume("s1", connectionId, secret, lastSeq, signalling.getRef(),
                reply.getRef())));
        return reply.receiveMessage();
    }

    /** The participant's signalling actor stops, and its master says so, as a closed socket does. */
    private void signallingClosed(String connectionId, TestProbe<ParticipantEvent> signalling) {
        signalling.stop();
        session.tell(new Session.Forwarded(new SignallingClosed("s1", connectionId, signalling.getRef())));
    }

    /** A message from b to a only. */
    private void signal(String from, String data) {
        TestProbe<Ack> ack = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Signal("s1", from, List.of("a"), "t", data, ack.getRef())));
        assertTrue(ack.receiveMessage().ok());
    }

    @Test
    void aResumeReplaysWhatTheOldPathLostAndWhatCameWhileDetachedInOrder() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        assertEquals(1, a.receiveMessage().seq()); // b joined
        signal("b", "one");
        signal("b", "two");
        assertEquals(2, a.receiveMessage().seq());
        a.receiveMessage(); // seq 3 reached the old master, but say its client never saw it
        signallingClosed("a", a);
        signal("b", "three"); // seq 4, while a is detached

        TestProbe<ParticipantEvent> moved = kit.createTestProbe();
        JoinReply resumed = resume("a", secrets.get("a"), 2, moved);
        assertTrue(resumed.ok(), resumed.error());
        assertEquals(2, resumed.seq());
        assertEquals(List.of("b"), resumed.others().stream().map(o -> o.participant().connectionId()).toList());
        assertEquals(secrets.get("a"), resumed.resumeSecret());
        assertEquals(3, moved.receiveMessage().seq());
        ParticipantEvent four = moved.receiveMessage();
        assertEquals(4, four.seq());
        assertEquals("three", ((MessageReceived) four.event()).data());

        signal("b", "four");
        assertEquals(5, moved.receiveMessage().seq(), "new events follow on the new path");
        b.expectNoMessage(Duration.ofMillis(400)); // the grace window (300 ms) passed: a was not evicted
        assertEquals(1, count("tessera.media.resumes", "result", "ok"));
        assertEquals(0, count("tessera.media.detached.evictions", "reason", "grace_expired"));
    }

    /**
     * openvidu-browser resumes without a seq: it goes on after the last event its master confirmed (EventsDelivered),
     * so what the browser already has never comes again, and what the dead master never confirmed does.
     */
    @Test
    void aResumeWithoutSeqGoesOnAfterTheLastEventTheMasterConfirmed() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        assertEquals(1, a.receiveMessage().seq()); // b joined
        signal("b", "one");
        assertEquals(2, a.receiveMessage().seq());
        session.tell(new Session.Forwarded(new EventsDelivered("s1", "a", 2)));
        signal("b", "two"); // seq 3: sent to the old master, never confirmed (it died)
        signallingClosed("a", a);

        TestProbe<ParticipantEvent> browser = kit.createTestProbe();
        JoinReply resumed = resume("a", secrets.get("a"), Resume.LAST_DELIVERED, browser);
        assertTrue(resumed.ok(), resumed.error());
        assertEquals(2, resumed.seq(), "the resume point is the last confirmed event");
        ParticipantEvent three = browser.receiveMessage();
        assertEquals(3, three.seq());
        assertEquals("two", ((MessageReceived) three.event()).data());
        browser.expectNoMessage(Duration.ofMillis(100)); // participantJoined of b (seq 1) is not sent again
        b.expectNoMessage(Duration.ofMillis(50));

        // a confirmation from beyond what the participant has is capped: a resume never skips an event (sent through
        // the resumed path's attachment: one through the old path is refused since main's delivery fencing)
        session.tell(new Session.Forwarded(new io.tessera.common.protocol.MediaNodeProtocol.Attached("s1", "a",
                resumed.attachment(), new EventsDelivered("s1", "a", 99))));
        signal("b", "three");
        assertEquals(4, browser.receiveMessage().seq());
        TestProbe<ParticipantEvent> again = kit.createTestProbe();
        assertEquals(3, resume("a", secrets.get("a"), Resume.LAST_DELIVERED, again).seq(), "99 counted as 3");
        assertEquals(4, again.receiveMessage().seq(), "the unconfirmed event comes again");
    }

    @Test
    void aResumeIsRefusedWithAWrongSecretAfterTheGraceWindowAndBeyondTheBuffer() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        a.receiveMessage();
        assertEquals(401, resume("a", "not-the-secret", 0, kit.createTestProbe()).errorCode());
        assertEquals(400, resume("a", secrets.get("a"), 99, kit.createTestProbe()).errorCode());
        for (int i = 0; i < 6; i++) {
            signal("b", "m" + i); // a's buffer keeps 5 events; seq 1 and 2 are gone
        }
        assertEquals(6, a.receiveSeveralMessages(6).size());
        JoinReply tooOld = resume("a", secrets.get("a"), 0, kit.createTestProbe());
        assertEquals(409, tooOld.errorCode(), tooOld.error());
        assertTrue(resume("a", secrets.get("a"), 7, a).ok(), "resuming on the same path is harmless");

        signallingClosed("b", b);
        ParticipantEvent left = a.receiveMessage(Duration.ofSeconds(3));
        assertEquals(new ParticipantLeft("b", "networkDisconnect"), left.event());
        JoinReply gone = resume("b", secrets.get("b"), 0, kit.createTestProbe());
        assertEquals(404, gone.errorCode());
        assertTrue(gone.error().contains("grace window"), gone.error());
        assertEquals(1, count("tessera.media.resumes", "result", "wrong_secret"));
        assertEquals(1, count("tessera.media.resumes", "result", "bad_seq"));
        assertEquals(1, count("tessera.media.resumes", "result", "events_lost"));
        assertEquals(1, count("tessera.media.resumes", "result", "unknown_connection"));
        assertEquals(1, count("tessera.media.resumes", "result", "ok"));
        assertEquals(1, count("tessera.media.detached.evictions", "reason", "grace_expired"));
    }

    /**
     * A participant that follows its session here keeps the resume secret it had on the old node (its client's
     * resume handle holds it, and openvidu-browser never renews it): a resume with it works, another is refused.
     */
    @Test
    void aParticipantMovingHereKeepsItsResumeSecret() {
        String before = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"; // the old node's secret: 32 of base64url
        TestProbe<ParticipantEvent> signalling = kit.createTestProbe();
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", info("m"), signalling.getRef(), reply.getRef(), "media-0", 4,
                "drain", before)));
        JoinReply moved = reply.receiveMessage();
        assertTrue(moved.ok(), moved.error());
        assertEquals(before, moved.resumeSecret());
        ParticipantEvent failed = signalling.receiveMessage();
        assertEquals(before, ((io.tessera.common.protocol.MediaNodeProtocol.MediaNodeFailed) failed.event())
                .resumeSecret(), "mediaNodeFailed names the same secret");
        assertFalse(new Join("s1", info("m"), signalling.getRef(), reply.getRef(), "media-0", 4, "drain", before)
                .toString().contains(before), "never in a log line");

        assertEquals(401, resume("m", "x" + before.substring(1), 5, kit.createTestProbe()).errorCode());
        JoinReply resumed = resume("m", before, 5, kit.createTestProbe());
        assertTrue(resumed.ok(), resumed.error());

        TestProbe<JoinReply> fresh = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", info("n"), kit.<ParticipantEvent>createTestProbe().getRef(),
                fresh.getRef(), null, 0, null, before)));
        assertFalse(before.equals(fresh.receiveMessage().resumeSecret()), "a fresh join never takes a given secret");
    }

    private static ParticipantInfo info(String connectionId) {
        return new ParticipantInfo(connectionId, 1L, "meta-" + connectionId, "", "PUBLISHER", "test", "127.0.0.1");
    }

    @Test
    void eventsAreNumberedPerParticipantWithoutGaps() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        ParticipantEvent joined = a.receiveMessage();
        assertEquals(1, joined.seq());
        assertEquals("b", ((ParticipantJoined) joined.event()).participant().connectionId());

        TestProbe<Ack> ack = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Signal("s1", "b", List.of(), "signal:chat", "hi", ack.getRef())));
        assertTrue(ack.receiveMessage().ok());
        assertEquals(2, a.receiveMessage().seq());
        ParticipantEvent toSender = b.receiveMessage();
        assertEquals(1, toSender.seq(), "b's own sequence starts at 1 too");
        assertEquals("hi", ((MessageReceived) toSender.event()).data());

        session.tell(new Session.Forwarded(new Leave("s1", "b", ack.getRef())));
        assertTrue(ack.receiveMessage().ok());
        ParticipantEvent left = a.receiveMessage();
        assertEquals(3, left.seq());
        assertEquals(new ParticipantLeft("b", "disconnect"), left.event());
    }

    @Test
    void joinReplyListsTheOthersAndRefusesADuplicate() {
        join("a");
        TestProbe<JoinReply> reply = kit.createTestProbe();
        TestProbe<ParticipantEvent> signalling = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", info("b"), signalling.getRef(), reply.getRef())));
        JoinReply second = reply.receiveMessage();
        assertEquals(List.of(new PeerInfo(info("a"), List.of())), second.others());
        assertEquals("media-1", second.mediaNodeId());

        session.tell(new Session.Forwarded(new Join("s1", info("b"), signalling.getRef(), reply.getRef())));
        JoinReply duplicate = reply.receiveMessage();
        assertFalse(duplicate.ok());
        assertEquals(409, duplicate.errorCode());
    }

    @Test
    void aFullSessionRefusesJoins() {
        join("a");
        join("b");
        join("c");
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", info("d"), kit.<ParticipantEvent>createTestProbe().getRef(),
                reply.getRef())));
        JoinReply refused = reply.receiveMessage();
        assertFalse(refused.ok());
        assertEquals(429, refused.errorCode());
    }

    /**
     * Signalling lost while no master is up (every master was lost; the restarted ones still join and rebuild): the
     * participant is kept for the masterless window, not the normal one, so that its client can resume once they serve.
     */
    @Test
    void aParticipantDetachedWhileNoMasterIsUpIsKeptForTheMasterlessWindow() {
        java.util.concurrent.atomic.AtomicBoolean masterUp = new java.util.concurrent.atomic.AtomicBoolean(false);
        kit.stop(session);
        session = kit.spawn(Session.create("s1", new Session.Settings("media-1", 3,
                        new GraceWindow(Duration.ofMillis(300), Duration.ofSeconds(3), masterUp::get), 5,
                        Session.Settings.DEFAULT_PUBLISHER_UP_TIMEOUT),
                manager.getRef(), notices.getRef(), engine, new SessionMeters(registry)));
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        a.receiveMessage(); // b joined
        signallingClosed("b", b);
        a.expectNoMessage(Duration.ofSeconds(1)); // well past the normal window (300 ms): b was not evicted

        JoinReply resumed = resume("b", secrets.get("b"), 0, kit.createTestProbe());
        assertTrue(resumed.ok(), resumed.error());
        assertEquals(0, count("tessera.media.detached.evictions", "reason", "grace_expired"));

        masterUp.set(true);
        TestProbe<ParticipantEvent> c = join("c");
        a.receiveMessage(); // c joined
        signallingClosed("c", c);
        assertEquals(new ParticipantLeft("c", "networkDisconnect"), a.receiveMessage(Duration.ofSeconds(2)).event(),
                "with a master up, the normal window");
    }

    @Test
    void signallingLossEvictsAfterTheGraceWindowWithNetworkDisconnect() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        a.receiveMessage(); // b joined
        signallingClosed("b", b);
        ParticipantEvent left = a.receiveMessage(Duration.ofSeconds(3));
        assertEquals(new ParticipantLeft("b", "networkDisconnect"), left.event());
        assertEquals(2, left.seq());
        assertEquals(1, count("tessera.media.detached.evictions", "reason", "grace_expired"));
        assertEquals(0, count("tessera.media.detached.evictions", "reason", "replay_overflow"));
    }

    /** A closed path that a resume has replaced says nothing about the participant, which is served elsewhere now. */
    @Test
    void theCloseOfAPathThatAResumeReplacedDetachesNobody() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        a.receiveMessage(); // b joined
        TestProbe<ParticipantEvent> resumedB = kit.createTestProbe();
        assertTrue(resume("b", secrets.get("b"), 0, resumedB).ok());
        signallingClosed("b", b); // the old socket closes after the resume
        a.expectNoMessage(Duration.ofMillis(600)); // twice the grace window: b stays
        TestProbe<Session.Participants> report = kit.createTestProbe();
        session.tell(new Session.ReportParticipants(report.getRef()));
        assertEquals(List.of("a", "b"), report.receiveMessage().participants().stream()
                .map(ParticipantInfo::connectionId).toList());
        assertEquals(0, count("tessera.media.detached.evictions", "reason", "grace_expired"));
    }

    /**
     * A master that leaves the cluster says nothing: the node hears of its removal and detaches the participants it
     * served, and only those (a second actor system stands for a second master: its refs carry its own address).
     */
    @Test
    void losingAMasterDetachesTheParticipantsItServedAndNoOthers() {
        ActorTestKit otherMaster = ActorTestKit.create("OtherMaster", com.typesafe.config.ConfigFactory
                .parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off"));
        try {
            TestProbe<ParticipantEvent> a = join("a");
            TestProbe<ParticipantEvent> b = otherMaster.createTestProbe();
            TestProbe<JoinReply> reply = kit.createTestProbe();
            session.tell(new Session.Forwarded(new Join("s1", info("b"), b.getRef(), reply.getRef())));
            assertTrue(reply.receiveMessage().ok());
            a.receiveMessage(); // b joined

            session.tell(new Session.SignallingHostLost(new org.apache.pekko.actor.Address("pekko", "Tessera",
                    "127.0.0.9", 2552))); // a master that served nobody here
            a.expectNoMessage(Duration.ofMillis(600));
            session.tell(new Session.SignallingHostLost(otherMaster.system().address()));
            ParticipantEvent left = a.receiveMessage(Duration.ofSeconds(3));
            assertEquals(new ParticipantLeft("b", "networkDisconnect"), left.event());
            a.expectNoMessage(Duration.ofMillis(600)); // a, served through this system, stays
            assertEquals(1, count("tessera.media.detached.evictions", "reason", "grace_expired"));
        } finally {
            otherMaster.shutdownTestKit();
        }
    }

    @Test
    void evictionTellsTheEvictedAndTheOthers() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        a.receiveMessage();
        TestProbe<Ack> ack = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Evict("s1", "b", "forceDisconnectByServer", ack.getRef())));
        assertTrue(ack.receiveMessage().ok());
        assertEquals(new ParticipantEvicted("b", "forceDisconnectByServer"), b.receiveMessage().event());
        assertEquals(new ParticipantLeft("b", "forceDisconnectByServer"), a.receiveMessage().event());
    }

    @Test
    void signalToAnUnknownRecipientIsRefusedAndDeliversNothing() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<Ack> ack = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Signal("s1", "a", List.of("nobody"), "t", "d", ack.getRef())));
        Ack refused = ack.receiveMessage();
        assertFalse(refused.ok());
        assertEquals(404, refused.errorCode());
        a.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void closingEvictsEveryoneEndsTheSessionAndRefusesLaterJoins() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        a.receiveMessage(); // b joined
        TestProbe<Ack> ack = kit.createTestProbe();
        session.tell(new Session.Forwarded(new CloseSession("s1", "sessionClosedByServer", ack.getRef())));
        assertTrue(ack.receiveMessage().ok());
        assertEquals(new ParticipantEvicted("a", "sessionClosedByServer"), a.receiveMessage().event());
        ParticipantEvent aLeft = b.receiveMessage();
        assertEquals(new ParticipantLeft("a", "sessionClosedByServer"), aLeft.event());
        assertEquals(1, aLeft.seq());
        assertEquals(new ParticipantEvicted("b", "sessionClosedByServer"), b.receiveMessage().event());
        Session.Changed last = manager.fishForMessage(Duration.ofSeconds(3),
                c -> c.ended() ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0);
        assertTrue(last.ended());

        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", info("z"), kit.<ParticipantEvent>createTestProbe().getRef(),
                reply.getRef())));
        assertEquals(404, reply.receiveMessage().errorCode());
    }

    @Test
    void theLastParticipantLeavingEndsTheSessionAndTellsTheMasters() {
        join("a");
        TestProbe<Ack> ack = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Leave("s1", "a", ack.getRef())));
        assertTrue(ack.receiveMessage().ok());
        List<SessionNotice> messages = notices.receiveSeveralMessages(3);
        assertEquals(List.of(
                new io.tessera.common.protocol.ClusterTopics.ParticipantRemoved("s1", "a", "disconnect"),
                new io.tessera.common.protocol.ClusterTopics.SessionEnded("s1", "lastParticipantLeft")),
                messages.subList(1, 3));
        assertInstanceOf(io.tessera.common.protocol.ClusterTopics.ParticipantActivated.class, messages.get(0));
    }

    // --- media -------------------------------------------------------------------------------------------

    private static final StreamInfo CAMERA = new StreamInfo(null, 0, false, true, false, true, "CAMERA", 30,
            "{\"width\":640,\"height\":480}");

    private static String offer(int port, String direction) {
        return "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video " + port + " RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na="
                + direction + "\r\n";
    }

    private SdpReply publish(String connectionId, String sdp) {
        TestProbe<SdpReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Publish("s1", connectionId, CAMERA, sdp, reply.getRef())));
        return reply.receiveMessage();
    }

    private SdpReply subscribe(String connectionId, String streamId, String sdp) {
        TestProbe<SdpReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Subscribe("s1", connectionId, streamId, sdp, reply.getRef())));
        return reply.receiveMessage();
    }

    @Test
    void publishingIsAnnouncedToTheOthersAndShownToLaterJoiners() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        a.receiveMessage(); // b joined
        SdpReply published = publish("a", offer(50000, "sendonly"));
        assertTrue(published.ok(), published.error());
        String streamId = published.stream().streamId();
        assertTrue(streamId.matches("str_CAM_[A-Za-z]{4}_a"), streamId);
        assertTrue(published.sdpAnswer().contains("c=IN IP4 127.0.0.1"), published.sdpAnswer());

        ParticipantEvent announced = b.receiveMessage();
        assertEquals(new ParticipantPublished("a", published.stream()), announced.event());
        a.expectNoMessage(Duration.ofMillis(100));

        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", info("c"), kit.<ParticipantEvent>createTestProbe().getRef(),
                reply.getRef())));
        PeerInfo peerA = reply.receiveMessage().others().get(0);
        assertEquals(List.of(published.stream()), peerA.streams(), "a joiner sees the streams already published");

        assertEquals(409, publish("a", offer(50002, "sendonly")).errorCode(), "one stream per participant");
    }

    @Test
    void subscribeUnsubscribeAndUnpublish() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        a.receiveMessage();
        String streamId = publish("a", offer(50000, "sendonly")).stream().streamId();
        b.receiveMessage();

        SdpReply subscribed = subscribe("b", streamId, offer(50010, "recvonly"));
        assertTrue(subscribed.ok(), subscribed.error());
        assertTrue(subscribed.sdpAnswer().contains("a=sendonly"), subscribed.sdpAnswer());
        assertEquals(409, subscribe("b", streamId, offer(50012, "recvonly")).errorCode());
        assertEquals(404, subscribe("b", "str_CAM_Nope_x", offer(50012, "recvonly")).errorCode());
        assertEquals(102, subscribe("zed", streamId, offer(50012, "recvonly")).errorCode());
        assertEquals(400, subscribe("b", streamId, "v=0\r\nnonsense").errorCode());
        assertEquals(4, engine.stats().portsInUse());

        TestProbe<Ack> ack = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Unsubscribe("s1", "b", streamId, ack.getRef())));
        assertTrue(ack.receiveMessage().ok());
        session.tell(new Session.Forwarded(new Unsubscribe("s1", "b", streamId, ack.getRef())));
        assertEquals(404, ack.receiveMessage().errorCode());

        subscribe("b", streamId, offer(50014, "recvonly"));
        session.tell(new Session.Forwarded(new Unpublish("s1", "a", ack.getRef())));
        assertTrue(ack.receiveMessage().ok());
        assertEquals(new ParticipantUnpublished("a", streamId, "unpublish"), b.receiveMessage().event());
        awaitPortsInUse(0);
        session.tell(new Session.Forwarded(new Unpublish("s1", "a", ack.getRef())));
        assertEquals(404, ack.receiveMessage().errorCode());
    }

    @Test
    void leavingReleasesEverythingTheParticipantHeld() {
        TestProbe<ParticipantEvent> a = join("a");
        TestProbe<ParticipantEvent> b = join("b");
        a.receiveMessage();
        String streamA = publish("a", offer(50000, "sendonly")).stream().streamId();
        String streamB = publish("b", offer(50002, "sendonly")).stream().streamId();
        assertTrue(subscribe("a", streamB, offer(50010, "recvonly")).ok());
        assertTrue(subscribe("b", streamA, offer(50012, "recvonly")).ok());
        assertEquals(8, engine.stats().portsInUse());

        TestProbe<Ack> ack = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Leave("s1", "b", ack.getRef())));
        assertTrue(ack.receiveMessage().ok());
        awaitPortsInUse(2); // only a's own stream is left
        session.tell(new Session.Forwarded(new Leave("s1", "a", ack.getRef())));
        assertTrue(ack.receiveMessage().ok());
        awaitPortsInUse(0);
    }

    private static void awaitPortsInUse(int ports) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().portsInUse() == ports);
    }
}
