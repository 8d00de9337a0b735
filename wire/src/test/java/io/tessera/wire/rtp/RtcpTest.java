package io.tessera.wire.rtp;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RtcpTest {

    @Test
    void writtenFeedbackReadsBackAsKeyframeRequests() {
        ByteBuffer compound = ByteBuffer.allocate(Rtcp.SENDER_REPORT_SIZE + Rtcp.PLI_SIZE + Rtcp.FIR_SIZE);
        Rtcp.writeSenderReport(compound, 7, 1_000_000, 90_000, 10, 1000);
        Rtcp.writePli(compound.slice(Rtcp.SENDER_REPORT_SIZE, Rtcp.PLI_SIZE), 7, 9);
        Rtcp.writeFir(compound.slice(Rtcp.SENDER_REPORT_SIZE + Rtcp.PLI_SIZE, Rtcp.FIR_SIZE), 7, 9, 3);

        List<String> seen = new ArrayList<>();
        assertTrue(Rtcp.visit(compound, compound.capacity(), (type, format) -> seen.add(type + "/" + format)));
        assertEquals(List.of("200/0", "206/1", "206/4"), seen);
        assertEquals(Rtcp.Feedback.KEYFRAME, Rtcp.feedbackIn(compound));
        assertEquals(Rtcp.Feedback.NONE, Rtcp.feedbackIn(compound.slice(0, Rtcp.SENDER_REPORT_SIZE)));
    }

    @Test
    void nackIsOtherFeedbackAndTruncatedPacketsAreNone() {
        ByteBuffer nack = ByteBuffer.allocate(16);
        nack.put(0, (byte) (0x80 | Rtcp.FMT_NACK)).put(1, (byte) Rtcp.TRANSPORT_FEEDBACK).putShort(2, (short) 3);
        assertEquals(Rtcp.Feedback.OTHER, Rtcp.feedbackIn(nack));
        assertEquals(Rtcp.Feedback.NONE, Rtcp.feedbackIn(nack.slice(0, 12)), "length past the end");
        assertFalse(Rtcp.visit(nack, 12, (type, format) -> { }));
    }

    @Test
    void rtpHeaderRoundTripAndRtcpIsNotRtp() {
        ByteBuffer b = ByteBuffer.allocate(RtpHeader.SIZE + 4);
        RtpHeader.write(b, true, 96, 65_535, 0xFFFF_FFFFL, 0xDEAD_BEEFL);
        assertTrue(RtpHeader.isRtp(b, b.capacity()));
        assertTrue(RtpHeader.marker(b));
        assertEquals(96, RtpHeader.payloadType(b));
        assertEquals(65_535, RtpHeader.sequence(b));
        assertEquals(0xFFFF_FFFFL, RtpHeader.timestamp(b));
        assertEquals(0xDEAD_BEEFL, RtpHeader.ssrc(b));
        assertEquals(RtpHeader.SIZE, RtpHeader.payloadOffset(b, b.capacity()));
        ByteBuffer pli = ByteBuffer.allocate(Rtcp.PLI_SIZE);
        Rtcp.writePli(pli, 1, 2);
        assertFalse(RtpHeader.isRtp(pli, pli.capacity()));
    }
}
