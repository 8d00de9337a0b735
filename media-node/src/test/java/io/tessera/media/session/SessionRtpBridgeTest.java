package io.tessera.media.session;

import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.Join;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.Leave;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Publish;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Subscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Unpublish;
import io.tessera.common.protocol.MediaNodeProtocol.Unsubscribe;
import io.tessera.media.rtp.PlainRtpEngine;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.wire.rtp.Rtcp;
import io.tessera.wire.rtp.RtpHeader;
import io.tessera.wire.sdp.Direction;
import io.tessera.wire.sdp.PlainRtpAnswer;
import io.tessera.wire.sdp.PlainRtpOffer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plain RTP subscribers of a browser's stream ({@link RtpBridges}) with the real plain RTP engine and real UDP
 * sockets, the WebRTC engine scripted: a test socket plays Janus's forwarder (sends RTP from a port of its own, takes
 * keyframe requests on its RTCP port). The whole path with Janus and Chromium is cluster-it's
 * {@code BrowserAndPlainRtpTest}.
 */
class SessionRtpBridgeTest {
    private static final ActorTestKit kit = ActorTestKit.create("SessionRtpBridgeTest", com.typesafe.config.ConfigFactory
            .parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
            .withFallback(com.typesafe.config.ConfigFactory.load("tessera-media")));
    private static final String BROWSER_OFFER = "v=0\r\na=ice-ufrag:abcd\r\na=fingerprint:sha-256 00\r\nm=audio 9 "
            + "UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
    /** The shape of Janus's answer: opus on mid 0, VP8 (payload type 96) on mid 1. */
    private static final String JANUS_ANSWER = String.join("\r\n", "v=0", "o=- 1 2 IN IP4 127.0.0.2", "s=VideoRoom",
            "t=0 0", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0", "a=rtpmap:111 opus/48000/2",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=mid:1", "a=rtpmap:96 VP8/90000", "");

    private ActorRef<Session.Message> session;
    private PlainRtpEngine engine;
    private SimpleMeterRegistry registry;
    private final ScriptedWebRtcEngine webrtc = new ScriptedWebRtcEngine();
    private final List<DatagramChannel> sockets = new ArrayList<>();

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void start() throws IOException {
        engine = new PlainRtpEngine(new PlainRtpEngine.Settings("127.0.0.1", "127.0.0.1", 44200, 44299, 1, 65536, 64,
                Duration.ofMillis(200)));
        registry = new SimpleMeterRegistry();
        webrtc.answer = JANUS_ANSWER;
        TestProbe<Session.Changed> manager = kit.createTestProbe();
        TestProbe<SessionNotice> notices = kit.createTestProbe();
        session = kit.spawn(Session.create("s1", new Session.Settings("media-1", 5, Duration.ofSeconds(5), 50),
                manager.getRef(), notices.getRef(), engine, webrtc, new SessionMeters(registry)));
    }

    @AfterEach
    void stop() throws IOException {
        kit.stop(session);
        engine.close();
        for (DatagramChannel socket : sockets) {
            socket.close();
        }
    }

    @Test
    void aPlainRtpSubscriberReceivesTheBrowsersVideoAndItsKeyframeRequestsReachTheForwarder() throws Exception {
        DatagramChannel forwarderRtcp = udp();
        webrtc.forwardRtcpPort = port(forwarderRtcp);
        String streamId = browserPublishes("a");
        join("b");
        DatagramChannel bRtp = udp();
        DatagramChannel bRtcp = udp();

        SdpReply subscribed = subscribe("b", streamId, plainOffer(bRtp, bRtcp, "VP8"));
        assertTrue(subscribed.ok(), subscribed.error());
        PlainRtpAnswer answer = PlainRtpAnswer.parse(subscribed.sdpAnswer());
        assertEquals(96, answer.payloadType(), "the browser's payload type, forwarded as is");
        assertTrue(webrtc.calls.contains("forward s1 a 1"), "the video's mid is forwarded: " + webrtc.calls);
        int[] target = webrtc.forwards.get(0);
        assertEquals(target[0] + 1, target[1], "the forwarder's RTCP goes to the relay's RTCP port");
        assertEquals(1.0, registry.get("tessera.media.rtp.bridges").gauge().value());

        // Janus sends from a port of its own choosing: the relay takes it from any port of its host
        DatagramChannel forwarder = udp();
        for (int seq = 1; seq <= 5; seq++) {
            ByteBuffer packet = ByteBuffer.allocate(RtpHeader.SIZE + 4);
            RtpHeader.write(packet, false, 96, seq, seq * 3000L, answer.ssrc());
            packet.position(RtpHeader.SIZE).putInt(seq).flip();
            forwarder.send(packet, new InetSocketAddress("127.0.0.1", target[0]));
        }
        List<Integer> received = new ArrayList<>(); // sequence numbers, each packet's payload checked too
        ByteBuffer in = ByteBuffer.allocate(1500);
        await("b receives the forwarded packets").atMost(Duration.ofSeconds(5)).until(() -> {
            in.clear();
            if (bRtp.receive(in) != null) {
                in.flip();
                assertEquals(RtpHeader.sequence(in), in.getInt(RtpHeader.SIZE), "the payload, unchanged");
                assertEquals(96, RtpHeader.payloadType(in));
                received.add(RtpHeader.sequence(in));
            }
            return received.size() == 5;
        });
        assertEquals(List.of(1, 2, 3, 4, 5), received);

        ByteBuffer pli = ByteBuffer.allocate(Rtcp.PLI_SIZE);
        Rtcp.writePli(pli, 1234, answer.ssrc()); // absolute writes: the buffer is the packet
        bRtcp.send(pli, answer.rtcpSocketAddress());
        ByteBuffer feedback = ByteBuffer.allocate(1500);
        await("the keyframe request reaches the forwarder's RTCP port").atMost(Duration.ofSeconds(5))
                .until(() -> forwarderRtcp.receive(feedback.clear()) != null);
        feedback.flip();
        assertEquals(Rtcp.Feedback.KEYFRAME, Rtcp.feedbackIn(feedback));
    }

    @Test
    void subscribersShareOneRelayWhichGoesWithTheLastOfThem() throws Exception {
        String streamId = browserPublishes("a");
        join("b");
        join("c");
        assertTrue(subscribe("b", streamId, plainOffer(udp(), udp(), "VP8")).ok());
        assertTrue(subscribe("c", streamId, plainOffer(udp(), udp(), "VP8")).ok());
        assertEquals(1, webrtc.forwards.size(), "one forward for both: " + webrtc.calls);
        assertEquals(3, engine.stats().publishers() + engine.stats().subscribers(), "one relay, two subscriptions");

        assertEquals(Ack.success(), ask(replyTo -> new Unsubscribe("s1", "b", streamId, replyTo)));
        assertEquals(1.0, registry.get("tessera.media.rtp.bridges").gauge().value(), "c still receives it");
        assertEquals(Ack.success(), ask(replyTo -> new Leave("s1", "c", replyTo)));
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().publishers() == 0
                && engine.stats().subscribers() == 0);
        assertTrue(webrtc.calls.contains("stop-forward s1 1"), "the forward stops with the relay: " + webrtc.calls);
        assertEquals(0.0, registry.get("tessera.media.rtp.bridges").gauge().value());
        assertEquals(1.0, registry.get("tessera.media.rtp.bridges.opened").counter().count());
    }

    @Test
    void oneParticipantTakesTheVideoAndTheAudioAsTwoSubscriptionsEndedTogether() throws Exception {
        String streamId = browserPublishes("a");
        join("b");
        assertTrue(subscribe("b", streamId, plainOffer(udp(), udp(), "VP8")).ok());
        String audioOffer = PlainRtpOffer.write("127.0.0.1", port(udp()), port(udp()), 111, "opus", 48000, -1,
                Direction.RECVONLY).replace("m=video ", "m=audio ");
        SdpReply audio = subscribe("b", streamId, audioOffer);
        assertTrue(audio.ok(), audio.error());
        assertEquals(111, PlainRtpAnswer.parse(audio.sdpAnswer()).payloadType());
        assertTrue(webrtc.calls.contains("forward s1 a 0") && webrtc.calls.contains("forward s1 a 1"),
                webrtc.calls.toString());
        SdpReply twice = subscribe("b", streamId, plainOffer(udp(), udp(), "VP8"));
        assertEquals(ErrorCode.CONFLICT.code(), twice.errorCode(), twice.error());
        assertEquals(2.0, registry.get("tessera.media.rtp.bridges").gauge().value());

        assertEquals(Ack.success(), ask(replyTo -> new Unsubscribe("s1", "b", streamId, replyTo)));
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().publishers() == 0
                && engine.stats().subscribers() == 0);
        assertEquals(0.0, registry.get("tessera.media.rtp.bridges").gauge().value());
    }

    @Test
    void theRelayGoesWithTheBrowsersStream() throws Exception {
        String streamId = browserPublishes("a");
        join("b");
        assertTrue(subscribe("b", streamId, plainOffer(udp(), udp(), "VP8")).ok());
        assertEquals(Ack.success(), ask(replyTo -> new Unpublish("s1", "a", replyTo)));
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().publishers() == 0
                && engine.stats().subscribers() == 0);
        assertEquals(0.0, registry.get("tessera.media.rtp.bridges").gauge().value());
        assertTrue(webrtc.calls.contains("unpublish s1 a"), webrtc.calls.toString());
        assertTrue(webrtc.calls.stream().noneMatch(c -> c.startsWith("stop-forward")),
                "Janus ends the forwards with the publisher: " + webrtc.calls);
    }

    @Test
    void aCodecTheBrowserDidNotChooseOrAMissingMediumIsRefusedWith415() throws Exception {
        String streamId = browserPublishes("a");
        join("b");
        SdpReply h264 = subscribe("b", streamId, plainOffer(udp(), udp(), "H264"));
        assertEquals(ErrorCode.UNSUPPORTED_MEDIA.code(), h264.errorCode(), h264.error());
        assertTrue(h264.error().contains("VP8/90000") && h264.error().contains("H264/90000"), h264.error());
        assertTrue(webrtc.forwards.isEmpty(), "nothing forwarded for a refusal");
        assertEquals(1.0, registry.get("tessera.media.rtp.bridges.refused").tag("reason", "codec").counter().count());

        webrtc.answer = JANUS_ANSWER.substring(0, JANUS_ANSWER.indexOf("m=video")); // an audio-only browser
        String audioOnly = browserPublishes("c");
        SdpReply video = subscribe("b", audioOnly, plainOffer(udp(), udp(), "VP8"));
        assertEquals(ErrorCode.UNSUPPORTED_MEDIA.code(), video.errorCode(), video.error());
        assertTrue(video.error().contains("carries no video"), video.error());
        assertEquals(0, engine.stats().publishers(), "no relay opened");
    }

    // --- helpers ---

    private String browserPublishes(String connectionId) {
        join(connectionId);
        TestProbe<SdpReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Publish("s1", connectionId, new StreamInfo(null, 0, true, true, true,
                true, "CAMERA", 30, "{}"), BROWSER_OFFER, reply.getRef())));
        SdpReply published = reply.receiveMessage();
        assertTrue(published.ok(), published.error());
        webrtc.up(connectionId);
        return published.stream().streamId();
    }

    private void join(String connectionId) {
        TestProbe<ParticipantEvent> signalling = kit.createTestProbe();
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", new ParticipantInfo(connectionId, 1, "", "", "PUBLISHER",
                "test", null), signalling.getRef(), reply.getRef())));
        JoinReply joined = reply.receiveMessage();
        assertTrue(joined.ok(), joined.error());
    }

    private SdpReply subscribe(String connectionId, String streamId, String offer) {
        TestProbe<SdpReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Subscribe("s1", connectionId, streamId, offer, reply.getRef())));
        return reply.receiveMessage(Duration.ofSeconds(5));
    }

    private Ack ask(java.util.function.Function<ActorRef<Ack>, io.tessera.common.protocol.MediaNodeProtocol.Command>
                            command) {
        TestProbe<Ack> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(command.apply(reply.getRef())));
        return reply.receiveMessage();
    }

    private static String plainOffer(DatagramChannel rtp, DatagramChannel rtcp, String codec) throws IOException {
        return PlainRtpOffer.write("127.0.0.1", port(rtp), port(rtcp), 96, codec, 90000, -1, Direction.RECVONLY);
    }

    private DatagramChannel udp() throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.configureBlocking(false);
        sockets.add(channel);
        return channel;
    }

    private static int port(DatagramChannel channel) throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }
}
