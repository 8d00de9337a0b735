package io.tessera.wire.log;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Forms of client-supplied values that are safe to log. A client may put anything into a field that is meant to
 * hold an id (its token, a secret, control characters), so such a value is logged as it is only when it has the
 * shape of an id and not that of a token; otherwise only its length shows.
 */
public final class LogSafe {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    /** Tessera's token shape (master-node Ids.token()). */
    private static final Pattern TOKEN = Pattern.compile("tok_[A-Za-z0-9]{24}");
    /** A media node's resume secret: 24 random bytes, base64url without padding. */
    private static final Pattern SECRET_LIKE = Pattern.compile("[A-Za-z0-9_-]{32,}");

    private LogSafe() {
    }

    /** The value itself if it looks like an id, else {@code <N chars>}; {@code -} for null. */
    public static String id(String value) {
        if (value == null) {
            return "-";
        }
        if (ID.matcher(value).matches() && !value.contains("tok_") && !SECRET_LIKE.matcher(value).matches()) {
            return value;
        }
        return "<" + value.length() + " chars>";
    }

    /**
     * Untrusted free text made safe for one log line: control characters (C0 and C1, so no forged line breaks) shown
     * as {@code ?}, cut to 80 characters; {@code -} for null.
     */
    public static String text(String value) {
        if (value == null) {
            return "-";
        }
        String printable = value.replaceAll("\\p{Cc}", "?");
        return printable.length() <= 80 ? printable : printable.substring(0, 77) + "...";
    }

    /** True for a value with the shape of a Tessera token (the bare {@code tok_...} form). */
    public static boolean looksLikeToken(String value) {
        return value != null && TOKEN.matcher(value).find();
    }

    /**
     * A short fingerprint of a secret value ({@code fp:} and 8 hex digits of its SHA-256): lines about the same
     * token can be told apart and matched, and nothing of the secret can be recovered from it.
     */
    public static String fingerprint(String secret) {
        if (secret == null) {
            return "-";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return "fp:" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
