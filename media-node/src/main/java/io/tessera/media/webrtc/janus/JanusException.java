package io.tessera.media.webrtc.janus;

/**
 * Janus refused a request (its {@code error} reply, or a plugin's {@code error_code}), or the request never got an
 * answer. {@link #code()} is Janus's numeric code (0 when the failure is ours: timeout, closed socket, full queue).
 */
public final class JanusException extends RuntimeException {
    /** Our own failures, not Janus's: no code of Janus's applies. */
    public static final int LOCAL = 0;

    private final int code;
    private final String reason;

    public JanusException(int code, String reason) {
        super(code == LOCAL ? reason : "Janus error " + code + ": " + reason, null, false, false);
        this.code = code;
        this.reason = reason;
    }

    public static JanusException local(String reason) {
        return new JanusException(LOCAL, reason);
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }
}
