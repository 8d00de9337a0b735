package io.tessera.client;

/**
 * The per-participant event sequence as delivered to the application: after a resume the server replays what the
 * client may already have (and may do so before the {@code connect} answer), so anything at or below the last
 * delivered {@code seq} is a duplicate. A jump ahead is delivered anyway but counted, as it means lost events.
 */
final class EventSequence {

    /** What to do with one event. */
    enum Verdict { DELIVER, DUPLICATE }

    private long last;
    private long gaps;
    private long duplicates;

    /** Judges {@code seq} and, when delivered, makes it the last one; events without seq (-1) always pass. */
    synchronized Verdict offer(long seq) {
        if (seq < 0) {
            return Verdict.DELIVER;
        }
        if (seq <= last) {
            duplicates++;
            return Verdict.DUPLICATE;
        }
        if (seq > last + 1) {
            gaps++;
        }
        last = seq;
        return Verdict.DELIVER;
    }

    /** A join starts a new participant's sequence: the next event carries {@code seq + 1}, whatever came before. */
    synchronized void restartAt(long seq) {
        last = seq;
    }

    synchronized long last() {
        return last;
    }

    synchronized long gaps() {
        return gaps;
    }

    synchronized long duplicates() {
        return duplicates;
    }
}
