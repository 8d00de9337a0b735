package io.tessera.master.medianode;

import io.tessera.common.protocol.MediaNodeProtocol.ConnectionMedia;
import io.tessera.common.protocol.MediaNodeProtocol.SessionMedia;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a master knows of one session's streams when it builds a view: its media node's description, by connection
 * ({@code unavailable} null), or why there is none ({@code connections} empty then). A record of what the node said,
 * so that the views (which depend only on records) can write it.
 */
public record SessionStreams(Map<String, ConnectionMedia> connections, String unavailable) {
    private static final SessionStreams NONE = new SessionStreams(Map.of(), null);

    /** A session (or connection) that holds no media: nobody joined yet, or the node hosts no such session. */
    public static SessionStreams none() {
        return NONE;
    }

    /** What the node described. */
    public static SessionStreams of(SessionMedia media) {
        Map<String, ConnectionMedia> byId = new LinkedHashMap<>();
        media.connections().forEach(c -> byId.put(c.connectionId(), c));
        return new SessionStreams(Map.copyOf(byId), null);
    }

    /** The node could not say ({@code why}). */
    public static SessionStreams unknown(String why) {
        return new SessionStreams(Map.of(), why);
    }

    public boolean known() {
        return unavailable == null;
    }

    /** A connection's media; empty for one that is not in the session on the node (pending, or gone). */
    public Optional<ConnectionMedia> of(String connectionId) {
        return Optional.ofNullable(connections.get(connectionId));
    }
}
