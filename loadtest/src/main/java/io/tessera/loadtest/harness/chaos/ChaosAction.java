package io.tessera.loadtest.harness.chaos;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One fault of a chaos schedule: {@code verb} applied to {@code node} at {@code at} after the load started.
 * A {@code hold} (only for {@code freeze}) thaws the node that long afterwards.
 */
public record ChaosAction(Verb verb, String node, Duration at, Optional<Duration> hold) {

    /**
     * The node name for every master at once ({@code kill:masters}, {@code restart:masters}: the loss of the whole
     * control plane, issue 16); {@code bin/cluster} takes it as a node name for kill and restart.
     */
    public static final String ALL_MASTERS = "masters";

    /** What {@code bin/cluster} (or a hook) is asked to do. */
    public enum Verb {
        KILL, FREEZE, THAW, RESTART;

        /** The word {@code bin/cluster} and hook templates use. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ChaosAction {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(hold, "hold");
        if (node == null || !node.matches("[A-Za-z0-9_.-]{1,64}")) {
            // The name ends up in a command line: allow nothing a shell would interpret.
            throw new IllegalArgumentException("bad node name '" + node + "': use letters, digits, '.', '_' or '-'");
        }
        if (at.isNegative()) {
            throw new IllegalArgumentException("negative instant for " + verb.word() + ":" + node);
        }
        if (ALL_MASTERS.equals(node) && verb != Verb.KILL && verb != Verb.RESTART) {
            throw new IllegalArgumentException("'" + ALL_MASTERS + "' (every master at once) takes kill or restart, not "
                    + verb.word());
        }
        if (hold.isPresent() && verb != Verb.FREEZE) {
            throw new IllegalArgumentException("'+duration' only applies to freeze, not " + verb.word());
        }
        if (hold.isPresent() && (hold.get().isNegative() || hold.get().isZero())) {
            throw new IllegalArgumentException("hold of freeze:" + node + " must be positive");
        }
    }

    /** True for a node whose name says it is a master, or for every master (faults there are measured as resumes). */
    public boolean targetsMaster() {
        return node.startsWith("master");
    }

    @Override
    public String toString() {
        return verb.word() + ":" + node + "@" + ChaosSchedule.format(at)
                + hold.map(h -> "+" + ChaosSchedule.format(h)).orElse("");
    }
}
