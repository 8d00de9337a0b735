package io.tessera.wire.jsonrpc;

/** Why a participant left or was evicted ({@code reason} of {@code participantLeft} / {@code participantEvicted}). */
public enum LeaveReason {
    /** It called {@code leaveRoom}. */
    DISCONNECT("disconnect"),
    /** Its signalling was gone for the whole grace window. */
    NETWORK_DISCONNECT("networkDisconnect"),
    /** REST connection delete. */
    FORCE_DISCONNECT_BY_SERVER("forceDisconnectByServer"),
    /** REST session delete, or its session could not be placed again after its media node failed. */
    SESSION_CLOSED_BY_SERVER("sessionClosedByServer");

    private final String wireName;

    LeaveReason(String wireName) {
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
