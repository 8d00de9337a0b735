package io.tessera.master.placement;

import io.tessera.common.protocol.MediaNodeProtocol;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Make before break for a drain's moves: the old copy of a moved session keeps forwarding until every stream that was
 * published on it is up again on the new node, so that a subscriber sees no gap while its publisher rebuilds (a
 * publisher rebuilds when it hears of the move: {@code mediaNodeFailed}, or its ICE breaks once the old copy stops).
 * The {@link MakeBeforeBreak} actor (a child of the {@link MediaFailover} singleton) keeps one entry per moved
 * session; it releases the old copy when {@link #streamUp} or {@link #described} says every stream is back, or at its
 * bound. Only drains (and placement
 * races) come here: the old node is alive and serving. A failed node is never waited for (fencing: its copies must
 * stop before the new ones start, "Media-node fencing" in docs/ARCHITECTURE.md).
 *
 * <p>Not an actor: state of {@link MakeBeforeBreak}, touched only from its message handlers.
 */
final class DrainReleases {

    /** Sessions waiting for their old copy's release; a drain of more at once releases the excess at once. */
    static final int MAX_AWAITING = 10_000;

    /**
     * However late the session's participants are told of the move, the old copy is released at the latest this many
     * bounds after the move (the bound restarts at each participant told, {@link #told}).
     */
    static final int MAX_BOUNDS_AFTER_MOVE = 2;

    /**
     * A moved session's old copy, not released yet. {@code published}: the streams the old copy had when asked
     * (null until its answer); {@code up}: streams announced up since the move (a notice may come before the answer).
     */
    static final class Awaiting {
        final String sessionId;
        final String fromNodeId;
        final ActorRef<MediaNodeProtocol.Command> oldCopy;
        final long movedAtMillis;
        /** When the bound releases it: the move plus the bound, restarted by each participant told ({@link #told}). */
        long dueAtMillis;
        Set<String> published;
        final Set<String> up = new HashSet<>();

        Awaiting(String sessionId, String fromNodeId, ActorRef<MediaNodeProtocol.Command> oldCopy, long movedAtMillis,
                 long boundMillis) {
            this.sessionId = sessionId;
            this.fromNodeId = fromNodeId;
            this.oldCopy = oldCopy;
            this.movedAtMillis = movedAtMillis;
            this.dueAtMillis = movedAtMillis + boundMillis;
        }

        /** Every stream of the old copy is up on the new node (vacuously, when it had none). */
        boolean rebuilt() {
            return published != null && up.containsAll(published);
        }

        /** The streams still missing (for the log at the bound); all of them while the old copy has not answered. */
        String missing() {
            if (published == null) {
                return "(the old copy's streams not known)";
            }
            Set<String> missing = new HashSet<>(published);
            missing.removeAll(up);
            return missing.toString();
        }
    }

    private final Map<String, Awaiting> bySession = new LinkedHashMap<>();

    /** Whether one more session can wait; when not, the caller releases the old copy at once (break before make). */
    boolean hasRoom() {
        return bySession.size() < MAX_AWAITING;
    }

    /** Starts waiting; returns the session's previous old copy still waiting (it moved twice), to release now. */
    Optional<Awaiting> await(Awaiting awaiting) {
        return Optional.ofNullable(bySession.put(awaiting.sessionId, awaiting));
    }

    /** The old copy's answer: the streams it published. Returns the entry when it is now complete. */
    Optional<Awaiting> described(String sessionId, ActorRef<MediaNodeProtocol.Command> oldCopy, Set<String> published) {
        Awaiting awaiting = bySession.get(sessionId);
        if (awaiting == null || !awaiting.oldCopy.equals(oldCopy) || awaiting.published != null) {
            return Optional.empty();
        }
        awaiting.published = Set.copyOf(published);
        return complete(awaiting);
    }

    /** A stream of {@code sessionId} went up (a publish on the session's node). Returns the entry when complete. */
    Optional<Awaiting> streamUp(String sessionId, String streamId) {
        Awaiting awaiting = bySession.get(sessionId);
        if (awaiting == null || streamId == null) {
            return Optional.empty();
        }
        awaiting.up.add(streamId);
        return complete(awaiting);
    }

    /**
     * A participant of {@code sessionId} joined the new node, moved from {@code fromNodeId}: it is told of the move
     * ({@code mediaNodeFailed}) only now, so its publisher's rebuild starts only now. The bound restarts from here
     * (never past {@link #MAX_BOUNDS_AFTER_MOVE} bounds after the move): the time to rebuild is the page's, and a
     * slow move (a starved machine: the pages were told 1.9-2.3 s after the move in one measured first drain)
     * must not eat it. Returns the entry when its due time moved later ({@code dueAtMillis}: restart its timer).
     */
    Optional<Awaiting> told(String sessionId, String fromNodeId, long nowMillis, long boundMillis) {
        Awaiting awaiting = bySession.get(sessionId);
        if (awaiting == null || !awaiting.fromNodeId.equals(fromNodeId)) {
            return Optional.empty();
        }
        long due = Math.min(nowMillis + boundMillis, awaiting.movedAtMillis + MAX_BOUNDS_AFTER_MOVE * boundMillis);
        if (due <= awaiting.dueAtMillis) {
            return Optional.empty();
        }
        awaiting.dueAtMillis = due;
        return Optional.of(awaiting);
    }

    /** The bound passed: the entry, if it still waits. */
    Optional<Awaiting> due(String sessionId, ActorRef<MediaNodeProtocol.Command> oldCopy) {
        Awaiting awaiting = bySession.get(sessionId);
        if (awaiting == null || !awaiting.oldCopy.equals(oldCopy)) {
            return Optional.empty();
        }
        bySession.remove(sessionId);
        return Optional.of(awaiting);
    }

    int size() {
        return bySession.size();
    }

    private Optional<Awaiting> complete(Awaiting awaiting) {
        if (!awaiting.rebuilt()) {
            return Optional.empty();
        }
        bySession.remove(awaiting.sessionId);
        return Optional.of(awaiting);
    }
}
