package io.tessera.client.rtp;

import io.tessera.wire.rtp.RtpHeader;

import java.nio.ByteBuffer;

/**
 * The synthetic payload the client SDK sends and measures (headers are {@link RtpHeader} and
 * {@link io.tessera.wire.rtp.Rtcp}): absolute get/put on a ByteBuffer, no allocation, position untouched.
 *
 * <p>Layout (after the RTP header): magic {@code "TSR1"} (4 bytes), send time in epoch microseconds
 * (8 bytes, big endian), packet index from 0 (8 bytes), then zero filler up to the packet size.
 */
final class RtpPacket {

    static final int MAGIC = 0x5453_5231; // "TSR1"
    static final int PAYLOAD_PREFIX = 20;
    static final int MIN_SYNTHETIC_SIZE = RtpHeader.SIZE + PAYLOAD_PREFIX;

    private RtpPacket() {
    }

    static void writeSyntheticPrefix(ByteBuffer b, int payloadOffset, long sentEpochMicros, long index) {
        b.putInt(payloadOffset, MAGIC);
        b.putLong(payloadOffset + 4, sentEpochMicros);
        b.putLong(payloadOffset + 12, index);
    }

    /** The payload's send time in epoch µs if it carries the synthetic prefix, else {@link Long#MIN_VALUE}. */
    static long syntheticSendMicros(ByteBuffer b, int length) {
        int offset = RtpHeader.payloadOffset(b, length);
        if (offset < 0 || offset + PAYLOAD_PREFIX > length || b.getInt(offset) != MAGIC) {
            return Long.MIN_VALUE;
        }
        return b.getLong(offset + 4);
    }
}
