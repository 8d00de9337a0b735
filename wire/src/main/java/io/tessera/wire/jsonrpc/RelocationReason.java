package io.tessera.wire.jsonrpc;

/** Why a session moved to another media node ({@code reason} of {@code mediaNodeFailed}, and of the webhooks). */
public enum RelocationReason {
    /** Its media node became unreachable and was downed. */
    NODE_CRASHED("nodeCrashed"),
    /** Its media node was drained past its deadline. */
    DRAIN("drain"),
    /** Two masters placed it at once; the participant joined the copy that lost. */
    PLACEMENT_RACE("placementRace");

    private final String wireName;

    RelocationReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
