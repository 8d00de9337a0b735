package io.tessera.common.logging;

/**
 * Names of the MDC entries and logger-context properties that every node puts into its log lines
 * (docs/OPERATIONS.md "Logs" lists them). One place, so that masters and media nodes use the same keys.
 */
public final class LogKeys {
    /** MDC: the session a line is about. */
    public static final String SESSION_ID = "sessionId";
    /** MDC: the participant (OpenVidu connection id, {@code con_...}) a line is about. */
    public static final String CONNECTION_ID = "connectionId";
    /** MDC: the media node that hosts the session. */
    public static final String MEDIA_NODE_ID = "mediaNodeId";
    /** Logger-context property: this node's id ({@code TESSERA_NODE_ID}). */
    public static final String NODE_ID = "nodeId";
    /** Logger-context property: {@code master}, {@code media} or {@code lifecycle}. */
    public static final String ROLE = "role";

    private LogKeys() {
    }
}
