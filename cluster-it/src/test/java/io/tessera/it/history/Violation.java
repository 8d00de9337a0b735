package io.tessera.it.history;

import java.util.List;

/** One breach of an invariant, with the entries of the history that show it. */
public record Violation(String invariant, String what, List<HistoryEntry> evidence) {

    public Violation {
        evidence = List.copyOf(evidence);
    }

    /** The violation and its evidence, one entry a line, with times in ms from the history's start. */
    public String describe(History history) {
        StringBuilder b = new StringBuilder("[").append(invariant).append("] ").append(what);
        for (HistoryEntry e : evidence) {
            b.append("\n      #").append(e.index()).append(" +").append(history.millis(e.atNanos())).append("ms ")
                    .append(e);
        }
        return b.toString();
    }
}
