package io.tessera.master.console;

import io.tessera.master.session.Tokens;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The console's check of an {@code Authorization} header: the REST API's credential ({@code OPENVIDUAPP:<secret>},
 * HTTP Basic), compared in full and in constant time. The page keeps the credential in memory only and sends it on
 * every request, to the REST API and to the console's own endpoints alike.
 */
final class ConsoleAuth {
    static final String USER = "OPENVIDUAPP";

    private final String secret;

    ConsoleAuth(String secret) {
        this.secret = secret;
    }

    boolean accepts(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorizationHeader.substring(6).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        boolean user = Tokens.constantTimeEquals(decoded.substring(0, colon), USER);
        boolean password = Tokens.constantTimeEquals(decoded.substring(colon + 1), secret);
        return user & password;
    }
}
