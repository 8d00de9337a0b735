package io.tessera.wire.sdp;

import io.tessera.wire.jsonrpc.ErrorCode;

/**
 * An SDP that cannot be read ({@link Kind#MALFORMED}, answered with 400) or asks for what the reader does not do
 * ({@link Kind#UNSUPPORTED}, 415). The message names the offending line and holds no control character, so it can go
 * back to the client and into logs as it is.
 */
public final class SdpException extends IllegalArgumentException {

    /** Whose fault: each kind has the error code the signalling layer answers with. */
    public enum Kind {
        /** Not SDP, or SDP breaking a rule of the dialect: 400. */
        MALFORMED(ErrorCode.BAD_REQUEST),
        /** Well-formed, but asks for something the reader does not take (a profile, an address family, two m= lines): 415. */
        UNSUPPORTED(ErrorCode.UNSUPPORTED_MEDIA);

        public final ErrorCode errorCode;

        Kind(ErrorCode errorCode) {
            this.errorCode = errorCode;
        }
    }

    private final Kind kind;

    public SdpException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public static SdpException malformed(String message) {
        return new SdpException(Kind.MALFORMED, message);
    }

    public static SdpException unsupported(String message) {
        return new SdpException(Kind.UNSUPPORTED, message);
    }

    public Kind kind() {
        return kind;
    }

    /** 400 or 415. */
    public int errorCode() {
        return kind.errorCode.code();
    }

    // Refusals of hostile input are frequent and expected: no stack trace to fill.
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    /** A line or value quoted in a message: control characters replaced, at most 60 characters. */
    static String quote(String s) {
        String printable = s.replaceAll("\\p{Cc}", "?"); // C0 and C1 controls (\p{Cntrl} is only C0 and DEL)
        return printable.length() <= 60 ? printable : printable.substring(0, 57) + "...";
    }
}
