package io.tessera.master.fencing;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Whether this master may serve clients now: the one switch that REST, readiness and signalling consult on every
 * request, so that they all stop at the same moment. It is closed while any {@link Reason} holds, or when its lease
 * has run out. It is written by the {@link FencingMonitor} (cluster events, lease renewals) and by coordinated
 * shutdown, and read from any thread without locking.
 *
 * <p>The lease: the monitor renews it while this master sees the majority of the cluster; a request checks the clock
 * against it. So a master that was frozen (SIGSTOP, a long pause) for longer than the lease refuses the requests that
 * queued up meanwhile even before its monitor has run again.
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
    private final LongSupplier nanoClock;
    /** Off until the monitor first renews it; then, when {@code nanoClock} reaches it, the lease has run out. */
    private volatile boolean leased;
    private volatile long leaseEndNanos;

    /** A gate that starts closed for {@link Reason#JOINING}: nothing is served before the member is Up. */
    public static ServingGate joining() {
        return joining(System::nanoTime);
    }

    static ServingGate joining(LongSupplier nanoClock) {
        ServingGate gate = new ServingGate(nanoClock);
        gate.reasons.add(Reason.JOINING);
        return gate;
    }

    /** A gate that serves until told otherwise (in-JVM tests that run no cluster). */
    public static ServingGate open() {
        return new ServingGate(System::nanoTime);
    }

    private ServingGate(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    public boolean serving() {
        return reasons.isEmpty() && !leaseExpired();
    }

    private boolean leaseExpired() {
        return leased && nanoClock.getAsLong() - leaseEndNanos >= 0;
    }

    /** This master saw the majority just now: it may serve for {@code forNanos} more without seeing it again. */
    void renewLease(long forNanos) {
        leaseEndNanos = nanoClock.getAsLong() + forNanos;
        leased = true;
    }

    /** Whether the lease has run out (it may have before the monitor noticed and closed the gate). */
    boolean leaseRunOut() {
        return leaseExpired();
    }

    /** Empty while serving; otherwise the message a refused client gets. */
    public Optional<String> refusal() {
        if (reasons.isEmpty()) {
            return leaseExpired() ? Optional.of("this master is not serving: " + Reason.ISOLATED.why()
                    + "; use another master") : Optional.empty();
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
