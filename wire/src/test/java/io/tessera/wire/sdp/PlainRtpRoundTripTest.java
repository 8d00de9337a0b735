package io.tessera.wire.sdp;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Both sides read what the other side writes: a client's offer as the node reads it, the node's answer as a client reads it. */
class PlainRtpRoundTripTest {

    @Property(tries = 300)
    void theNodeReadsWhatAClientOffers(@ForAll @IntRange(min = 1, max = 65534) int rtpPort,
                                       @ForAll @IntRange(min = 1, max = 65535) int rtcpPort,
                                       @ForAll @IntRange(min = 96, max = 127) int payloadType,
                                       @ForAll @LongRange(min = -1, max = 0xFFFF_FFFFL) long ssrc,
                                       @ForAll Direction direction) {
        String sdp = PlainRtpOffer.write("10.1.2.3", rtpPort, rtcpPort, payloadType, "VP8", 90_000, ssrc, direction);
        PlainRtpOffer offer = PlainRtpOffer.parse(sdp);
        assertEquals("10.1.2.3", offer.address().getHostAddress());
        assertEquals(rtpPort, offer.rtpPort());
        assertEquals(rtcpPort, offer.rtcpPort());
        assertEquals(List.of(new RtpFormat(payloadType, "VP8", 90_000, null, null)), offer.formats());
        assertEquals(direction, offer.direction());
        assertEquals(ssrc < 0 ? List.of() : List.of(ssrc + " cname:tessera-" + Long.toHexString(ssrc)),
                offer.ssrcAttributes());
    }

    @Property(tries = 300)
    void aClientReadsWhatTheNodeAnswers(@ForAll @IntRange(min = 1, max = 65534) int rtpPort,
                                        @ForAll @IntRange(min = 0, max = 127) int payloadType,
                                        @ForAll @LongRange(min = 0, max = 0xFFFF_FFFFL) long ssrc,
                                        @ForAll Direction direction) {
        RtpFormat format = new RtpFormat(payloadType, "H264", 90_000, null, "packetization-mode=1");
        String sdp = PlainRtpAnswer.write("192.168.7.9", 42, "video", rtpPort, List.of(format), direction,
                List.of(ssrc + " cname:x"));
        assertEquals(new PlainRtpAnswer("192.168.7.9", rtpPort, "192.168.7.9", rtpPort + 1, payloadType, "H264",
                90_000, ssrc, direction), PlainRtpAnswer.parse(sdp));
        assertEquals(List.of(format), PlainRtpOffer.parse(sdp).formats(), "the node reads its own answer too");
    }
}
