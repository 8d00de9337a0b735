package io.tessera.media.engine;

import io.tessera.wire.jsonrpc.ErrorCode;

/** A media request the engine refuses; {@link #kind} says whose fault it is and maps to the client's error code. */
public final class MediaException extends Exception {

    /** Why the engine refused; each kind has the JSON-RPC error code the signalling layer answers with. */
    public enum Kind {
        /** The SDP could not be read, or it contradicts the request (e.g. a publisher offer that only receives). */
        INVALID_SDP(ErrorCode.BAD_REQUEST),
        /** Well-formed, but asks for something this engine does not do (a profile, an address family, several m= lines). */
        UNSUPPORTED(ErrorCode.UNSUPPORTED_MEDIA),
        /** The stream to subscribe to does not exist (any more). */
        UNKNOWN_STREAM(ErrorCode.NOT_FOUND),
        /** The stream or subscription exists already. */
        CONFLICT(ErrorCode.CONFLICT),
        /** Out of ports, sockets or queue space on this node. */
        NO_CAPACITY(ErrorCode.UNAVAILABLE);

        public final ErrorCode errorCode;

        Kind(ErrorCode errorCode) {
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
