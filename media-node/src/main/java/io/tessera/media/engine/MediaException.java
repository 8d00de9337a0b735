package io.tessera.media.engine;

/** A media request the engine refuses; {@link #kind} says whose fault it is and maps to the client's error code. */
public final class MediaException extends Exception {

    /** Why the engine refused; each kind has the JSON-RPC error code the signalling layer answers with. */
    public enum Kind {
        /** The SDP could not be read, or it contradicts the request (e.g. a publisher offer that only receives). */
        INVALID_SDP(400),
        /** Well-formed, but asks for something this engine does not do (a profile, an address family, several m= lines). */
        UNSUPPORTED(415),
        /** The stream to subscribe to does not exist (any more). */
        UNKNOWN_STREAM(404),
        /** The stream or subscription exists already. */
        CONFLICT(409),
        /** Out of ports, sockets or queue space on this node. */
        NO_CAPACITY(503);

        public final int errorCode;

        Kind(int errorCode) {
            this.errorCode = errorCode;
        }
    }

    private final Kind kind;

    public MediaException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
