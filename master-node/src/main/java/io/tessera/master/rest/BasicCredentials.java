package io.tessera.master.rest;

import io.tessera.master.session.Tokens;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The one check of an {@code Authorization} header against the application credential ({@code OPENVIDUAPP:<secret>},
 * HTTP Basic), for the REST API and the operator console alike. Both parts are compared in full and in constant time,
 * so timing says nothing about which one was wrong.
 */
public final class BasicCredentials {
    static final String USER = "OPENVIDUAPP";

    private final String secret;

    public BasicCredentials(String secret) {
        this.secret = secret;
    }

    public boolean accepts(String authorizationHeader) {
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
