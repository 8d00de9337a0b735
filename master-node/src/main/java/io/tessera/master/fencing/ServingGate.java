package io.tessera.master.fencing;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Whether this master may serve clients now: the one switch that REST, readiness and signalling consult on every
 * request, so that they all stop at the same moment. It is closed while any {@link Reason} holds. It is written by the
 * {@link FencingMonitor} (cluster events) and by coordinated shutdown, and read from any thread without locking.
 */
public final class ServingGate {

    /** Why this master does not serve. */
    public enum Reason {
        /** Not yet an Up member: it could not reach the routing table's majority anyway. */
        JOINING("it is not an Up member of the cluster yet"),
        /** It leaves the cluster (SIGTERM, scale-in): coordinated shutdown has started or the member is leaving. */
        LEAVING("it is leaving the cluster"),
        /** The cluster downed it (or removed it): another master may already serve its clients' sessions. */
        DOWNED("the cluster has downed it"),
        /** It has not seen a majority of the cluster for longer than its lease (self-fencing). */
        ISOLATED("it has lost contact with the majority of the cluster");

        private final String why;

        Reason(String why) {
            this.why = why;
        }

        public String why() {
            return why;
        }
    }

    private final Set<Reason> reasons = ConcurrentHashMap.newKeySet();
    private final List<Consumer<Reason>> onClose = new CopyOnWriteArrayList<>();

    /** A gate that starts closed for {@link Reason#JOINING}: nothing is served before the member is Up. */
    public static ServingGate joining() {
        ServingGate gate = new ServingGate();
        gate.reasons.add(Reason.JOINING);
        return gate;
    }

    /** A gate that serves until told otherwise (in-JVM tests that run no cluster). */
    public static ServingGate open() {
        return new ServingGate();
    }

    private ServingGate() {
    }

    public boolean serving() {
        return reasons.isEmpty();
    }

    /** Empty while serving; otherwise the message a refused client gets. */
    public Optional<String> refusal() {
        if (reasons.isEmpty()) {
            return Optional.empty();
        }
        // The most final reason first: a downed master stays downed whatever else holds.
        for (Reason r : new Reason[] {Reason.DOWNED, Reason.LEAVING, Reason.ISOLATED, Reason.JOINING}) {
            if (reasons.contains(r)) {
                return Optional.of("this master is not serving: " + r.why() + "; use another master");
            }
        }
        return Optional.of("this master is not serving; use another master");
    }

    public Set<Reason> reasons() {
        return Set.copyOf(reasons);
    }

    /** Closes the gate for {@code reason}; listeners hear of each reason once, when it starts to hold. */
    public void close(Reason reason) {
        if (reasons.add(reason)) {
            onClose.forEach(listener -> listener.accept(reason));
        }
    }

    /** Lifts {@code reason}; the gate opens when no other reason holds. */
    public void lift(Reason reason) {
        reasons.remove(reason);
    }

    /** {@code listener} runs (on the closing thread) each time a reason starts to hold. */
    public void onClose(Consumer<Reason> listener) {
        onClose.add(listener);
    }
}
