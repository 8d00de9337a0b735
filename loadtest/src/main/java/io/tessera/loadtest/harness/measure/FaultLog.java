package io.tessera.loadtest.harness.measure;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The faults the chaos runner applied, with when they were applied and whether it worked. Bounded. */
public final class FaultLog {
    public static final int MAX_FAULTS = 200;

    /** One applied fault; {@code atMillis} is the instant just before the command ran. */
    public record Fault(String action, String verb, String node, long atMillis, long tookMillis, String error) {
        public boolean isMaster() {
            return node.startsWith("master");
        }

        public boolean isMedia() {
            return node.startsWith("media");
        }

        /** Kill, freeze and restart interrupt a node; thaw does not. */
        public boolean interrupts() {
            return !verb.equals("thaw");
        }
    }

    private final List<Fault> faults = new ArrayList<>();

    public synchronized void add(Fault f) {
        if (faults.size() < MAX_FAULTS) {
            faults.add(f);
        }
    }

    public synchronized List<Fault> all() {
        return List.copyOf(faults);
    }

    /** The latest interrupting master fault at or before {@code atMillis}: what a resume is measured from. */
    public synchronized Optional<Fault> lastMasterFaultBefore(long atMillis) {
        Fault found = null;
        for (Fault f : faults) {
            if (f.isMaster() && f.interrupts() && f.atMillis() <= atMillis) {
                found = f;
            }
        }
        return Optional.ofNullable(found);
    }
}
