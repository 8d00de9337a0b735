package io.tessera.wire.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class PlainRtpAnswerTest {

    private static final String ANSWER = "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=tessera\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n"
            + "m=video 40000 RTP/AVP 96\r\na=rtcp:40001\r\na=rtpmap:96 VP8/90000\r\na=recvonly\r\n";

    @Test
    void offerRoundTripsThroughTheParser() {
        String sdp = PlainRtpOffer.write("127.0.0.1", 5004, 5009, 100, "H264", 90_000, 0xDEADBEEFL,
                Direction.SENDONLY);
        assertTrue(sdp.endsWith("a=sendonly\r\n"), sdp);
        assertTrue(sdp.contains("m=video 5004 RTP/AVP 100\r\n"), sdp);
        assertTrue(sdp.contains("a=ssrc:3735928559 cname:"), sdp);
        assertTrue(!sdp.replace("\r\n", "").contains("\n"), "every line ends with CRLF");

        PlainRtpAnswer parsed = PlainRtpAnswer.parse(sdp);
        assertEquals(new PlainRtpAnswer("127.0.0.1", 5004, "127.0.0.1", 5009, 100, "H264", 90_000, 0xDEADBEEFL,
                Direction.SENDONLY), parsed);
        assertEquals(new InetSocketAddress("127.0.0.1", 5009), parsed.rtcpSocketAddress());
    }

    @Test
    void recvonlyOfferWithoutSsrc() {
        String sdp = PlainRtpOffer.write("127.0.0.1", 6000, 6001, 96, "VP8", 90_000, -1,
                Direction.RECVONLY);
        PlainRtpAnswer parsed = PlainRtpAnswer.parse(sdp);
        assertEquals(-1, parsed.ssrc());
        assertEquals(Direction.RECVONLY, parsed.direction());
    }

    @Test
    void answerWithLfLineEndingsAndDefaultRtcpPort() {
        String sdp = "v=0\nc=IN IP4 192.168.1.9\nm=video 30000 RTP/AVP 97 98\na=rtpmap:98 H264/90000\n";
        PlainRtpAnswer a = PlainRtpAnswer.parse(sdp);
        assertEquals("192.168.1.9", a.address());
        assertEquals(30000, a.rtpPort());
        assertEquals(30001, a.rtcpPort(), "RFC 3605: rtp port + 1 without a=rtcp");
        assertEquals(97, a.payloadType());
        assertNull(a.codec(), "the rtpmap names another payload type");
        assertNull(a.direction());
    }

    @Test
    void mediaLevelConnectionAndRtcpAddressWin() {
        String sdp = "v=0\r\nc=IN IP4 1.1.1.1\r\nm=video 30000 RTP/AVP 96\r\nc=IN IP4 2.2.2.2\r\n"
                + "a=rtcp:30005 IN IP4 3.3.3.3\r\na=sendonly\r\n";
        PlainRtpAnswer a = PlainRtpAnswer.parse(sdp);
        assertEquals("2.2.2.2", a.address());
        assertEquals("3.3.3.3", a.rtcpAddress());
        assertEquals(30005, a.rtcpPort());
        assertEquals(Direction.SENDONLY, a.direction());
    }

    @Test
    void parsedAnswerOfTheMediaNodeShape() {
        PlainRtpAnswer a = PlainRtpAnswer.parse(ANSWER);
        assertEquals(new InetSocketAddress("10.0.0.5", 40000), a.rtpSocketAddress());
        assertEquals(new InetSocketAddress("10.0.0.5", 40001), a.rtcpSocketAddress());
        assertEquals("VP8", a.codec());
        assertEquals(90_000, a.clockRate());
    }

    @Test
    void malformedAnswersAreRejectedWithClearMessages() {
        assertRejected(ANSWER.replace("c=IN IP4 10.0.0.5\r\n", ""), "no c= line");
        assertRejected("v=0\r\nc=IN IP4 10.0.0.5\r\n", "no m= line");
        assertRejected(ANSWER.replace("m=video 40000", "m=video 4x000"), "m= line port is not a number: '4x000'");
        assertRejected(ANSWER.replace("RTP/AVP", "UDP/TLS/RTP/SAVPF"), "profile must be RTP/AVP");
        assertRejected(ANSWER.replace("m=video 40000", "m=video 0"), "rejected");
        assertRejected(ANSWER.replace("m=video 40000", "m=video 70000"), "1..65535");
        assertRejected(ANSWER.replace("a=rtcp:40001", "a=rtcp:abc"), "a=rtcp port is not a number");
        assertRejected(ANSWER.replace("c=IN IP4 10.0.0.5", "c=IN 10.0.0.5"), "c= line must be 'IN IP4 <address>'");
        assertRejected("", "SDP answer is empty");
        assertRejected(null, "SDP answer is empty");
        assertRejected("v=0\r\ngarbage\r\n", "malformed SDP line 'garbage': expected <type>=<value>");
    }

    @Test
    void invalidOffersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PlainRtpOffer.write("127.0.0.1", 0, 1, 96, "VP8",
                90_000, 1, Direction.SENDONLY));
        assertThrows(IllegalArgumentException.class, () -> PlainRtpOffer.write("127.0.0.1", 1, 2, 128, "VP8",
                90_000, 1, Direction.SENDONLY));
        assertThrows(IllegalArgumentException.class, () -> PlainRtpOffer.write("127.0.0.1", 1, 2, 96, "VP8/90000",
                90_000, 1, Direction.SENDONLY));
    }

    private static void assertRejected(String sdp, String expectedPart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlainRtpAnswer.parse(sdp));
        assertTrue(e.getMessage().contains(expectedPart), "message '" + e.getMessage() + "' lacks '" + expectedPart + "'");
    }
}
