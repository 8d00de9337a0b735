package io.tessera.media.rtp;

import io.tessera.media.engine.MediaException;
import io.tessera.media.engine.MediaException.Kind;
import io.tessera.media.engine.MediaStats;
import io.tessera.media.fencing.MediaFence;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plain RTP engine against real UDP sockets on loopback, with synthetic RTP and RTCP. */
class PlainRtpEngineTest {
    private static final String HOST = "127.0.0.1";
    private static final int SSRC = 0x11223344;

    private PlainRtpEngine engine;
    private final List<DatagramChannel> peers = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        engine = engine(41000, 41999);
    }

    @AfterEach
    void stop() throws IOException {
        engine.close();
        for (DatagramChannel peer : peers) {
            peer.close();
        }
    }

    @Test
    void forwardingThreadsAskForTheHighestPriority() {
        // A failover's placements must not take the forwarding threads' CPU (the OS honours it with
        // -XX:ThreadPriorityPolicy=1, OPERATIONS.md); the request itself is what the node controls.
        List<Thread> forwarding = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("rtp-forwarding-")).toList();
        assertFalse(forwarding.isEmpty(), "no forwarding thread found");
        forwarding.forEach(t -> assertEquals(Thread.MAX_PRIORITY, t.getPriority(), t.getName()));
    }

    @Test
    void forwardsEveryPacketUnchangedAndInOrderToEachSubscriber() throws Exception {
        Peer publisher = peer();
        String answer = engine.publish("str_1", offer(publisher, "sendonly"));
        assertTrue(answer.contains("a=recvonly"), answer);
        Peer a = peer();
        Peer b = peer();
        String answerA = engine.subscribe("str_1", "con_a", offer(a, "recvonly"));
        engine.subscribe("str_1", "con_b", offer(b, "recvonly"));
        assertTrue(answerA.contains("a=sendonly") && answerA.contains("a=rtpmap:96 VP8/90000"), answerA);
        engine.stats(); // a barrier: the loop has run the subscribe commands

        InetSocketAddress target = rtpAddress(answer);
        int count = 500;
        int burst = 50; // stays within the receiving sockets' default kernel buffers
        for (int first = 0; first < count; first += burst) {
            for (int seq = first; seq < first + burst; seq++) {
                publisher.rtp.send(rtp(seq, 1200), target);
            }
            for (Peer subscriber : List.of(a, b)) {
                for (int seq = first; seq < first + burst; seq++) {
                    ByteBuffer packet = subscriber.receiveRtp();
                    assertEquals(1200, packet.remaining());
                    assertEquals(seq, packet.getShort(2) & 0xffff, "order kept");
                    assertEquals(SSRC, packet.getInt(8), "SSRC kept");
                    assertArrayEquals(bytes(rtp(seq, 1200)), bytes(packet), "payload kept");
                }
            }
        }
        MediaStats stats = engine.stats();
        assertEquals(count, stats.packetsReceived());
        assertEquals(2L * count, stats.packetsForwarded());
        assertEquals(0, stats.packetsDropped());
        assertEquals(1200L * count, stats.bytesReceived());
        assertEquals(2L * 1200 * count, stats.bytesForwarded());
    }

    @Test
    void aLateSubscriberGetsPacketsFromThenOn() throws Exception {
        Peer publisher = peer();
        InetSocketAddress target = rtpAddress(engine.publish("str_1", offer(publisher, "sendonly")));
        Peer early = peer();
        engine.subscribe("str_1", "con_early", offer(early, "recvonly"));
        engine.stats();
        for (int seq = 0; seq < 50; seq++) {
            publisher.rtp.send(rtp(seq, 200), target);
        }
        for (int seq = 0; seq < 50; seq++) {
            assertEquals(seq, early.receiveRtp().getShort(2));
        }
        Peer late = peer();
        engine.subscribe("str_1", "con_late", offer(late, "recvonly"));
        engine.stats();
        for (int seq = 50; seq < 100; seq++) {
            publisher.rtp.send(rtp(seq, 200), target);
        }
        for (int seq = 50; seq < 100; seq++) {
            assertEquals(seq, late.receiveRtp().getShort(2), "the late subscriber starts at the first packet after it joined");
            assertEquals(seq, early.receiveRtp().getShort(2));
        }
    }

    @Test
    void keyframeRequestsTravelBackToThePublisherAndAreCollapsed() throws Exception {
        Peer publisher = peer();
        engine.publish("str_1", offer(publisher, "sendonly"));
        Peer subscriber = peer();
        String answer = engine.subscribe("str_1", "con_a", offer(subscriber, "recvonly"));
        InetSocketAddress feedbackTarget = rtcpAddress(answer);

        subscriber.rtcp.send(pli(), feedbackTarget);
        ByteBuffer received = publisher.receiveRtcp();
        assertEquals(206, received.get(1) & 0xff, "payload-specific feedback");
        assertEquals(1, received.get(0) & 0x1f, "PLI");
        assertEquals(SSRC, received.getInt(8), "media SSRC kept");

        // A second request right after the first is collapsed (200 ms interval), a receiver report alone is not passed.
        subscriber.rtcp.send(pli(), feedbackTarget);
        subscriber.rtcp.send(receiverReport(), feedbackTarget);
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().feedbackThrottled() == 1);
        assertNull(publisher.pollRtcp(Duration.ofMillis(200)));
    }

    @Test
    void senderReportsReachTheSubscribers() throws Exception {
        Peer publisher = peer();
        String answer = engine.publish("str_1", offer(publisher, "sendonly"));
        Peer subscriber = peer();
        engine.subscribe("str_1", "con_a", offer(subscriber, "recvonly"));
        engine.stats();
        publisher.rtcp.send(senderReport(), rtcpAddress(answer));
        ByteBuffer report = subscriber.receiveRtcp();
        assertEquals(200, report.get(1) & 0xff);
        assertEquals(SSRC, report.getInt(4));
    }

    /**
     * A relay (a browser's stream forwarded by Janus, whose source port is its own): RTP from any port of its host is
     * forwarded, from another host dropped; keyframe requests wait for the forwarder's RTCP port and then go there.
     */
    @Test
    void aRelayTakesAnyPortOfItsHostAndSendsFeedbackWhereItIsTold() throws Exception {
        int relayPort = engine.publishRelay("str_1~video", "video",
                new io.tessera.wire.sdp.RtpFormat(96, "VP8", 90000, null, null), 0xABCDL,
                java.net.InetAddress.getByName(HOST));
        Peer subscriber = peer();
        String answer = engine.subscribe("str_1~video", "con_a", offer(subscriber, "recvonly"));
        assertTrue(answer.contains("a=ssrc:43981 cname:tessera-relay"), answer);
        engine.stats();
        InetSocketAddress target = new InetSocketAddress(HOST, relayPort);
        Peer forwarder = peer(); // any port of 127.0.0.1
        forwarder.rtp.send(rtp(1, 100), target);
        assertEquals(1, subscriber.receiveRtp().getShort(2));
        Peer otherPort = peer();
        otherPort.rtcp.send(rtp(2, 100), target);
        assertEquals(2, subscriber.receiveRtp().getShort(2), "another port of the same host is fine too");
        try (DatagramChannel otherLoopback = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress("127.0.0.2", 0))) {
            otherLoopback.send(rtp(3, 100), target);
            assertEquals(3, subscriber.receiveRtp().getShort(2), "any loopback address: the kernel picks the source "
                    + "of a packet to 127.0.0.x by its route");
        }
        assertEquals(0, engine.stats().foreignPackets());

        subscriber.rtcp.send(pli(), rtcpAddress(answer));
        assertNull(forwarder.pollRtcp(Duration.ofMillis(300)), "no feedback target yet: dropped");
        engine.relayFeedbackTo("str_1~video", (InetSocketAddress) forwarder.rtcp.getLocalAddress());
        engine.stats(); // a barrier: the loop has taken the target (and a dropped request did not start the interval)
        subscriber.rtcp.send(pli(), rtcpAddress(answer));
        ByteBuffer feedback = forwarder.receiveRtcp();
        assertEquals(206, feedback.get(1) & 0xff, "the PLI reaches the forwarder");
    }

    /**
     * A subscription that re-sends with an SSRC of its own (a plain RTP stream to Janus's remote publisher): its
     * packets carry that SSRC, another subscriber of the same packets still gets the publisher's (the buffer they share
     * is put back), the payload is untouched; the peer learns where to send feedback from a receiver report sent at once,
     * and its keyframe requests reach the publisher.
     */
    @Test
    void aRewritingSubscriptionSendsItsOwnSsrcAndLeavesTheOthersAlone() throws Exception {
        Peer publisher = peer();
        InetSocketAddress target = rtpAddress(engine.publish("str_1", offer(publisher, "sendonly")));
        Peer plain = peer();
        engine.subscribe("str_1", "con_a", offer(plain, "recvonly"));
        Peer janus = peer();
        engine.subscribeRewriting("str_1", "janus", (InetSocketAddress) janus.rtp.getLocalAddress(),
                (InetSocketAddress) janus.rtcp.getLocalAddress(), 1000);
        ByteBuffer latch = janus.receiveRtcp();
        assertEquals(201, latch.get(1) & 0xff, "a receiver report first, for the peer to latch on");
        assertEquals(1000, latch.getInt(4));
        InetSocketAddress subscriptionRtcp = (InetSocketAddress) janus.lastRtcpSource; // the subscription's RTCP port

        for (int seq = 0; seq < 20; seq++) {
            publisher.rtp.send(rtp(seq, 300), target);
            ByteBuffer rewritten = janus.receiveRtp();
            ByteBuffer kept = plain.receiveRtp();
            assertEquals(1000, rewritten.getInt(8), "the remote publisher's SSRC");
            assertEquals(SSRC, kept.getInt(8), "the other subscriber still gets the publisher's SSRC");
            assertEquals(seq, rewritten.getShort(2) & 0xffff);
            ByteBuffer expected = rtp(seq, 300);
            expected.putInt(8, 1000);
            assertArrayEquals(bytes(expected), bytes(rewritten), "nothing but the SSRC changed");
        }

        janus.rtcp.send(pli(), subscriptionRtcp);
        ByteBuffer feedback = publisher.receiveRtcp();
        assertEquals(206, feedback.get(1) & 0xff, "the remote publisher's PLI reaches the plain publisher");
        engine.unsubscribe("str_1", "janus");
        assertEquals(1, engine.stats().subscribers());
    }

    @Test
    void packetsFromAnyoneButThePublisherAreDroppedAndCounted() throws Exception {
        Peer publisher = peer();
        InetSocketAddress target = rtpAddress(engine.publish("str_1", offer(publisher, "sendonly")));
        Peer subscriber = peer();
        engine.subscribe("str_1", "con_a", offer(subscriber, "recvonly"));
        engine.stats();
        Peer intruder = peer();
        for (int i = 0; i < 10; i++) {
            intruder.rtp.send(rtp(1000 + i, 100), target);
        }
        publisher.rtp.send(rtp(7, 100), target);
        assertEquals(7, subscriber.receiveRtp().getShort(2), "only the publisher's packet arrives");
        MediaStats stats = engine.stats();
        assertEquals(10, stats.foreignPackets());
        assertEquals(1, stats.packetsReceived());
    }

    @Test
    void nothingIsForwardedWhileTheNodeIsFencedAndForwardingResumesWhenItIsLifted() throws Exception {
        MediaFence fence = new MediaFence();
        engine.forwardOnlyWhileOpen(fence);
        Peer publisher = peer();
        InetSocketAddress target = rtpAddress(engine.publish("str_1", offer(publisher, "sendonly")));
        Peer subscriber = peer();
        engine.subscribe("str_1", "con_a", offer(subscriber, "recvonly"));
        engine.stats();
        fence.close("cut off");
        for (int seq = 0; seq < 20; seq++) {
            publisher.rtp.send(rtp(seq, 100), target);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fence.packetsHeldBack() == 20);
        fence.lift();
        publisher.rtp.send(rtp(20, 100), target);
        assertEquals(20, subscriber.receiveRtp().getShort(2), "the first packet after the lift; none from before");
        MediaStats stats = engine.stats();
        assertEquals(1, stats.packetsForwarded());
        assertEquals(21, stats.packetsReceived());
    }

    @Test
    void unpublishAndUnsubscribeReleaseTheirPorts() throws Exception {
        Peer publisher = peer();
        String answer = engine.publish("str_1", offer(publisher, "sendonly"));
        Peer subscriber = peer();
        String subAnswer = engine.subscribe("str_1", "con_a", offer(subscriber, "recvonly"));
        assertEquals(4, engine.stats().portsInUse());

        engine.unsubscribe("str_1", "con_a");
        engine.unpublish("str_1");
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().portsInUse() == 0);
        MediaStats stats = engine.stats();
        assertEquals(0, stats.publishers());
        assertEquals(0, stats.subscribers());
        for (int port : List.of(rtpAddress(answer).getPort(), rtpAddress(subAnswer).getPort())) {
            for (int p : List.of(port, port + 1)) {
                try (DatagramChannel again = DatagramChannel.open(StandardProtocolFamily.INET)) {
                    again.bind(new InetSocketAddress(HOST, p)); // throws if the engine still held it
                }
            }
        }
        assertThrows(MediaException.class, () -> engine.subscribe("str_1", "con_b", offer(peer(), "recvonly")));
        engine.unpublish("str_1"); // twice is harmless
    }

    @Test
    void portExhaustionIsAClearErrorAndRecovers() throws Exception {
        engine.close();
        engine = engine(42000, 42003); // two pairs
        engine.publish("str_1", offer(peer(), "sendonly"));
        engine.subscribe("str_1", "con_a", offer(peer(), "recvonly"));
        MediaException full = assertThrows(MediaException.class, () -> engine.subscribe("str_1", "con_b", offer(peer(), "recvonly")));
        assertEquals(Kind.NO_CAPACITY, full.kind());
        assertEquals(503, full.kind().errorCode.code());
        assertTrue(full.getMessage().contains("no free RTP port pair"), full.getMessage());

        engine.unsubscribe("str_1", "con_a");
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.stats().portsInUse() == 2);
        assertNotNull(engine.subscribe("str_1", "con_b", offer(peer(), "recvonly")));
    }

    @Test
    void badRequestsLeaveNothingBehind() throws Exception {
        Peer publisher = peer();
        engine.publish("str_1", offer(publisher, "sendonly"));
        int portsBefore = engine.stats().portsInUse();

        assertEquals(Kind.CONFLICT, assertThrows(MediaException.class,
                () -> engine.publish("str_1", offer(publisher, "sendonly"))).kind());
        assertEquals(Kind.INVALID_SDP, assertThrows(MediaException.class,
                () -> engine.publish("str_2", offer(publisher, "recvonly"))).kind());
        assertEquals(Kind.INVALID_SDP, assertThrows(MediaException.class,
                () -> engine.publish("str_2", "v=0\r\nm=video")).kind());
        assertEquals(Kind.UNKNOWN_STREAM, assertThrows(MediaException.class,
                () -> engine.subscribe("str_nope", "con_a", offer(peer(), "recvonly"))).kind());
        Peer subscriber = peer();
        String h264 = offer(subscriber, "recvonly").replace("VP8", "H264");
        MediaException mismatch = assertThrows(MediaException.class, () -> engine.subscribe("str_1", "con_a", h264));
        assertEquals(Kind.UNSUPPORTED, mismatch.kind());
        assertTrue(mismatch.getMessage().contains("VP8/90000"), mismatch.getMessage());
        engine.subscribe("str_1", "con_a", offer(subscriber, "recvonly"));
        assertEquals(Kind.CONFLICT, assertThrows(MediaException.class,
                () -> engine.subscribe("str_1", "con_a", offer(subscriber, "recvonly"))).kind());

        assertEquals(portsBefore + 2, engine.stats().portsInUse(), "only the one good subscription holds ports");
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static PlainRtpEngine engine(int min, int max) throws IOException {
        return new PlainRtpEngine(new PlainRtpEngine.Settings(HOST, HOST, min, max, 1, 256 * 1024, 64,
                Duration.ofMillis(200)));
    }

    private final class Peer {
        final DatagramChannel rtp;
        final DatagramChannel rtcp;

        Peer() throws IOException {
            rtp = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(HOST, 0));
            rtcp = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(HOST, 0));
            peers.add(rtp);
            peers.add(rtcp);
        }

        ByteBuffer receiveRtp() throws Exception {
            return receive(rtp, Duration.ofSeconds(5));
        }

        java.net.SocketAddress lastRtcpSource;

        ByteBuffer receiveRtcp() throws Exception {
            return receive(rtcp, Duration.ofSeconds(5));
        }

        ByteBuffer pollRtcp(Duration timeout) throws Exception {
            rtcp.socket().setSoTimeout((int) timeout.toMillis());
            ByteBuffer buffer = ByteBuffer.allocate(2048);
            try {
                rtcp.socket().receive(new java.net.DatagramPacket(buffer.array(), buffer.capacity()));
                return buffer;
            } catch (java.net.SocketTimeoutException e) {
                return null;
            }
        }

        private ByteBuffer receive(DatagramChannel channel, Duration timeout) throws Exception {
            channel.socket().setSoTimeout((int) timeout.toMillis());
            byte[] data = new byte[2048];
            java.net.DatagramPacket packet = new java.net.DatagramPacket(data, data.length);
            channel.socket().receive(packet); // SocketTimeoutException fails the test
            if (channel == rtcp) {
                lastRtcpSource = packet.getSocketAddress();
            }
            return ByteBuffer.wrap(data, 0, packet.getLength()).slice();
        }
    }

    private Peer peer() throws IOException {
        return new Peer();
    }

    private static String offer(Peer peer, String direction) throws IOException {
        int rtpPort = ((InetSocketAddress) peer.rtp.getLocalAddress()).getPort();
        int rtcpPort = ((InetSocketAddress) peer.rtcp.getLocalAddress()).getPort();
        return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=test\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=video " + rtpPort + " RTP/AVP 96\r\na=rtcp:" + rtcpPort + "\r\na=rtpmap:96 VP8/90000\r\n"
                + "a=ssrc:" + Integer.toUnsignedString(SSRC) + " cname:test\r\na=" + direction + "\r\n";
    }

    private static final Pattern PORT = Pattern.compile("m=video (\\d+) RTP/AVP");
    private static final Pattern RTCP = Pattern.compile("a=rtcp:(\\d+)");

    private static InetSocketAddress rtpAddress(String answer) {
        Matcher m = PORT.matcher(answer);
        assertTrue(m.find(), answer);
        return new InetSocketAddress(HOST, Integer.parseInt(m.group(1)));
    }

    private static InetSocketAddress rtcpAddress(String answer) {
        Matcher m = RTCP.matcher(answer);
        assertTrue(m.find(), answer);
        return new InetSocketAddress(HOST, Integer.parseInt(m.group(1)));
    }

    private static ByteBuffer rtp(int seq, int size) {
        ByteBuffer packet = ByteBuffer.allocate(size);
        packet.put((byte) 0x80).put((byte) 96).putShort((short) seq).putInt(seq * 3000).putInt(SSRC);
        while (packet.hasRemaining()) {
            packet.put((byte) (packet.position() * 31 + seq));
        }
        return packet.flip();
    }

    private static ByteBuffer pli() {
        // V=2, FMT=1, PT=206, length 2 (12 bytes): sender SSRC, media SSRC.
        return ByteBuffer.allocate(12).put((byte) 0x81).put((byte) 206).putShort((short) 2)
                .putInt(0x55667788).putInt(SSRC).flip();
    }

    private static ByteBuffer receiverReport() {
        return ByteBuffer.allocate(8).put((byte) 0x80).put((byte) 201).putShort((short) 1).putInt(0x55667788).flip();
    }

    private static ByteBuffer senderReport() {
        ByteBuffer sr = ByteBuffer.allocate(28).put((byte) 0x80).put((byte) 200).putShort((short) 6).putInt(SSRC);
        while (sr.hasRemaining()) {
            sr.put((byte) 1);
        }
        return sr.flip();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
