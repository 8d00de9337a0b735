package io.tessera.wire.rtp;

import java.nio.ByteBuffer;

/**
 * A view of the RTP fixed header (RFC 3550 section 5.1) in a ByteBuffer: absolute get/put from index 0, no allocation,
 * position untouched. Callers check {@link #isRtp} before reading the fields of a datagram from the network.
 */
public final class RtpHeader {

    /** The fixed header: V/P/X/CC, M/PT, sequence number, timestamp, SSRC. */
    public static final int SIZE = 12;

    private RtpHeader() {
    }

    /** RTP version 2 and at least a fixed header; RTCP packets (PT 192..223 with the marker bit) are not RTP. */
    public static boolean isRtp(ByteBuffer b, int length) {
        if (length < SIZE || (b.get(0) & 0xC0) != 0x80) {
            return false;
        }
        int secondByte = b.get(1) & 0xFF;
        return secondByte < 192 || secondByte > 223;
    }

    public static boolean marker(ByteBuffer b) {
        return (b.get(1) & 0x80) != 0;
    }

    public static int payloadType(ByteBuffer b) {
        return b.get(1) & 0x7F;
    }

    public static int sequence(ByteBuffer b) {
        return b.getShort(2) & 0xFFFF;
    }

    public static long timestamp(ByteBuffer b) {
        return b.getInt(4) & 0xFFFF_FFFFL;
    }

    public static long ssrc(ByteBuffer b) {
        return b.getInt(8) & 0xFFFF_FFFFL;
    }

    /** Where the payload starts after CSRCs and a header extension, or -1 when the packet is too short for them. */
    public static int payloadOffset(ByteBuffer b, int length) {
        int offset = SIZE + 4 * (b.get(0) & 0x0F);
        if ((b.get(0) & 0x10) != 0) {
            if (offset + 4 > length) {
                return -1;
            }
            offset += 4 + 4 * (b.getShort(offset + 2) & 0xFFFF);
        }
        return offset <= length ? offset : -1;
    }

    /** Writes a fixed header without padding, extension or CSRCs. */
    public static void write(ByteBuffer b, boolean marker, int payloadType, int sequence, long timestamp, long ssrc) {
        b.put(0, (byte) 0x80);
        b.put(1, (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F)));
        b.putShort(2, (short) sequence);
        b.putInt(4, (int) timestamp);
        b.putInt(8, (int) ssrc);
    }
}
