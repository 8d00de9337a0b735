package io.tessera.master.session;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Identifiers and secrets: random, URL-safe, and checked on the way in. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    /** As OpenVidu: letters, digits, '-' and '_'; bounded so ids stay cheap to store and log. */
    private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    /** {@link #VALID_ID} in words, for the errors that refuse an id. */
    public static final String VALID_ID_RULE = "1-128 letters, digits, '-' or '_'";

    private Ids() {
    }

    public static String sessionId() {
        return "ses_" + random(12);
    }

    public static String connectionId() {
        return "con_" + random(12);
    }

    /** 24 characters of a 62-letter alphabet: about 143 bits, unguessable. */
    public static String token() {
        return "tok_" + random(24);
    }

    public static boolean isValidId(String id) {
        return id != null && VALID_ID.matcher(id).matches();
    }

    static String random(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }
}
