package io.tessera.media.rtp;

import java.util.BitSet;

/**
 * Hands out RTP/RTCP port pairs (even RTP port, RTCP on the next one, as RFC 3550 suggests and ffmpeg
 * expects) from the configured range. Next-fit, so a just-released pair is not handed out again at once
 * (late packets of the old stream would reach the new one). Not thread-safe: the engine guards it.
 */
final class PortPairs {
    private final int firstPort;
    private final int pairs;
    private final BitSet used;
    private int cursor;

    PortPairs(int minPort, int maxPort) {
        if (minPort < 1024 || maxPort > 65535 || maxPort <= minPort) {
            throw new IllegalArgumentException("RTP port range " + minPort + "-" + maxPort
                    + " is invalid: need 1024 <= min < max <= 65535");
        }
        this.firstPort = minPort % 2 == 0 ? minPort : minPort + 1;
        this.pairs = (maxPort - firstPort + 1) / 2;
        if (pairs < 1) {
            throw new IllegalArgumentException("RTP port range " + minPort + "-" + maxPort + " holds no even/odd pair");
        }
        this.used = new BitSet(pairs);
    }

    /** The RTP port of a free pair, or -1 when every pair is taken. */
    int take() {
        int index = used.nextClearBit(cursor);
        if (index >= pairs) {
            index = used.nextClearBit(0);
            if (index >= pairs) {
                return -1;
            }
        }
        used.set(index);
        cursor = (index + 1) % pairs;
        return firstPort + 2 * index;
    }

    void release(int rtpPort) {
        int index = (rtpPort - firstPort) / 2;
        if (index >= 0 && index < pairs) {
            used.clear(index);
        }
    }

    int capacity() {
        return pairs;
    }

    int inUse() {
        return used.cardinality();
    }
}
