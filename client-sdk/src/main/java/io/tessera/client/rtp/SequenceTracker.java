package io.tessera.client.rtp;

/**
 * Sequence-number accounting of one SSRC (RFC 3550 A.1 style): extended sequence numbers across the 16-bit wrap,
 * losses from gaps, duplicates and late packets from a sliding window of the last 1024 numbers. Not thread-safe.
 */
final class SequenceTracker {

    enum Kind { IN_ORDER, LATE, DUPLICATE }

    private static final int WINDOW = 1_024;
    private static final int WINDOW_MASK = WINDOW - 1;

    private final long[] seen = new long[WINDOW / 64];
    private long highest = -1; // extended; starts one cycle up so that a packet late across the first wrap stays >= 0
    private long lowest;
    private long received;
    private long duplicates;
    private long late;

    Kind onPacket(int sequence) {
        if (highest < 0) {
            highest = lowest = sequence + 65_536L;
            mark(highest);
            received = 1;
            return Kind.IN_ORDER;
        }
        int delta = (short) (sequence - (int) (highest & 0xFFFF));
        if (delta > 0) {
            long extended = highest + delta;
            forget(highest + 1, extended);
            highest = extended;
            mark(extended);
            received++;
            return Kind.IN_ORDER;
        }
        if (delta == 0) {
            duplicates++;
            return Kind.DUPLICATE;
        }
        long extended = highest + delta;
        boolean inWindow = highest - extended < WINDOW;
        if (inWindow && isMarked(extended)) {
            duplicates++;
            return Kind.DUPLICATE;
        }
        if (inWindow) {
            mark(extended);
        }
        lowest = Math.min(lowest, extended);
        received++;
        late++;
        return Kind.LATE;
    }

    /** Distinct packets received (duplicates not counted). */
    long received() {
        return received;
    }

    /** Expected minus received: a late packet, once it arrives, no longer counts as lost. */
    long lost() {
        return highest < 0 ? 0 : Math.max(0, highest - lowest + 1 - received);
    }

    long duplicates() {
        return duplicates;
    }

    /** Packets that arrived after a higher sequence number (out of order). */
    long outOfOrder() {
        return late;
    }

    private void forget(long fromInclusive, long toInclusive) {
        if (toInclusive - fromInclusive + 1 >= WINDOW) {
            java.util.Arrays.fill(seen, 0L);
            return;
        }
        for (long s = fromInclusive; s <= toInclusive; s++) {
            int bit = (int) (s & WINDOW_MASK);
            seen[bit >>> 6] &= ~(1L << (bit & 63));
        }
    }

    private void mark(long extended) {
        int bit = (int) (extended & WINDOW_MASK);
        seen[bit >>> 6] |= 1L << (bit & 63);
    }

    private boolean isMarked(long extended) {
        int bit = (int) (extended & WINDOW_MASK);
        return (seen[bit >>> 6] & (1L << (bit & 63))) != 0;
    }
}
