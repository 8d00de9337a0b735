package io.tessera.loadtest.harness.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One fault of a chaos schedule: {@code verb} applied to {@code node} at {@code at} after the load started.
 * A {@code hold} (only for {@code freeze}) thaws the node that long afterwards. The network faults need a cluster
 * behind the partition proxy ({@code bin/cluster start --partitionable}): {@code partition} cuts {@code node} off
 * from every other node, {@code cut} takes {@code "<from>-><to>"} as its node (one way), and {@code heal} takes
 * {@link #ALL_LINKS}.
 */
public record ChaosAction(Verb verb, String node, Duration at, Optional<Duration> hold) {

    /**
     * The node name for every master at once ({@code kill:masters}, {@code restart:masters}: the loss of the whole
     * control plane, issue 16); {@code bin/cluster} takes it as a node name for kill and restart.
     */
    public static final String ALL_MASTERS = "masters";
    /** The node of {@code heal}, which mends every link at once; written {@code heal@30s}. */
    public static final String ALL_LINKS = "all";
    /** Separates the two nodes of a one-way {@code cut}: {@code cut:master-1->master-2@20s}. */
    public static final String CUT_ARROW = "->";
    private static final String NODE_NAME = "[A-Za-z0-9_.-]{1,64}";

    /** What {@code bin/cluster} (or a hook) is asked to do. */
    public enum Verb {
        KILL, FREEZE, THAW, RESTART, PARTITION, CUT, HEAL;

        /** The word {@code bin/cluster} and hook templates use. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** A network fault: it needs the partition proxy in front of the nodes. */
        public boolean isNetwork() {
            return this == PARTITION || this == CUT || this == HEAL;
        }
    }

    public ChaosAction {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(hold, "hold");
        if (verb == Verb.CUT) {
            if (node == null || !node.matches(NODE_NAME + CUT_ARROW + NODE_NAME)) {
                throw new IllegalArgumentException("bad cut '" + node + "': expected <from>-><to>, e.g. "
                        + "cut:master-1->master-2@20s (one way: nothing master-1 sends reaches master-2)");
            }
            List<String> ends = arguments(verb, node);
            if (ends.get(0).equals(ends.get(1)) || ends.contains(ALL_MASTERS)) {
                throw new IllegalArgumentException("cut " + node + ": two different nodes, not '" + ALL_MASTERS + "'");
            }
        } else if (verb == Verb.HEAL && !ALL_LINKS.equals(node)) {
            throw new IllegalArgumentException("heal mends every link and takes no node: heal@<time>, not heal:"
                    + node);
        } else if (node == null || !node.matches(NODE_NAME)) {
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

    /**
     * The arguments after the verb for {@code bin/cluster} (and a hook's {@code {node}}, joined by a space):
     * {@code [node]}; {@code [from, to]} for a cut; none for heal.
     */
    public static List<String> arguments(Verb verb, String node) {
        return switch (verb) {
            case CUT -> List.of(node.substring(0, node.indexOf(CUT_ARROW)),
                    node.substring(node.indexOf(CUT_ARROW) + CUT_ARROW.length()));
            case HEAL -> List.of();
            default -> List.of(node);
        };
    }

    /** True for a node whose name says it is a master, or for every master (faults there are measured as resumes). */
    public boolean targetsMaster() {
        return node.startsWith("master");
    }

    @Override
    public String toString() {
        return verb.word() + (verb == Verb.HEAL ? "" : ":" + node) + "@" + ChaosSchedule.format(at)
                + hold.map(h -> "+" + ChaosSchedule.format(h)).orElse("");
    }
}
