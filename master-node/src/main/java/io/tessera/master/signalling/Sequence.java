package io.tessera.master.signalling;

/** The last event sequence number sent to a participant's client; it goes on across resumes and moves. */
final class Sequence {
    private long last;

    long last() {
        return last;
    }

    /** An event numbered {@code seq} was sent (replayed events may come before a resume's answer). */
    void saw(long seq) {
        last = Math.max(last, seq);
    }

    /** The number of an event this master makes up itself (an eviction when the session could not move). */
    long next() {
        return ++last;
    }
}
