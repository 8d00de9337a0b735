package io.tessera.wire.rtp;

import java.nio.ByteBuffer;

/**
 * RTCP (RFC 3550, 4585, 5104) as Tessera reads and writes it: the packet types and feedback formats, a walk over a
 * compound datagram, and the packets the client SDK sends (sender report, PLI, FIR). Absolute get/put on a ByteBuffer
 * from index 0, no allocation, position untouched.
 */
public final class Rtcp {

    public static final int SENDER_REPORT = 200;
    public static final int RECEIVER_REPORT = 201;
    /** RTPFB (RFC 4585): generic NACK and other transport-layer feedback. */
    public static final int TRANSPORT_FEEDBACK = 205;
    /** PSFB (RFC 4585): PLI, FIR and other payload-specific feedback. */
    public static final int PAYLOAD_FEEDBACK = 206;
    /** Feedback message type of a generic NACK in a {@link #TRANSPORT_FEEDBACK} packet. */
    public static final int FMT_NACK = 1;
    /** Feedback message type of a picture loss indication in a {@link #PAYLOAD_FEEDBACK} packet. */
    public static final int FMT_PLI = 1;
    /** Feedback message type of a full intra request (RFC 5104) in a {@link #PAYLOAD_FEEDBACK} packet. */
    public static final int FMT_FIR = 4;

    public static final int SENDER_REPORT_SIZE = 28;
    public static final int PLI_SIZE = 12;
    public static final int FIR_SIZE = 20;

    /** Seconds from 1900 (NTP epoch) to 1970. */
    private static final long NTP_EPOCH_OFFSET = 2_208_988_800L;

    private Rtcp() {
    }

    /** Receives each packet of a compound RTCP datagram. */
    public interface Visitor {
        /** @param format the five bits after V and P: report count, or feedback message type (FMT) */
        void onRtcp(int packetType, int format);
    }

    /**
     * Walks a compound RTCP datagram of {@code length} bytes; false when it is not valid RTCP (a bad version, a type
     * outside 192..223, a length past the end or short of it). What was visited before stays visited.
     */
    public static boolean visit(ByteBuffer b, int length, Visitor visitor) {
        if (length < 4) {
            return false;
        }
        int offset = 0;
        while (offset + 4 <= length) {
            int first = b.get(offset) & 0xFF;
            int packetType = b.get(offset + 1) & 0xFF;
            int size = ((b.getShort(offset + 2) & 0xFFFF) + 1) * 4;
            if ((first & 0xC0) != 0x80 || packetType < 192 || packetType > 223 || offset + size > length) {
                return false;
            }
            visitor.onRtcp(packetType, first & 0x1F);
            offset += size;
        }
        return offset == length;
    }

    /** What a subscriber's compound packet asks of the publisher. */
    public enum Feedback { NONE, KEYFRAME, OTHER }

    /**
     * Classifies the compound packet between index 0 and the limit of {@code packet}: a keyframe request (PLI or FIR)
     * wins over other feedback (NACK and the rest); receiver reports alone are {@code NONE}, and so is anything
     * malformed.
     */
    public static Feedback feedbackIn(ByteBuffer packet) {
        int limit = packet.limit();
        int offset = 0;
        Feedback found = Feedback.NONE;
        while (offset + 4 <= limit) {
            int first = packet.get(offset) & 0xff;
            if ((first >> 6) != 2) {
                return Feedback.NONE;
            }
            int fmt = first & 0x1f;
            int type = packet.get(offset + 1) & 0xff;
            int length = ((packet.get(offset + 2) & 0xff) << 8 | (packet.get(offset + 3) & 0xff)) * 4 + 4;
            if (offset + length > limit) {
                return Feedback.NONE;
            }
            if (type == PAYLOAD_FEEDBACK && (fmt == FMT_PLI || fmt == FMT_FIR)) {
                return Feedback.KEYFRAME;
            }
            if (type == TRANSPORT_FEEDBACK || type == PAYLOAD_FEEDBACK) {
                found = Feedback.OTHER;
            }
            offset += length;
        }
        return found;
    }

    /** A sender report without report blocks ({@link #SENDER_REPORT_SIZE} bytes). */
    public static void writeSenderReport(ByteBuffer b, long ssrc, long epochMicros, long rtpTimestamp, long packets,
                                         long octets) {
        b.put(0, (byte) 0x80); // V=2, RC=0
        b.put(1, (byte) SENDER_REPORT);
        b.putShort(2, (short) (SENDER_REPORT_SIZE / 4 - 1));
        b.putInt(4, (int) ssrc);
        long seconds = Math.floorDiv(epochMicros, 1_000_000L);
        long micros = Math.floorMod(epochMicros, 1_000_000L);
        b.putInt(8, (int) (seconds + NTP_EPOCH_OFFSET));
        b.putInt(12, (int) ((micros << 32) / 1_000_000L));
        b.putInt(16, (int) rtpTimestamp);
        b.putInt(20, (int) packets);
        b.putInt(24, (int) octets);
    }

    /** A picture loss indication ({@link #PLI_SIZE} bytes). */
    public static void writePli(ByteBuffer b, long senderSsrc, long mediaSsrc) {
        b.put(0, (byte) (0x80 | FMT_PLI));
        b.put(1, (byte) PAYLOAD_FEEDBACK);
        b.putShort(2, (short) (PLI_SIZE / 4 - 1));
        b.putInt(4, (int) senderSsrc);
        b.putInt(8, (int) mediaSsrc);
    }

    /** RFC 5104 FIR ({@link #FIR_SIZE} bytes): the media SSRC field is 0, the FCI names the stream and a request number. */
    public static void writeFir(ByteBuffer b, long senderSsrc, long mediaSsrc, int requestSequence) {
        b.put(0, (byte) (0x80 | FMT_FIR));
        b.put(1, (byte) PAYLOAD_FEEDBACK);
        b.putShort(2, (short) (FIR_SIZE / 4 - 1));
        b.putInt(4, (int) senderSsrc);
        b.putInt(8, 0);
        b.putInt(12, (int) mediaSsrc);
        b.putInt(16, (requestSequence & 0xFF) << 24);
    }
}
