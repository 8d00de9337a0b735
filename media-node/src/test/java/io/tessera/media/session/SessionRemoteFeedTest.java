package io.tessera.media.session;

import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.Join;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.PrepareSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Publish;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.StartSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Unpublish;
import io.tessera.media.rtp.PlainRtpEngine;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.wire.rtp.Rtcp;
import io.tessera.wire.rtp.RtpHeader;
import io.tessera.wire.sdp.Direction;
import io.tessera.wire.sdp.PlainRtpAnswer;
import io.tessera.wire.sdp.PlainRtpOffer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
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
 * Browsers subscribing to a plain RTP stream ({@link RemoteFeeds}) with the real plain RTP engine and UDP sockets, the
 * WebRTC engine scripted: a test socket plays Janus's remote publisher (takes RTP, expects SSRC 1000, sends PLI).
 */
class SessionRemoteFeedTest {
    private static final ActorTestKit kit = ActorTestKit.create("SessionRemoteFeedTest", com.typesafe.config
            .ConfigFactory.parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
            .withFallback(com.typesafe.config.ConfigFactory.load("tessera-media")));

    private ActorRef<Session.Message> session;
    private PlainRtpEngine engine;
    private final ScriptedWebRtcEngine webrtc = new ScriptedWebRtcEngine();
    private final List<DatagramChannel> sockets = new ArrayList<>();

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void start() throws IOException {
        engine = new PlainRtpEngine(new PlainRtpEngine.Settings("127.0.0.1", "127.0.0.1", 44300, 44399, 1, 65536, 64,
                Duration.ofMillis(200)));
        TestProbe<Session.Changed> manager = kit.createTestProbe();
        TestProbe<SessionNotice> notices = kit.createTestProbe();
        session = kit.spawn(Session.create("s1", new Session.Settings("media-1", 5, Duration.ofSeconds(5), 50),
                manager.getRef(), notices.getRef(), engine, webrtc, SessionMeters.unscraped()));
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
    void aBrowserIsOfferedAPlainStreamWhichReachesTheRemotePublisherWithItsSsrc() throws Exception {
        DatagramChannel janusRtp = udp();
        DatagramChannel janusRtcp = udp();
        webrtc.remoteRtpPort = port(janusRtp);
        webrtc.remoteRtcpPort = port(janusRtcp);
        DatagramChannel aRtp = udp();
        DatagramChannel aRtcp = udp();
        join("a");
        SdpReply published = publish("a", PlainRtpOffer.write("127.0.0.1", port(aRtp), port(aRtcp), 96, "VP8", 90000,
                0x5555L, Direction.SENDONLY));
        assertTrue(published.ok(), published.error());
        String streamId = published.stream().streamId();
        join("b");

        SdpReply offered = prepare("b", streamId);
        assertTrue(offered.ok(), offered.error());
        assertEquals("offer-for-b", offered.sdpAnswer());
        assertTrue(webrtc.calls.contains("remote s1 a video vp8"), webrtc.calls.toString());
        assertEquals(Ack.success(), ask(replyTo -> new StartSubscribe("s1", "b", streamId, "answer-of-b", replyTo)));

        ByteBuffer latch = ByteBuffer.allocate(1500);
        SocketAddress feedRtcp = await("a receiver report for Janus to latch on").atMost(Duration.ofSeconds(5))
                .until(() -> janusRtcp.receive(latch.clear()), from -> from != null);
        ByteBuffer packet = ByteBuffer.allocate(RtpHeader.SIZE + 4);
        RtpHeader.write(packet, false, 96, 7, 700, 0x5555L);
        packet.position(RtpHeader.SIZE).putInt(42).flip();
        aRtp.send(packet, rtpAddress(published.sdpAnswer()));
        ByteBuffer in = ByteBuffer.allocate(1500);
        await("the packet reaches the remote publisher").atMost(Duration.ofSeconds(5))
                .until(() -> janusRtp.receive(in.clear()) != null);
        in.flip();
        assertEquals(1000, in.getInt(8), "the SSRC Janus expects for m-index 0");
        assertEquals(7, RtpHeader.sequence(in));
        assertEquals(42, in.getInt(RtpHeader.SIZE));

        ByteBuffer pli = ByteBuffer.allocate(Rtcp.PLI_SIZE);
        Rtcp.writePli(pli, 1, 1000);
        janusRtcp.send(pli, feedRtcp);
        ByteBuffer feedback = ByteBuffer.allocate(1500);
        await("the browser's keyframe request reaches the plain publisher").atMost(Duration.ofSeconds(5))
                .until(() -> aRtcp.receive(feedback.clear()) != null);

        join("c");
        assertTrue(prepare("c", streamId).ok());
        assertEquals(1, webrtc.calls.stream().filter(c -> c.startsWith("remote ")).count(), "one feed for both");

        assertEquals(Ack.success(), ask(replyTo -> new Unpublish("s1", "a", replyTo)));
        assertTrue(webrtc.calls.contains("unpublish s1 a"), "the remote publisher goes with the stream: "
                + webrtc.calls);
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().publishers() == 0
                && engine.stats().subscribers() == 0);
    }

    @Test
    void aCodecBrowsersCannotTakeIsRefusedWith415() throws Exception {
        join("a");
        SdpReply published = publish("a", PlainRtpOffer.write("127.0.0.1", port(udp()), port(udp()), 34, "H263",
                90000, -1, Direction.SENDONLY));
        assertTrue(published.ok(), published.error());
        join("b");
        SdpReply refused = prepare("b", published.stream().streamId());
        assertEquals(ErrorCode.UNSUPPORTED_MEDIA.code(), refused.errorCode(), refused.error());
        assertTrue(refused.error().contains("H263/90000"), refused.error());
        assertTrue(webrtc.calls.stream().noneMatch(c -> c.startsWith("remote ")), webrtc.calls.toString());
    }

    private static InetSocketAddress rtpAddress(String answer) {
        return PlainRtpAnswer.parse(answer).rtpSocketAddress();
    }

    private SdpReply publish(String connectionId, String offer) {
        TestProbe<SdpReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Publish("s1", connectionId, new StreamInfo(null, 0, false, true, false,
                true, "CAMERA", 30, "{}"), offer, reply.getRef())));
        return reply.receiveMessage();
    }

    private SdpReply prepare(String connectionId, String streamId) {
        TestProbe<SdpReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new PrepareSubscribe("s1", connectionId, streamId, false, reply.getRef())));
        return reply.receiveMessage(Duration.ofSeconds(5));
    }

    private void join(String connectionId) {
        TestProbe<ParticipantEvent> signalling = kit.createTestProbe();
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(new Join("s1", new ParticipantInfo(connectionId, 1, "", "", "PUBLISHER",
                "test", null), signalling.getRef(), reply.getRef())));
        JoinReply joined = reply.receiveMessage();
        assertTrue(joined.ok(), joined.error());
    }

    private Ack ask(java.util.function.Function<ActorRef<Ack>, io.tessera.common.protocol.MediaNodeProtocol.Command>
                            command) {
        TestProbe<Ack> reply = kit.createTestProbe();
        session.tell(new Session.Forwarded(command.apply(reply.getRef())));
        return reply.receiveMessage();
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
