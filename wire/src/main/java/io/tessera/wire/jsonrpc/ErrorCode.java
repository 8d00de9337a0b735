package io.tessera.wire.jsonrpc;

import java.util.Optional;

/**
 * Every {@code error.code} the OpenVidu JSON-RPC API of Tessera answers with (docs/CONTRACT.md, "Error codes"). The
 * HTTP-like numbers are OpenVidu's choice; the names say what they mean here. Media nodes answer with the same
 * codes, so a refusal passes through the master unchanged.
 */
public enum ErrorCode {
    /** The text is not one JSON value, or breaks a reading limit (depth, number length, duplicate names). */
    PARSE_ERROR(-32700),
    /** One JSON value, but not a request object. */
    INVALID_REQUEST(-32600),
    /** Unknown or unsupported method. */
    METHOD_NOT_FOUND(-32601),
    /** A parameter is missing, of the wrong type or out of range. */
    INVALID_PARAMS(-32602),
    /** A session request on a socket that has not joined. */
    NOT_JOINED(102),
    /** {@code joinRoom} or {@code connect} on a socket that has joined already. */
    ALREADY_JOINED(105),
    /** Malformed or contradictory SDP; a {@code lastSeq} the participant never had. */
    BAD_REQUEST(400),
    /** Invalid or expired token; wrong resume secret. */
    UNAUTHORIZED(401),
    /** Unknown session, participant or stream. */
    NOT_FOUND(404),
    /** Token in use; already publishing or subscribed; events lost for a resume; session exists. */
    CONFLICT(409),
    /** The message is over the size limit. */
    TOO_LARGE(413),
    /** SDP the engine does not support (profile, address type, several m= lines, no common codec). */
    UNSUPPORTED_MEDIA(415),
    /** Over the request rate of the socket, or the session is full. */
    TOO_MANY_REQUESTS(429),
    /** No media node available, media node unreachable or silent, no free RTP port pair. */
    UNAVAILABLE(503);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The number on the wire. */
    public int code() {
        return code;
    }

    /** The constant for a number on the wire, if it is one of the contract's. */
    public static Optional<ErrorCode> of(int code) {
        for (ErrorCode value : values()) {
            if (value.code == code) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
