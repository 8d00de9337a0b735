package io.tessera.media.session;

import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.AddIceCandidate;
import io.tessera.common.protocol.MediaNodeProtocol.ForciblyReconnectSubscriber;
import io.tessera.common.protocol.MediaNodeProtocol.MediaNodeFailed;
import io.tessera.common.protocol.MediaNodeProtocol.ReconnectStream;
import io.tessera.common.protocol.MediaNodeProtocol.ChangeStreamProperty;
import io.tessera.common.protocol.MediaNodeProtocol.DescribeSession;
import io.tessera.common.protocol.MediaNodeProtocol.SessionMedia;
import io.tessera.common.protocol.MediaNodeProtocol.StreamPropertyChanged;
import io.tessera.common.protocol.MediaNodeProtocol.Join;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.Leave;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantJoined;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantPublished;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantUnpublished;
import io.tessera.common.protocol.MediaNodeProtocol.PrepareSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Publish;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.StartSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Subscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Unpublish;
import io.tessera.common.protocol.MediaNodeProtocol.Unsubscribe;
import io.tessera.media.rtp.PlainRtpEngine;
import io.tessera.media.webrtc.WebRtcEngine;
import io.tessera.wire.jsonrpc.ErrorCode;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session's WebRTC side against a scripted {@link WebRtcEngine}: what the session asks of the engine, when the
 * others hear of a stream, and what the clients get back. The real engine with real browsers is in cluster-it
 * ({@code OpenViduBrowserTest}).
 */
class SessionWebRtcTest {
    private static final ActorTestKit kit = ActorTestKit.create("SessionWebRtcTest", com.typesafe.config.ConfigFactory
            .parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
            .withFallback(com.typesafe.config.ConfigFactory.load("tessera-media")));
    private static final String OFFER = "v=0\r\na=ice-ufrag:abcd\r\na=fingerprint:sha-256 00\r\nm=audio 9 "
            + "UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
    private static final String ANSWER = "v=0\r\na=ice-ufrag:efgh\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";

    private ActorRef<Session.Message> session;
    private PlainRtpEngine engine;
    private final ScriptedWebRtcEngine webrtc = new ScriptedWebRtcEngine();

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void start() throws IOException {
        engine = new PlainRtpEngine(new PlainRtpEngine.Settings("127.0.0.1", "127.0.0.1", 44000, 44099, 1, 65536, 64,
                Duration.ofMillis(200)));
        TestProbe<Session.Changed> manager = kit.createTestProbe();
        TestProbe<SessionNotice> notices = kit.createTestProbe();
        session = kit.spawn(Session.create("s1", new Session.Settings("media-1", 5, Duration.ofSeconds(5), 50),
                manager.getRef(), notices.getRef(), engine, webrtc, SessionMeters.unscraped()));
    }

    @AfterEach
    void stop() {
        kit.stop(session);
        engine.close();
    }

    @Test
    void aWebRtcStreamIsAnnouncedOnlyOnceItsPublisherIsUp() {
        TestProbe<ParticipantEvent> a = join("a").signalling;
        Joined b = join("b");
        assertEquals("janus", b.reply.webrtcEngine(), "joinRoom learns that browsers subscribe by server offer");
        assertInstanceOf(ParticipantJoined.class, a.receiveMessage().event());

        SdpReply published = publish("a", OFFER);
        assertTrue(published.ok(), published.error());
        assertEquals("answer-of-a", published.sdpAnswer());
        String streamId = published.stream().streamId();
        assertEquals(List.of("publish s1 a " + streamId), webrtc.calls);
        b.signalling.expectNoMessage(Duration.ofMillis(200));
        Joined early = join("c");
        assertTrue(early.reply.others().stream().allMatch(o -> o.streams().isEmpty()),
                "a stream that is not up is not in joinRoom's value");
        assertInstanceOf(ParticipantJoined.class, b.signalling.receiveMessage().event()); // c

        webrtc.up("a");
        ParticipantPublished announced = assertInstanceOf(ParticipantPublished.class,
                b.signalling.receiveMessage().event());
        assertEquals(streamId, announced.stream().streamId());
        assertEquals(streamId, join("d").reply.others().get(0).streams().get(0).streamId());
    }

    @Test
    void subscriptionsAreServerOffersAndCandidatesFindTheirEndpoint() {
        join("a");
        Joined b = join("b");
        String streamId = publish("a", OFFER).stream().streamId();
        webrtc.up("a");
        b.signalling.receiveMessage();

        TestProbe<SdpReply> refused = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Subscribe("s1", "b", streamId, OFFER, refused.getRef())));
        SdpReply clientOffer = refused.receiveMessage();
        assertEquals(ErrorCode.UNSUPPORTED_MEDIA.code(), clientOffer.errorCode());
        assertTrue(clientOffer.error().contains("prepareReceiveVideoFrom"), clientOffer.error());

        TestProbe<SdpReply> offered = kit.createTestProbe();
        session.tell(new Session.Forwarded(new PrepareSubscribe("s1", "b", streamId, false, offered.getRef())));
        assertEquals("offer-for-b", offered.receiveMessage().sdpAnswer());
        assertEquals(Ack.success(), ask(replyTo -> new StartSubscribe("s1", "b", streamId, "answer-of-b", replyTo)));
        assertEquals(Ack.success(), ask(replyTo -> new AddIceCandidate("s1", "b", "a", "candidate:1 1 udp 1 "
                + "127.0.0.1 5000 typ host", "0", 0, replyTo)));
        assertEquals(Ack.success(), ask(replyTo -> new AddIceCandidate("s1", "a", "a", "candidate:2 1 udp 1 "
                + "127.0.0.1 5002 typ host", "0", 0, replyTo)));
        Ack unknown = ask(replyTo -> new AddIceCandidate("s1", "b", "nobody", "candidate:x", "0", 0, replyTo));
        assertEquals(ErrorCode.NOT_FOUND.code(), unknown.errorCode());
        assertTrue(webrtc.calls.containsAll(List.of("prepare s1 a b", "start s1 a b answer-of-b",
                "candidate s1 a b candidate:1 1 udp 1 127.0.0.1 5000 typ host",
                "candidate s1 a null candidate:2 1 udp 1 127.0.0.1 5002 typ host")), webrtc.calls.toString());

        // openvidu-browser names the publisher's connection, not the stream
        assertEquals(Ack.success(), ask(replyTo -> new Unsubscribe("s1", "b", "a", replyTo)));
        assertTrue(webrtc.calls.contains("unsubscribe s1 a b"), webrtc.calls.toString());
    }

    @Test
    void unpublishLeaveAndTheSessionsEndReleaseTheEngine() {
        join("a");
        Joined b = join("b");
        String streamId = publish("a", OFFER).stream().streamId();
        webrtc.up("a");
        b.signalling.receiveMessage();
        assertEquals(Ack.success(), ask(replyTo -> new Unpublish("s1", "a", replyTo)));
        assertEquals(streamId, assertInstanceOf(ParticipantUnpublished.class,
                b.signalling.receiveMessage().event()).streamId());
        assertTrue(webrtc.calls.contains("unpublish s1 a"), webrtc.calls.toString());

        publish("a", OFFER); // never up: nobody hears of it, and leaving releases it
        assertEquals(Ack.success(), ask(replyTo -> new Leave("s1", "a", replyTo)));
        b.signalling.receiveMessage(); // a left
        assertEquals(2, webrtc.calls.stream().filter("unpublish s1 a"::equals).count(), webrtc.calls.toString());
        assertEquals(Ack.success(), ask(replyTo -> new Leave("s1", "b", replyTo)));
        await().atMost(Duration.ofSeconds(5)).until(() -> webrtc.calls.contains("close s1"));
    }

    @Test
    void aRefusedPublishFreesTheParticipantToPublishAgain() {
        join("a");
        webrtc.refuseNextPublish = true;
        SdpReply refused = publish("a", OFFER);
        assertEquals(ErrorCode.BAD_REQUEST.code(), refused.errorCode(), refused.error());
        assertTrue(publish("a", OFFER).ok());
    }

    /** A publisher whose PeerConnection never comes up is released after the configured time, unannounced. */
    @Test
    void aPublisherThatNeverComesUpIsReleasedAfterTheConfiguredTimeout() {
        kit.stop(session);
        session = kit.spawn(Session.create("s1", new Session.Settings("media-1", 5,
                        GraceWindow.fixed(Duration.ofSeconds(5)), 50, Duration.ofMillis(300)), kit.<Session.Changed>createTestProbe().getRef(),
                kit.<SessionNotice>createTestProbe().getRef(), engine, webrtc, SessionMeters.unscraped()));
        join("a");
        Joined b = join("b");
        assertTrue(publish("a", OFFER).ok());
        await().atMost(Duration.ofSeconds(5)).until(() -> webrtc.calls.contains("unpublish s1 a"));
        b.signalling.expectNoMessage(Duration.ofMillis(100)); // never announced, so nothing to withdraw
        assertTrue(publish("a", OFFER).ok(), "released: it may publish again");
    }

    /**
     * streamPropertyChanged: the stream's description changes (what REST and later joiners see) and the others hear
     * of it; before the publisher is up nobody hears, and the announcement carries the new values.
     */
    @Test
    void aPublishersPropertyChangesReachTheOthersAndStayInTheStreamsDescription() {
        join("a");
        Joined b = join("b");
        String streamId = publish("a", OFFER).stream().streamId();
        assertEquals(Ack.success(), ask(replyTo -> new ChangeStreamProperty("s1", "a", streamId, "videoActive",
                "false", "publishVideo", replyTo)));
        b.signalling.expectNoMessage(Duration.ofMillis(200)); // not up yet: b knows nothing of the stream
        webrtc.up("a");
        StreamInfo announced = assertInstanceOf(ParticipantPublished.class, b.signalling.receiveMessage().event())
                .stream();
        assertEquals(false, announced.videoActive(), "announced with its latest value");

        assertEquals(Ack.success(), ask(replyTo -> new ChangeStreamProperty("s1", "a", streamId, "audioActive",
                "false", "publishAudio", replyTo)));
        assertEquals(new StreamPropertyChanged("a", streamId, "audioActive", "false", "publishAudio"),
                b.signalling.receiveMessage().event());
        assertEquals(Ack.success(), ask(replyTo -> new ChangeStreamProperty("s1", "a", streamId, "videoDimensions",
                "{\"width\":1280,\"height\":720}", "screenResized", replyTo)));
        assertEquals("videoDimensions", assertInstanceOf(StreamPropertyChanged.class,
                b.signalling.receiveMessage().event()).property());
        assertEquals(Ack.success(), ask(replyTo -> new ChangeStreamProperty("s1", "a", streamId, "videoTrack",
                "{\"label\":\"cam 2\"}", "trackReplaced", replyTo)));
        assertEquals("{\"label\":\"cam 2\"}", assertInstanceOf(StreamPropertyChanged.class,
                b.signalling.receiveMessage().event()).newValue());

        TestProbe<SessionMedia> described = kit.createTestProbe();
        session.tell(new Session.Forwarded(new DescribeSession("s1", described.getRef())));
        StreamInfo kept = described.receiveMessage().connections().get(0).published().get(0);
        assertEquals(List.of(false, false, "{\"width\":1280,\"height\":720}"),
                List.of(kept.audioActive(), kept.videoActive(), kept.videoDimensions()));
        StreamInfo seen = join("c").reply.others().get(0).streams().get(0);
        assertEquals(kept, seen, "a later joiner sees the stream as it is now");

        Ack other = ask(replyTo -> new ChangeStreamProperty("s1", "b", streamId, "audioActive", "true",
                "publishAudio", replyTo));
        assertEquals(ErrorCode.NOT_FOUND.code(), other.errorCode(), "b does not publish " + streamId);
        assertEquals("connection b does not publish stream " + streamId, other.error());
        Ack stranger = ask(replyTo -> new ChangeStreamProperty("s1", "x", streamId, "audioActive", "true",
                "publishAudio", replyTo));
        assertEquals(ErrorCode.NOT_JOINED.code(), stranger.errorCode());
    }

    // ---------------------------------------------------------------------------------------------------------

    private record Joined(TestProbe<ParticipantEvent> signalling, JoinReply reply) {
    }

    private Joined join(String connectionId) {
        TestProbe<ParticipantEvent> signalling = kit.createTestProbe();
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", new ParticipantInfo(connectionId, 1, "", "", "PUBLISHER",
                "test", null), signalling.getRef(), reply.getRef())));
        JoinReply joined = reply.receiveMessage();
        assertTrue(joined.ok(), joined.error());
        return new Joined(signalling, joined);
    }

    @Test
    void aPublisherRebuildsItsStreamUnderItsIdAndOnlyItsSubscribersAreOfferedItAgain() {
        join("a");
        Joined b = join("b");
        Joined c = join("c");
        b.signalling.receiveMessage(); // c joined
        String streamId = publish("a", OFFER).stream().streamId();
        webrtc.up("a");
        b.signalling.receiveMessage();
        c.signalling.receiveMessage(); // both heard of the stream; only b receives it
        TestProbe<SdpReply> offered = kit.createTestProbe();
        session.tell(new Session.Forwarded(new PrepareSubscribe("s1", "b", streamId, false, offered.getRef())));
        offered.receiveMessage();
        assertEquals(Ack.success(), ask(replyTo -> new StartSubscribe("s1", "b", streamId, "answer-of-b", replyTo)));
        webrtc.calls.clear();

        SdpReply rebuilt = reconnect("a", streamId, OFFER);
        assertTrue(rebuilt.ok(), rebuilt.error());
        assertEquals(streamId, rebuilt.stream().streamId(), "the same stream id, as openvidu-browser expects");
        assertEquals("answer-of-a", rebuilt.sdpAnswer());
        assertEquals(List.of("unpublish s1 a", "publish s1 a " + streamId), webrtc.calls);
        b.signalling.expectNoMessage(Duration.ofMillis(200)); // no participantUnpublished: the stream goes on

        webrtc.up("a");
        ForciblyReconnectSubscriber pushed = assertInstanceOf(ForciblyReconnectSubscriber.class,
                b.signalling.receiveMessage().event());
        assertEquals("a", pushed.connectionId());
        assertEquals(streamId, pushed.streamId());
        assertEquals("offer-for-b", pushed.sdpOffer());
        c.signalling.expectNoMessage(Duration.ofMillis(200)); // knew the stream, did not receive it: nothing

        SdpReply answered = reconnect("b", streamId, ANSWER);
        assertTrue(answered.ok(), answered.error());
        assertEquals(null, answered.sdpAnswer(), "a subscriber's answer gets {}");
        assertTrue(webrtc.calls.contains("start s1 a b " + ANSWER), webrtc.calls.toString());
    }

    /**
     * The push reached b during its own rebuild, which replaced the pushed offer; openvidu-browser answers the pushed
     * offer after its own rebuild: that second answer is refused and a fresh offer pushed.
     */
    @Test
    void anAnswerToAReplacedOfferGetsAFreshOfferPushed() {
        join("a");
        Joined b = join("b");
        String streamId = publish("a", OFFER).stream().streamId();
        webrtc.up("a");
        b.signalling.receiveMessage();
        TestProbe<SdpReply> offered = kit.createTestProbe();
        session.tell(new Session.Forwarded(new PrepareSubscribe("s1", "b", streamId, false, offered.getRef())));
        offered.receiveMessage();
        assertTrue(reconnect("b", streamId, ANSWER).ok(), "its own rebuild's answer");
        webrtc.calls.clear();

        SdpReply stale = reconnect("b", streamId, ANSWER);
        assertEquals(ErrorCode.CONFLICT.code(), stale.errorCode(), stale.error());
        ForciblyReconnectSubscriber fresh = assertInstanceOf(ForciblyReconnectSubscriber.class,
                b.signalling.receiveMessage().event());
        assertEquals(streamId, fresh.streamId());
        assertEquals(List.of("unsubscribe s1 a b", "prepare s1 a b"), webrtc.calls);
        assertTrue(reconnect("b", streamId, ANSWER).ok(), "the fresh offer's answer is taken");
    }

    @Test
    void afterAMoveAStreamIsPublishedAgainUnderItsOldIdAndTheMoversAreOfferedItNotTold() {
        Joined a = joinMoved("a");
        Joined b = joinMoved("b");
        assertInstanceOf(MediaNodeFailed.class, a.signalling.receiveMessage().event());
        assertInstanceOf(MediaNodeFailed.class, b.signalling.receiveMessage().event());
        String streamId = "str_CAM_Abcd_a";
        assertEquals(ErrorCode.NOT_FOUND.code(), reconnect("b", "str_CAM_Wxyz_nobody", ANSWER).errorCode());

        SdpReply rebuilt = reconnect("a", streamId, OFFER);
        assertTrue(rebuilt.ok(), rebuilt.error());
        assertEquals(streamId, rebuilt.stream().streamId());
        assertTrue(rebuilt.stream().hasAudio() && rebuilt.stream().hasVideo(), "read back from the offer");
        Joined newcomer = join("c");
        assertInstanceOf(ParticipantJoined.class, b.signalling.receiveMessage().event());
        webrtc.up("a");
        ForciblyReconnectSubscriber pushed = assertInstanceOf(ForciblyReconnectSubscriber.class,
                b.signalling.receiveMessage().event());
        assertEquals(streamId, pushed.streamId());
        assertEquals(streamId, assertInstanceOf(ParticipantPublished.class,
                newcomer.signalling.receiveMessage().event()).stream().streamId(), "a newcomer never knew it");
        Joined late = joinMoved("d");
        assertInstanceOf(MediaNodeFailed.class, late.signalling.receiveMessage().event());
        assertEquals(streamId, assertInstanceOf(ForciblyReconnectSubscriber.class,
                late.signalling.receiveMessage().event()).streamId(), "a mover that comes late is offered it too");
    }

    @Test
    void aStreamIdOfAnotherConnectionIsNotRepublished() {
        joinMoved("a");
        SdpReply refused = reconnect("a", "str_CAM_Abcd_b", OFFER);
        assertEquals(ErrorCode.NOT_FOUND.code(), refused.errorCode(), refused.error());
        assertEquals(List.of(), webrtc.calls);
    }

    private SdpReply reconnect(String connectionId, String streamId, String sdp) {
        TestProbe<SdpReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new ReconnectStream("s1", connectionId, streamId, sdp, reply.getRef())));
        return reply.receiveMessage();
    }

    private Joined joinMoved(String connectionId) {
        TestProbe<ParticipantEvent> signalling = kit.createTestProbe();
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", new ParticipantInfo(connectionId, 1, "", "", "PUBLISHER",
                "test", null), signalling.getRef(), reply.getRef(), "media-0", 3, "nodeCrashed", null)));
        JoinReply joined = reply.receiveMessage();
        assertTrue(joined.ok(), joined.error());
        return new Joined(signalling, joined);
    }

    private SdpReply publish(String connectionId, String offer) {
        TestProbe<SdpReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Publish("s1", connectionId, new StreamInfo(null, 0, true, true, true,
                true, "CAMERA", 30, "{}"), offer, reply.getRef())));
        return reply.receiveMessage();
    }

    private Ack ask(java.util.function.Function<ActorRef<Ack>, io.tessera.common.protocol.MediaNodeProtocol.Command>
                            command) {
        TestProbe<Ack> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(command.apply(reply.getRef())));
        return reply.receiveMessage();
    }
}
