package io.tessera.wire.sdp;

import io.tessera.wire.sdp.SdpException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlainRtpOfferTest {

    static final String FFMPEG_STYLE = """
            v=0
            o=- 0 0 IN IP4 127.0.0.1
            s=No Name
            c=IN IP4 127.0.0.1
            t=0 0
            a=tool:libavformat
            m=video 5004 RTP/AVP 96
            a=rtpmap:96 VP8/90000
            a=sendonly
            """;

    @Test
    void readsAnFfmpegStyleOffer() {
        PlainRtpOffer offer = PlainRtpOffer.parse(FFMPEG_STYLE.replace("\n", "\r\n"));
        assertEquals("video", offer.media());
        assertEquals("127.0.0.1", offer.address().getHostAddress());
        assertEquals(5004, offer.rtpPort());
        assertEquals(5005, offer.rtcpPort(), "RTCP defaults to the next port");
        assertEquals("VP8", offer.firstFormat().encoding());
        assertEquals(90000, offer.firstFormat().clockRate());
        assertEquals(Direction.SENDONLY, offer.direction());
    }

    @Test
    void readsRtcpPortFmtpSsrcAndMediaLevelConnection() {
        PlainRtpOffer offer = PlainRtpOffer.parse("""
                v=0
                o=- 1 1 IN IP4 10.0.0.1
                s=-
                c=IN IP4 10.0.0.1
                t=0 0
                m=video 6000 RTP/AVP 102 0
                c=IN IP4 10.0.0.7
                a=rtcp:6101
                a=rtpmap:102 H264/90000
                a=fmtp:102 packetization-mode=1;profile-level-id=42e01f
                a=ssrc:1234 cname:cam
                a=recvonly
                """);
        assertEquals("10.0.0.7", offer.address().getHostAddress(), "media-level c= wins");
        assertEquals(6101, offer.rtcpPort());
        assertEquals("packetization-mode=1;profile-level-id=42e01f", offer.firstFormat().fmtp());
        assertEquals("PCMU", offer.formats().get(1).encoding(), "static payload type 0 needs no rtpmap");
        assertEquals("1234 cname:cam", offer.ssrcAttributes().get(0));
        assertEquals(Direction.RECVONLY, offer.direction());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "empty|''|MALFORMED|empty",
            "no version|'o=- 0 0 IN IP4 1.2.3.4'|MALFORMED|v=0",
            "garbage line|'v=0\nhello'|MALFORMED|malformed SDP line",
            "no media|'v=0\nc=IN IP4 127.0.0.1'|MALFORMED|no m= line",
            "no connection|'v=0\nm=video 5000 RTP/AVP 96\na=rtpmap:96 VP8/90000'|MALFORMED|no c= line",
            "port not a number|'v=0\nc=IN IP4 127.0.0.1\nm=video 5x RTP/AVP 96'|MALFORMED|not a number",
            "arabic-indic digits|'v=0\nc=IN IP4 127.0.0.1\nm=video \u0665\u0660\u0660\u0660 RTP/AVP 0'|MALFORMED|not a number",
            "fullwidth digits|'v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP \uff10'|MALFORMED|not a number",
            "port out of range|'v=0\nc=IN IP4 127.0.0.1\nm=video 70000 RTP/AVP 96'|MALFORMED|out of range",
            "no rtcp port left|'v=0\nc=IN IP4 127.0.0.1\nm=video 65535 RTP/AVP 0'|MALFORMED|no port for RTCP",
            "rtcp port zero|'v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP 0\na=rtcp:0'|MALFORMED|a=rtcp port 0",
            "port zero|'v=0\nc=IN IP4 127.0.0.1\nm=video 0 RTP/AVP 96'|MALFORMED|port 0",
            "hostname|'v=0\nc=IN IP4 example.com\nm=video 5000 RTP/AVP 0'|MALFORMED|IPv4 literal",
            "bad octets|'v=0\nc=IN IP4 300.1.1.1\nm=video 5000 RTP/AVP 0'|MALFORMED|not a valid IPv4",
            "wildcard|'v=0\nc=IN IP4 0.0.0.0\nm=video 5000 RTP/AVP 0'|MALFORMED|unicast",
            "missing rtpmap|'v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP 96'|MALFORMED|no a=rtpmap",
            "empty encoding|'v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP 96\na=rtpmap:96 /90000'|MALFORMED|token",
            "space in encoding|'v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP 96\na=rtpmap:96 VP5 5/90000'|MALFORMED|token",
            "bad clock|'v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP 96\na=rtpmap:96 VP8/abc'|MALFORMED|clock rate",
            "pt out of range|'v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP 200'|MALFORMED|out of range 0-127",
            "payload type twice|'v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP 96 96\na=rtpmap:96 VP8/90000'|MALFORMED|twice",
            "webrtc profile|'v=0\nc=IN IP4 127.0.0.1\nm=video 9 UDP/TLS/RTP/SAVPF 96'|UNSUPPORTED|RTP/AVP",
            "ipv6|'v=0\nc=IN IP6 ::1\nm=video 5000 RTP/AVP 0'|UNSUPPORTED|IP4",
            "application|'v=0\nc=IN IP4 127.0.0.1\nm=application 5000 RTP/AVP 0'|UNSUPPORTED|video or audio",
            "two media|'v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP 0\nm=audio 5002 RTP/AVP 0'|UNSUPPORTED|one m= line",
    })
    void refusesBadOffersWithAClearMessage(String name, String sdp, Kind kind, String messagePart) {
        SdpException e = assertThrows(SdpException.class, () -> PlainRtpOffer.parse(sdp));
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void refusesOversizedOffers() {
        String huge = "v=0\n" + "a=x\n".repeat(PlainRtpOffer.MAX_LINES);
        assertEquals(Kind.MALFORMED, assertThrows(SdpException.class, () -> PlainRtpOffer.parse(huge)).kind());
        String long1 = "v=0\ns=" + "x".repeat(PlainRtpOffer.MAX_CHARS);
        assertEquals(Kind.MALFORMED, assertThrows(SdpException.class, () -> PlainRtpOffer.parse(long1)).kind());
    }

    @Test
    void controlCharactersInsideALineAreRefused() {
        // a lone CR in the encoding name would end the a=rtpmap line in subscribers' answers
        for (String c : new String[]{"\r", "\u0000", "\u001b", "\u0085", "\t"}) {
            String sdp = "v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP 96\na=rtpmap:96 VP8" + c + "/90000\n";
            SdpException e = assertThrows(SdpException.class, () -> PlainRtpOffer.parse(sdp));
            assertEquals(Kind.MALFORMED, e.kind());
            assertTrue(e.getMessage().contains("control character"), e.getMessage());
            assertTrue(e.getMessage().chars().noneMatch(Character::isISOControl), e.getMessage());
        }
    }

    @Test
    void controlCharactersDoNotLeakIntoMessages() {
        SdpException e = assertThrows(SdpException.class, () -> PlainRtpOffer.parse("v=0\nc=IN IP4 1.2.3.\u0007\nm=video 1 RTP/AVP 0"));
        assertTrue(!e.getMessage().contains("\u0007"), e.getMessage());
    }
}
