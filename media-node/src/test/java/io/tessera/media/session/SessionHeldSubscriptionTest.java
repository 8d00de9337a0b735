package io.tessera.media.session;

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
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After a move, a subscriber's plain RTP offer for a stream's old id waits for the stream's publisher to publish
 * again on this node and is then served for the new stream ({@link HeldSubscriptions}): media reaches the address
 * the offer named, and the answer names the new stream id.
 */
class SessionHeldSubscriptionTest {
    private static final ActorTestKit kit = PlainRtpSession.testKit("SessionHeldSubscriptionTest");
    private static final StreamInfo CAMERA = new StreamInfo(null, 0, false, true, false, true, "CAMERA", 30, "");
    /** The id a's stream had on the node the session moved from. */
    private static final String OLD_STREAM_OF_A = "str_CAM_Wxyz_a";

    private PlainRtpSession session;
    private DatagramChannel subscriberRtp;
    private DatagramChannel publisherRtp;

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void start() throws IOException {
        session = new PlainRtpSession(kit, new Session.Settings("media-2", 4, Duration.ofMillis(300), 50));
        subscriberRtp = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        publisherRtp = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() throws IOException {
        session.close();
        subscriberRtp.close();
        publisherRtp.close();
    }

    @Test
    void anOfferForAnOldStreamIsServedWhenItsPublisherPublishesAgainHere() throws Exception {
        joinMoved("b"); // the subscriber follows its session first
        TestProbe<SdpReply> held = subscribe("b", OLD_STREAM_OF_A, offer(subscriberRtp, "recvonly"));
        held.expectNoMessage(Duration.ofMillis(300));

        joinMoved("a");
        SdpReply published = publish("a");
        assertNotEquals(OLD_STREAM_OF_A, published.stream().streamId(), "published again under a new id");
        SdpReply subscribed = held.receiveMessage();
        assertTrue(subscribed.ok(), subscribed.error());
        assertEquals(published.stream().streamId(), subscribed.stream().streamId(), "the answer names the new id");
        assertTrue(subscribed.sdpAnswer().contains("a=sendonly"), subscribed.sdpAnswer());

        assertMediaFlows(published.sdpAnswer());
    }

    @Test
    void anOfferComingAfterThePublisherPublishedAgainIsServedAtOnce() throws Exception {
        joinMoved("a");
        joinMoved("b");
        SdpReply published = publish("a");
        SdpReply subscribed = subscribe("b", OLD_STREAM_OF_A, offer(subscriberRtp, "recvonly")).receiveMessage();
        assertTrue(subscribed.ok(), subscribed.error());
        assertEquals(published.stream().streamId(), subscribed.stream().streamId());
        assertMediaFlows(published.sdpAnswer());
    }

    @Test
    void anOfferIsRefusedAfterTheHoldWhenThePublisherNeverPublishesAgain() {
        joinMoved("a");
        joinMoved("b");
        TestProbe<SdpReply> held = subscribe("b", OLD_STREAM_OF_A, offer(subscriberRtp, "recvonly"));
        assertEquals(409, subscribe("b", OLD_STREAM_OF_A, offer(subscriberRtp, "recvonly")).receiveMessage()
                .errorCode(), "one offer held per subscriber and publisher");
        SdpReply refused = held.receiveMessage(HeldSubscriptions.HOLD.plusSeconds(2));
        assertEquals(404, refused.errorCode());
        assertTrue(refused.error().contains("did not publish here again"), refused.error());
    }

    @Test
    void anOfferIsRefusedWhenThePublisherLeaves() {
        joinMoved("a");
        joinMoved("b");
        TestProbe<SdpReply> held = subscribe("b", OLD_STREAM_OF_A, offer(subscriberRtp, "recvonly"));
        TestProbe<Ack> ack = kit.createTestProbe();
        session.forward(new Leave("s1", "a", ack.getRef()));
        assertTrue(ack.receiveMessage().ok());
        SdpReply refused = held.receiveMessage();
        assertEquals(404, refused.errorCode());
        assertTrue(refused.error().contains("left"), refused.error());
    }

    /** Holding is for participants that moved here: a fresh join's offer for an unknown stream is 404 at once. */
    @Test
    void anOfferOfAParticipantThatDidNotMoveIsRefusedAtOnce() {
        joinMoved("a");
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.forward(new Join("s1", info("c"), kit.<ParticipantEvent>createTestProbe().getRef(), reply.getRef()));
        assertTrue(reply.receiveMessage().ok());
        assertEquals(404, subscribe("c", OLD_STREAM_OF_A, offer(subscriberRtp, "recvonly")).receiveMessage()
                .errorCode());
        assertEquals(404, subscribe("a", "str_CAM_Wxyz_a", offer(subscriberRtp, "recvonly")).receiveMessage()
                .errorCode(), "not its own stream");
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private void joinMoved(String connectionId) {
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.forward(new Join("s1", info(connectionId),
                kit.<ParticipantEvent>createTestProbe().getRef(), reply.getRef(), "media-1", 3, "nodeCrashed", null));
        JoinReply joined = reply.receiveMessage();
        assertTrue(joined.ok(), joined.error());
    }

    private SdpReply publish(String connectionId) throws IOException {
        TestProbe<SdpReply> reply = kit.createTestProbe();
        session.forward(new Publish("s1", connectionId, CAMERA, offer(publisherRtp, "sendonly"), reply.getRef()));
        SdpReply published = reply.receiveMessage();
        assertTrue(published.ok(), published.error());
        return published;
    }

    private TestProbe<SdpReply> subscribe(String connectionId, String streamId, String sdp) {
        TestProbe<SdpReply> reply = kit.createTestProbe();
        session.forward(new Subscribe("s1", connectionId, streamId, sdp, reply.getRef()));
        return reply;
    }

    /** A packet the publisher sends to the node's answer reaches the subscriber's offered port. */
    private void assertMediaFlows(String publishAnswer) throws Exception {
        Matcher port = Pattern.compile("m=video (\\d+) RTP/AVP").matcher(publishAnswer);
        assertTrue(port.find(), publishAnswer);
        ByteBuffer packet = ByteBuffer.allocate(100);
        packet.put((byte) 0x80).put((byte) 96).putShort((short) 7).putInt(21_000).putInt(0x11223344);
        packet.position(100).flip();
        publisherRtp.send(packet, new InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1))));
        subscriberRtp.socket().setSoTimeout(5_000);
        byte[] data = new byte[2048];
        java.net.DatagramPacket received = new java.net.DatagramPacket(data, data.length);
        subscriberRtp.socket().receive(received); // a SocketTimeoutException fails the test
        assertEquals(100, received.getLength());
        assertEquals(7, ByteBuffer.wrap(data).getShort(2));
    }

    private static String offer(DatagramChannel rtp, String direction) {
        int port = ((InetSocketAddress) rtp.socket().getLocalSocketAddress()).getPort();
        return "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video " + port + " RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na="
                + direction + "\r\n";
    }

    private static ParticipantInfo info(String connectionId) {
        return new ParticipantInfo(connectionId, 1L, "meta-" + connectionId, "", "PUBLISHER", "test", "127.0.0.1");
    }
}
