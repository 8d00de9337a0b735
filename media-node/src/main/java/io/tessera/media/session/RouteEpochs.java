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
 * A copy that a drain superseded ({@link MediaNodeProtocol.SupersedeSession}: moved, still forwarding until its
 * streams are up on the new node) is judged as a released one: no join through a route older than the move's.
 *
 * <p>Keeps the epochs of the last {@value #MAX_RELEASED} released and superseded copies each (the oldest is forgotten
 * first). Used by the session manager's actor only: not thread-safe.
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

    /** Copies hosted here that moved at the epoch kept (a drain's make before break): released soon. */
    private final Map<String, Long> superseded = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_RELEASED;
        }
    };

    /** The copy of {@code sessionId} here, placed with {@code copy}, was released: the session lives elsewhere now. */
    void released(String sessionId, SessionDescriptor copy) {
        superseded.remove(sessionId);
        if (copy != null) {
            released.put(sessionId, copy.epoch());
        }
    }

    /**
     * The session moved away at route epoch {@code epoch}; its copy here ({@code copy}: what it was placed with) still
     * forwards until released. Ignored when the copy is as new as the move or newer (a late message).
     */
    void superseded(String sessionId, long epoch, SessionDescriptor copy) {
        if (epoch > 0 && (copy == null || copy.epoch() < epoch)) {
            superseded.merge(sessionId, epoch, Math::max);
        }
    }

    /** A master placed {@code sessionId} here (again): joins at its epoch are this node's again. */
    void placed(String sessionId) {
        released.remove(sessionId);
        superseded.remove(sessionId);
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
        Long movedAt = hostedHere ? superseded.get(sessionId) : null;
        if (movedAt != null && routeEpoch < movedAt) {
            return Optional.of(MediaNodeProtocol.STALE_ROUTE + "session " + sessionId + " moved away from this node at "
                    + "epoch " + movedAt + " (its copy here forwards until its streams are up there; the route says "
                    + "epoch " + routeEpoch + "); read the route again and join where it says");
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
