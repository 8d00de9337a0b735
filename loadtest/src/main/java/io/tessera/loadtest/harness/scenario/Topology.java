package io.tessera.loadtest.harness.scenario;

/** Who receives whom inside one session. Participants 0..K-1 of a session are its publishers. */
public enum Topology {
    /** Every publisher is received by every other participant (publishers receive each other too). */
    N_N("n:n"),
    /** One publisher (participant 0), received by everyone else. */
    ONE_N("1:n");

    private final String label;

    Topology(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether participant {@code subscriber} receives the stream of publisher {@code publisher}. */
    public boolean receives(int subscriber, int publisher) {
        return subscriber != publisher && (this == N_N || publisher == 0);
    }

    public static Topology parse(String text) {
        for (Topology t : values()) {
            if (t.label.equalsIgnoreCase(text) || t.name().equalsIgnoreCase(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown topology '" + text + "': n:n or 1:n");
    }
}
