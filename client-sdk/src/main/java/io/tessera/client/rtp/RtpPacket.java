package io.tessera.client.rtp;

import java.nio.ByteBuffer;

/**
 * Reads and writes RTP/RTCP headers with absolute get/put on a ByteBuffer: no allocation, position untouched.
 *
 * <p>Synthetic payload layout (after the RTP header): magic {@code "TSR1"} (4 bytes), send time in epoch microseconds
 * (8 bytes, big endian), packet index from 0 (8 bytes), then zero filler up to the packet size.
 */
final class RtpPacket {

    static final int HEADER = 12;
    static final int MAGIC = 0x5453_5231; // "TSR1"
    static final int PAYLOAD_PREFIX = 20;
    static final int MIN_SYNTHETIC_SIZE = HEADER + PAYLOAD_PREFIX;

    static final int RTCP_SR = 200;
    static final int RTCP_RR = 201;
    static final int RTCP_PSFB = 206;
    static final int FMT_PLI = 1;
    static final int FMT_FIR = 4;
    static final int SR_SIZE = 28;
    static final int PLI_SIZE = 12;
    static final int FIR_SIZE = 20;

    /** Seconds from 1900 (NTP epoch) to 1970. */
    private static final long NTP_EPOCH_OFFSET = 2_208_988_800L;

    private RtpPacket() {
    }

    static void writeHeader(ByteBuffer b, boolean marker, int payloadType, int sequence, long timestamp, long ssrc) {
        b.put(0, (byte) 0x80); // V=2, no padding, no extension, no CSRC
        b.put(1, (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F)));
        b.putShort(2, (short) sequence);
        b.putInt(4, (int) timestamp);
        b.putInt(8, (int) ssrc);
    }

    static void writeSyntheticPrefix(ByteBuffer b, int payloadOffset, long sentEpochMicros, long index) {
        b.putInt(payloadOffset, MAGIC);
        b.putLong(payloadOffset + 4, sentEpochMicros);
        b.putLong(payloadOffset + 12, index);
    }

    /** RTP version 2 and at least a fixed header; RTCP packets (PT 192..223 with the marker bit) are not RTP. */
    static boolean isRtp(ByteBuffer b, int length) {
        if (length < HEADER || (b.get(0) & 0xC0) != 0x80) {
            return false;
        }
        int secondByte = b.get(1) & 0xFF;
        return secondByte < 192 || secondByte > 223;
    }

    static boolean marker(ByteBuffer b) {
        return (b.get(1) & 0x80) != 0;
    }

    static int payloadType(ByteBuffer b) {
        return b.get(1) & 0x7F;
    }

    static int sequence(ByteBuffer b) {
        return b.getShort(2) & 0xFFFF;
    }

    static long timestamp(ByteBuffer b) {
        return b.getInt(4) & 0xFFFF_FFFFL;
    }

    static long ssrc(ByteBuffer b) {
        return b.getInt(8) & 0xFFFF_FFFFL;
    }

    /** Where the payload starts after CSRCs and a header extension, or -1 when the packet is too short for them. */
    static int payloadOffset(ByteBuffer b, int length) {
        int offset = HEADER + 4 * (b.get(0) & 0x0F);
        if ((b.get(0) & 0x10) != 0) {
            if (offset + 4 > length) {
                return -1;
            }
            offset += 4 + 4 * (b.getShort(offset + 2) & 0xFFFF);
        }
        return offset <= length ? offset : -1;
    }

    /** The payload's send time in epoch µs if it carries the synthetic prefix, else {@link Long#MIN_VALUE}. */
    static long syntheticSendMicros(ByteBuffer b, int length) {
        int offset = payloadOffset(b, length);
        if (offset < 0 || offset + PAYLOAD_PREFIX > length || b.getInt(offset) != MAGIC) {
            return Long.MIN_VALUE;
        }
        return b.getLong(offset + 4);
    }

    static void writeSenderReport(ByteBuffer b, long ssrc, long epochMicros, long rtpTimestamp, long packets, long octets) {
        b.put(0, (byte) 0x80); // V=2, RC=0
        b.put(1, (byte) RTCP_SR);
        b.putShort(2, (short) (SR_SIZE / 4 - 1));
        b.putInt(4, (int) ssrc);
        long seconds = Math.floorDiv(epochMicros, 1_000_000L);
        long micros = Math.floorMod(epochMicros, 1_000_000L);
        b.putInt(8, (int) (seconds + NTP_EPOCH_OFFSET));
        b.putInt(12, (int) ((micros << 32) / 1_000_000L));
        b.putInt(16, (int) rtpTimestamp);
        b.putInt(20, (int) packets);
        b.putInt(24, (int) octets);
    }

    static void writePli(ByteBuffer b, long senderSsrc, long mediaSsrc) {
        b.put(0, (byte) (0x80 | FMT_PLI));
        b.put(1, (byte) RTCP_PSFB);
        b.putShort(2, (short) (PLI_SIZE / 4 - 1));
        b.putInt(4, (int) senderSsrc);
        b.putInt(8, (int) mediaSsrc);
    }

    /** RFC 5104 FIR: the media SSRC field is 0, the FCI names the stream and a request sequence number. */
    static void writeFir(ByteBuffer b, long senderSsrc, long mediaSsrc, int requestSequence) {
        b.put(0, (byte) (0x80 | FMT_FIR));
        b.put(1, (byte) RTCP_PSFB);
        b.putShort(2, (short) (FIR_SIZE / 4 - 1));
        b.putInt(4, (int) senderSsrc);
        b.putInt(8, 0);
        b.putInt(12, (int) mediaSsrc);
        b.putInt(16, (requestSequence & 0xFF) << 24);
    }

    /** Receives each packet of a compound RTCP datagram. */
    interface RtcpVisitor {
        void onRtcp(int packetType, int format);
    }

    /** Walks a compound RTCP datagram; false when it is not valid RTCP (what was visited before stays visited). */
    static boolean visitRtcp(ByteBuffer b, int length, RtcpVisitor visitor) {
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
}
