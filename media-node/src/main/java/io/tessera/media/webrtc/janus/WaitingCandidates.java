package io.tessera.media.webrtc.janus;

import io.tessera.media.engine.MediaException;
import io.tessera.media.engine.MediaException.Kind;
import io.tessera.media.webrtc.janus.VideoRoomHandle.Candidate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Remote candidates that arrived before their endpoint's remote SDP was set (a browser trickles as soon as it has
 * sent its offer or answer), kept by endpoint key until {@link #take} hands them to Janus. Bounded both ways: a
 * client cannot grow it by trickling to endpoints that never become ready. A {@code null} candidate is the end of
 * candidates. Thread-safe; it never calls out while holding its lock.
 */
final class WaitingCandidates {
    /** Candidates kept for one endpoint that is not ready yet; a browser sends a handful per medium. */
    static final int MAX_PER_ENDPOINT = 64;
    /** Endpoints that may have candidates waiting at once. */
    static final int MAX_ENDPOINTS = 1024;

    private final Map<String, List<Candidate>> waiting = new HashMap<>();

    /** Keeps {@code candidate} (null: the end of candidates) for {@code key}; refused past either bound. */
    synchronized void add(String key, Candidate candidate) throws MediaException {
        List<Candidate> list = waiting.get(key);
        if (list == null) {
            if (waiting.size() >= MAX_ENDPOINTS) {
                throw new MediaException(Kind.NO_CAPACITY, "too many endpoints with candidates waiting ("
                        + MAX_ENDPOINTS + ")");
            }
            list = new ArrayList<>();
            waiting.put(key, list);
        }
        if (list.size() >= MAX_PER_ENDPOINT) {
            throw new MediaException(Kind.NO_CAPACITY, "more than " + MAX_PER_ENDPOINT
                    + " candidates wait for this endpoint");
        }
        list.add(candidate);
    }

    /** Removes and returns what waits for {@code key}, or null. */
    synchronized List<Candidate> take(String key) {
        return waiting.remove(key);
    }

    /** Forgets what waits for every key that starts with {@code prefix}. */
    synchronized void dropAll(String prefix) {
        waiting.keySet().removeIf(key -> key.startsWith(prefix));
    }

    synchronized void clear() {
        waiting.clear();
    }

    /** Candidates waiting, over all endpoints (the stats' gauge). */
    synchronized int count() {
        return waiting.values().stream().mapToInt(List::size).sum();
    }
}
