package io.tessera.media.rtp;

import java.nio.ByteBuffer;

/** Reads the headers of RTCP compound packets (RFC 3550, 4585, 5104) in place, without copying. */
final class Rtcp {
    static final int SENDER_REPORT = 200;
    static final int TRANSPORT_FEEDBACK = 205;
    static final int PAYLOAD_FEEDBACK = 206;
    static final int FMT_PLI = 1;
    static final int FMT_FIR = 4;

    /** What a subscriber's compound packet asks of the publisher. */
    enum Feedback { NONE, KEYFRAME, OTHER }

    private Rtcp() {
    }

    /**
     * Classifies the compound packet between position 0 and the limit of {@code packet}: a keyframe request
     * (PLI or FIR) wins over other feedback (NACK and the rest); receiver reports alone are {@code NONE},
     * and so is anything malformed.
     */
    static Feedback feedbackIn(ByteBuffer packet) {
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
}
