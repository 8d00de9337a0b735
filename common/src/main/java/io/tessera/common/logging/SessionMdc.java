package io.tessera.common.logging;

import org.slf4j.MDC;

import java.util.HashMap;
import java.util.Map;

/**
 * Puts a session's ids into the MDC for the lines logged inside a {@code try} block, and puts back what was there
 * before. For code that is not an actor (futures, REST): actors use {@code Behaviors.withMdc}. Null ids are left out.
 *
 * <pre>{@code try (SessionMdc mdc = SessionMdc.of(sessionId, connectionId, mediaNodeId)) { log.info(...); }}</pre>
 */
public final class SessionMdc implements AutoCloseable {
    private static final String[] KEYS = {LogKeys.SESSION_ID, LogKeys.CONNECTION_ID, LogKeys.MEDIA_NODE_ID};

    private final Map<String, String> previous = new HashMap<>(4);

    private SessionMdc(String... values) {
        for (int i = 0; i < KEYS.length; i++) {
            if (values[i] != null) {
                previous.put(KEYS[i], MDC.get(KEYS[i]));
                MDC.put(KEYS[i], values[i]);
            }
        }
    }

    public static SessionMdc of(String sessionId, String connectionId, String mediaNodeId) {
        return new SessionMdc(sessionId, connectionId, mediaNodeId);
    }

    public static SessionMdc session(String sessionId) {
        return new SessionMdc(sessionId, null, null);
    }

    /** The ids as an MDC map (for {@code Behaviors.withMdc}); null ids are left out. */
    public static Map<String, String> map(String sessionId, String connectionId, String mediaNodeId) {
        Map<String, String> m = new HashMap<>(4);
        if (sessionId != null) {
            m.put(LogKeys.SESSION_ID, sessionId);
        }
        if (connectionId != null) {
            m.put(LogKeys.CONNECTION_ID, connectionId);
        }
        if (mediaNodeId != null) {
            m.put(LogKeys.MEDIA_NODE_ID, mediaNodeId);
        }
        return m;
    }

    @Override
    public void close() {
        previous.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
