package io.tessera.client.rtp;

import io.tessera.wire.sdp.PlainRtpAnswer;
import io.tessera.wire.sdp.Direction;

import io.tessera.wire.rtp.RtpHeader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Publisher straight to receiver over real UDP on 127.0.0.1 (no media node in between). */
class RtpFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private RtpReactor reactor;

    @BeforeEach
    void startReactor() throws Exception {
        reactor = new RtpReactor("test-rtp");
    }

    @AfterEach
    void closeReactor() {
        reactor.close();
    }

    @Test
    void everyPacketArrivesInOrderAcrossTheSequenceWrap() throws Exception {
        int n = 400;
        try (RtpReceiver rx = RtpReceiver.builder(reactor).bind();
             SyntheticPublisher pub = SyntheticPublisher.builder(reactor).packetsPerSecond(2_000).packetSize(1_200)
                     .startSequence(65_400).packetsPerFrame(4).packetLimit(n).ssrc(0xCAFEL).bind()) {
            pub.start(rx.rtpAddress(), rx.rtcpAddress());

            await().atMost(WAIT).until(pub::finished);
            await().atMost(WAIT).until(() -> rx.stats().received() == n);
            assertEquals(n, pub.sent());
            assertEquals(0, pub.sendFailures());
            RtpReceiver.StreamStats s = rx.stats().stream(0xCAFEL).orElseThrow();
            assertEquals(n, s.received());
            assertEquals(0, s.lost());
            assertEquals(0, s.outOfOrder());
            assertEquals(0, s.duplicates());
            assertEquals(96, s.payloadType());
            assertEquals((long) n * 1_200, s.bytes());
            assertEquals(n, s.latencyMicros().getTotalCount(), "one latency per packet");
            assertEquals(0, s.negativeLatencies());
            assertTrue(s.latencyMicros().getMaxValue() < 1_000_000, "loopback latency below 1 s");
            assertFalse(s.lastPacket().isBefore(s.firstPacket()));
            assertTrue(s.jitterMs() >= 0 && s.jitterMs() < 1_000, "jitter " + s.jitterMs());
            assertEquals(0, rx.stats().malformed());
        }
    }

    @Test
    void senderReportsReachTheReceiversRtcpSocket() throws Exception {
        try (RtpReceiver rx = RtpReceiver.builder(reactor).bind();
             SyntheticPublisher pub = SyntheticPublisher.builder(reactor).packetLimit(1).bind()) {
            pub.start(rx.rtpAddress(), rx.rtcpAddress());
            await().atMost(WAIT).until(() -> rx.stats().senderReports() >= 1);
            assertEquals(0, rx.stats().otherRtcp());
            assertEquals(0, rx.stats().malformedRtcp());
            assertTrue(pub.senderReportsSent() >= 1);
        }
    }

    @Test
    void pliAndFirFromTheReceiverReachThePublisher() throws Exception {
        try (RtpReceiver rx = RtpReceiver.builder(reactor).bind();
             SyntheticPublisher pub = SyntheticPublisher.builder(reactor).packetLimit(3).bind()) {
            assertThrows(IllegalStateException.class, rx::sendPli, "no remote address yet");
            InetSocketAddress publisherRtcp = new InetSocketAddress(InetAddress.getLoopbackAddress(), pub.rtcpPort());
            rx.remote(publisherRtcp, -1);
            assertThrows(IllegalStateException.class, rx::sendPli, "no SSRC known before any RTP");

            pub.start(rx.rtpAddress(), rx.rtcpAddress());
            await().atMost(WAIT).until(() -> rx.stats().received() == 3);
            assertTrue(rx.sendPli());
            await().atMost(WAIT).until(() -> pub.plisReceived() == 1);
            assertTrue(rx.sendFir());
            await().atMost(WAIT).until(() -> pub.firsReceived() == 1);
            assertEquals(1, pub.plisReceived());
            assertEquals(0, pub.otherRtcpReceived());
            assertEquals(0, pub.malformedRtcpReceived());
        }
    }

    @Test
    void offersNameTheBoundPorts() throws Exception {
        try (RtpReceiver rx = RtpReceiver.builder(reactor).bind();
             SyntheticPublisher pub = SyntheticPublisher.builder(reactor).payloadType(101).codec("H264", 90_000).bind()) {
            PlainRtpAnswer r = PlainRtpAnswer.parse(rx.sdpOffer(96, "VP8"));
            assertEquals(rx.rtpPort(), r.rtpPort());
            assertEquals(rx.rtcpPort(), r.rtcpPort());
            assertEquals(Direction.RECVONLY, r.direction());
            PlainRtpAnswer p = PlainRtpAnswer.parse(pub.sdpOffer());
            assertEquals(pub.rtpPort(), p.rtpPort());
            assertEquals(pub.rtcpPort(), p.rtcpPort());
            assertEquals(101, p.payloadType());
            assertEquals("H264", p.codec());
            assertEquals(pub.ssrc(), p.ssrc());
            assertEquals(Direction.SENDONLY, p.direction());
        }
    }

    @Test
    void gapsDuplicatesAndReorderingAreCountedExactly() throws Exception {
        try (RtpReceiver rx = RtpReceiver.builder(reactor).bind();
             DatagramChannel raw = DatagramChannel.open()) {
            int[] sequences = {65_530, 65_531, 65_532, /* 65533..65535 lost */ 0, 1, 3, 2, 2, /* 4 lost */ 5, 6};
            ByteBuffer b = ByteBuffer.allocate(64);
            for (int seq : sequences) {
                b.clear();
                RtpHeader.write(b, false, 96, seq, 1000L * seq, 77);
                RtpPacket.writeSyntheticPrefix(b, RtpHeader.SIZE, RtpClock.epochMicros(System.nanoTime()), seq);
                b.limit(RtpPacket.MIN_SYNTHETIC_SIZE).position(0);
                raw.send(b, rx.rtpAddress());
            }
            raw.send(ByteBuffer.wrap(new byte[5]), rx.rtpAddress()); // too short
            raw.send(ByteBuffer.wrap(new byte[20]), rx.rtpAddress()); // version 0
            await().atMost(WAIT).until(() -> rx.stats().malformed() == 2
                    && rx.stats().stream(77).map(s -> s.received() + s.duplicates()).orElse(0L) == sequences.length);
            RtpReceiver.StreamStats s = rx.stats().stream(77).orElseThrow();
            assertEquals(9, s.received());
            assertEquals(4, s.lost(), "65533, 65534, 65535 and 4");
            assertEquals(1, s.duplicates());
            assertEquals(1, s.outOfOrder());
            assertEquals(9, s.latencyMicros().getTotalCount());
        }
    }

    @Test
    void packetsFromTooManySsrcsAreDroppedAndCounted() throws Exception {
        try (RtpReceiver rx = RtpReceiver.builder(reactor).maxStreams(2).bind();
             DatagramChannel raw = DatagramChannel.open()) {
            ByteBuffer b = ByteBuffer.allocate(RtpHeader.SIZE);
            for (long ssrc = 1; ssrc <= 3; ssrc++) {
                b.clear();
                RtpHeader.write(b, true, 96, 1, 0, ssrc);
                raw.send(b, rx.rtpAddress());
            }
            await().atMost(WAIT).until(() -> rx.stats().overLimit() == 1);
            RtpReceiver.Stats s = rx.stats();
            assertEquals(2, s.streams().size());
            assertEquals(2, s.streams().get(0).withoutTimestamp() + s.streams().get(1).withoutTimestamp());
        }
    }

    @Test
    void stopAndCloseReleaseThePorts() throws Exception {
        RtpReceiver rx = RtpReceiver.builder(reactor).bind();
        SyntheticPublisher pub = SyntheticPublisher.builder(reactor).packetsPerSecond(1_000).bind();
        pub.start(rx.rtpAddress(), rx.rtcpAddress());
        await().atMost(WAIT).until(() -> rx.stats().received() > 5);
        int[] ports = {rx.rtpPort(), rx.rtcpPort(), pub.rtpPort(), pub.rtcpPort()};
        pub.stop();
        rx.close();
        pub.stop(); // idempotent
        for (int port : ports) {
            assertRebindable(port);
        }
        // The same ports can be used by new endpoints on the same reactor.
        try (RtpReceiver again = RtpReceiver.builder(reactor).rtpPort(ports[0]).rtcpPort(ports[1]).bind()) {
            assertEquals(ports[0], again.rtpPort());
        }
        assertThrows(IllegalStateException.class, () -> pub.start(rx.rtpAddress(), rx.rtcpAddress()));
    }

    @Test
    void closingTheReactorReleasesEverySocket() throws Exception {
        RtpReceiver rx = RtpReceiver.builder(reactor).bind();
        SyntheticPublisher pub = SyntheticPublisher.builder(reactor).bind();
        int[] ports = {rx.rtpPort(), rx.rtcpPort(), pub.rtcpPort()};
        reactor.close();
        for (int port : ports) {
            assertRebindable(port);
        }
        pub.stop(); // after the reactor: still fine
        rx.close();
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> RtpReceiver.builder(reactor).bind());
    }

    private static void assertRebindable(int port) throws Exception {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }
}
