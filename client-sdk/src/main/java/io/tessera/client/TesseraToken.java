package io.tessera.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A connection token as handed out by {@code POST /openvidu/api/sessions/{id}/connection}, e.g.
 * {@code ws://127.0.0.1:4443?sessionId=S&token=tok_X}.
 *
 * @param raw          the token string exactly as given (sent as is in {@code joinRoom})
 * @param webSocketUri where to open the signalling socket, e.g. {@code ws://127.0.0.1:4443/openvidu}
 * @param sessionId    the session the token belongs to
 * @param token        the token value ({@code tok_...})
 */
public record TesseraToken(String raw, URI webSocketUri, String sessionId, String token) {

    private static final String WS_PATH = "/openvidu";

    public static TesseraToken parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("token is empty");
        }
        URI uri;
        try {
            uri = new URI(raw.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("token is not a valid URI: " + e.getReason() + " at index " + e.getIndex());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        String wsScheme = switch (scheme == null ? "" : scheme) {
            case "ws", "http" -> "ws";
            case "wss", "https" -> "wss";
            default -> throw new IllegalArgumentException(
                    "token must start with ws://, wss://, http:// or https://, got " + describe(raw));
        };
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("token has no host: " + describe(raw));
        }
        Map<String, String> query = parseQuery(uri.getRawQuery());
        String sessionId = query.get("sessionId");
        String token = query.get("token");
        if (sessionId == null || sessionId.isEmpty()) {
            throw new IllegalArgumentException("token has no sessionId parameter: " + describe(raw));
        }
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("token has no token parameter: " + describe(raw));
        }
        try {
            URI ws = new URI(wsScheme, null, uri.getHost(), uri.getPort(), webSocketPath(uri.getPath()), null, null);
            return new TesseraToken(raw.trim(), ws, sessionId, token);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot build WebSocket URI from token: " + e.getReason());
        }
    }

    // Keep a path prefix (a proxy may mount the cluster under one) and add /openvidu once.
    private static String webSocketPath(String path) {
        String p = path == null ? "" : path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.endsWith(WS_PATH) ? p : p + WS_PATH;
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> result = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return result;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            try {
                String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                result.putIfAbsent(key, value);
            } catch (IllegalArgumentException e) {
                // No cause: URLDecoder's message quotes the value, which may be the token.
                throw new IllegalArgumentException("token has a badly encoded query parameter");
            }
        }
        return result;
    }

    // Error messages end up in logs: they never quote the token URL, which holds the token.
    private static String describe(String raw) {
        return "(a " + raw.length() + "-character value, not shown: it may hold the token)";
    }

    // The token value is a credential: keep it out of logs.
    @Override
    public String toString() {
        return "TesseraToken[" + webSocketUri + ", sessionId=" + sessionId + "]";
    }
}
