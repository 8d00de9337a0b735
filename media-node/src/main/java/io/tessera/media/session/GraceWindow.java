package io.tessera.media.session;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * How long a participant whose signalling is gone is kept for a resume. {@code normal} when a master serves (its
 * socket closed, or its master died and the others are up: its client resumes within seconds); {@code masterless}
 * when its signalling went while no master was up and reachable (every master was lost: their old incarnations are
 * removed only as their new ones join, and a client can resume only once one of them has joined, become Up and
 * rebuilt its routing table, which took 15-18 s of a 20 s window on a loaded 2-core machine).
 *
 * @param masterUp whether this node sees a master that is Up and reachable, asked when a participant detaches
 */
public record GraceWindow(Duration normal, Duration masterless, BooleanSupplier masterUp) {

    public GraceWindow {
        if (masterless.compareTo(normal) < 0) {
            masterless = normal; // never shorter: losing every master must not evict sooner than losing one
        }
    }

    /** The same window whatever the masters do (tests, and nodes without a cluster). */
    public static GraceWindow fixed(Duration window) {
        return new GraceWindow(window, window, () -> true);
    }

    /** The window for a participant that detaches now. */
    Duration now() {
        return masterUp.getAsBoolean() ? normal : masterless;
    }
}
