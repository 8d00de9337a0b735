package io.tessera.wire.jsonrpc;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * What a client needs to take its participation back through any master, in one opaque string: the session, the
 * connection and the resume secret. Tessera puts it in {@code joinRoom}'s result as {@code sessionId}, the field
 * openvidu-browser keeps as its {@code rpcSessionId} and sends back unchanged in {@code connect {sessionId,
 * reconnect:true}} after its WebSocket reconnected. So a master that never saw the client finds the participant and the
 * media node authenticates it, with no state that died with the old master (docs/CONTRACT.md, "connect").
 *
 * <p>Form: {@code tsr1.<base64url(sessionId)>.<base64url(connectionId)>.<resumeSecret>} (base64url without padding;
 * the secret is base64url already). It is a bearer credential: it is never logged ({@link #toString()}).
 */
public record ResumeHandle(String sessionId, String connectionId, String resumeSecret) {
    private static final String PREFIX = "tsr1.";
    /** Longer handles are refused before they are decoded. */
    public static final int MAX_CHARS = 1024;

    public ResumeHandle {
        if (sessionId == null || sessionId.isEmpty() || connectionId == null || connectionId.isEmpty()
                || resumeSecret == null || !isBase64Url(resumeSecret) || resumeSecret.isEmpty()) {
            throw new IllegalArgumentException("a resume handle needs a session, a connection and a base64url secret");
        }
    }

    /** The string clients hold. */
    public String encode() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return PREFIX + b64.encodeToString(sessionId.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(connectionId.getBytes(StandardCharsets.UTF_8)) + "." + resumeSecret;
    }

    /** Whether {@code text} has the shape of a handle (and so is not a session name). */
    public static boolean looksLikeHandle(String text) {
        return text != null && text.startsWith(PREFIX);
    }

    /** The handle {@code text} holds, or empty when it is not one (wrong prefix, parts, encoding or length). */
    public static Optional<ResumeHandle> decode(String text) {
        if (!looksLikeHandle(text) || text.length() > MAX_CHARS) {
            return Optional.empty();
        }
        String[] parts = text.substring(PREFIX.length()).split("\\.", -1);
        if (parts.length != 3 || !isBase64Url(parts[0]) || !isBase64Url(parts[1])) {
            return Optional.empty();
        }
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            String session = new String(b64.decode(parts[0]), StandardCharsets.UTF_8);
            String connection = new String(b64.decode(parts[1]), StandardCharsets.UTF_8);
            return Optional.of(new ResumeHandle(session, connection, parts[2]));
        } catch (IllegalArgumentException notBase64OrEmpty) {
            return Optional.empty();
        }
    }

    private static boolean isBase64Url(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** The secret stays out of logs. */
    @Override
    public String toString() {
        return "ResumeHandle[" + sessionId + ", " + connectionId + "]";
    }
}
