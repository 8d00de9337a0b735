package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.SessionDescriptor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Judges a join by the epoch of the route the master joined through ({@link MediaNodeProtocol.Join#routeEpoch}), so
 * that a master whose replica of the routing table still names an old placement cannot join a participant to a copy
 * that is not the session's current one: a copy whose epoch differs from the route's, or one this node released
 * because the session moved away (drain, a lost placement race) and that the join would otherwise start again, empty.
 * The master is refused with {@link MediaNodeProtocol#STALE_ROUTE}, reads the route again from the majority and joins
 * where it says.
 *
 * <p>Keeps the epochs of the last {@value #MAX_RELEASED} released copies (the oldest is forgotten first). Used by the
 * session manager's actor only: not thread-safe.
 */
final class RouteEpochs {
    /** Released copies remembered; a stale replica lasts seconds, so even a busy node keeps every one that matters. */
    static final int MAX_RELEASED = 10_000;

    private final Map<String, Long> released = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_RELEASED;
        }
    };

    /** The copy of {@code sessionId} here, placed with {@code copy}, was released: the session lives elsewhere now. */
    void released(String sessionId, SessionDescriptor copy) {
        if (copy != null) {
            released.put(sessionId, copy.epoch());
        }
    }

    /** A master placed {@code sessionId} here (again): joins at its epoch are this node's again. */
    void placed(String sessionId) {
        released.remove(sessionId);
    }

    int releasedRemembered() {
        return released.size();
    }

    /**
     * Why a join through a route at {@code routeEpoch} must go elsewhere, or empty when this node may take it.
     * {@code copy}: what the copy here was placed with (null: no copy, or one placed without an epoch).
     * A route epoch of 0 (an older master, or a participant following its session to its new node) is not judged.
     */
    Optional<String> staleJoin(String sessionId, long routeEpoch, boolean hostedHere, SessionDescriptor copy) {
        if (routeEpoch <= 0) {
            return Optional.empty();
        }
        if (hostedHere && copy != null && routeEpoch != copy.epoch()) {
            return Optional.of(MediaNodeProtocol.STALE_ROUTE + (routeEpoch < copy.epoch()
                    ? "the route to session " + sessionId + " (epoch " + routeEpoch + ") is older than its copy here "
                    + "(epoch " + copy.epoch() + ")"
                    : "the copy of session " + sessionId + " here (epoch " + copy.epoch() + ") is older than the route "
                    + "(epoch " + routeEpoch + ")") + "; read the route again and join where it says");
        }
        Long releasedAt = hostedHere ? null : released.get(sessionId);
        if (releasedAt != null && routeEpoch <= releasedAt) {
            return Optional.of(MediaNodeProtocol.STALE_ROUTE + "session " + sessionId + " moved away from this node "
                    + "(its copy here, epoch " + releasedAt + ", was released; the route says epoch " + routeEpoch
                    + "); read the route again and join where it says");
        }
        return Optional.empty();
    }
}
