package io.tessera.master.session;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** Token URLs as OpenVidu 2 hands them out: {@code wss://host:port?sessionId=S&token=tok_X}. */
public final class Tokens {
    private final String webSocketBase;

    /** @param publicUrl the master's public base URL, http(s) or ws(s) */
    public Tokens(String publicUrl) {
        String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        if (base.startsWith("https://")) {
            base = "wss://" + base.substring("https://".length());
        } else if (base.startsWith("http://")) {
            base = "ws://" + base.substring("http://".length());
        } else if (!base.startsWith("ws://") && !base.startsWith("wss://")) {
            throw new IllegalArgumentException("public URL must start with http://, https://, ws:// or wss://: " + publicUrl);
        }
        this.webSocketBase = base;
    }

    public String url(String sessionId, String token) {
        return webSocketBase + "?sessionId=" + sessionId + "&token=" + token;
    }

    /** The bare token value of a token URL or of a bare token; empty when there is none. */
    public static Optional<String> tokenValue(String tokenOrUrl) {
        if (tokenOrUrl == null || tokenOrUrl.isBlank()) {
            return Optional.empty();
        }
        if (!tokenOrUrl.contains("?")) {
            return Optional.of(tokenOrUrl);
        }
        String query;
        try {
            query = URI.create(tokenOrUrl).getRawQuery();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("token")) {
                return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /** Compares secrets in time independent of where they differ. */
    public static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
