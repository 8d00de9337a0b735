package io.tessera.client.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The body of {@code POST /openvidu/api/sessions}; null fields are left out (the master's defaults apply).
 *
 * @param customSessionId the session's id; the master makes one when null
 * @param priority        {@code protected}, {@code best-effort} (the master's default) or {@code none}: what happens to
 *                        the session when its media node fails
 * @param mediaNodeId     the media node to host it; the least loaded one when null
 */
public record SessionProperties(String customSessionId, String priority, String mediaNodeId) {

    /** A session with this id and the master's defaults. */
    public static SessionProperties withId(String customSessionId) {
        return new SessionProperties(customSessionId, null, null);
    }

    public SessionProperties priority(String priority) {
        return new SessionProperties(customSessionId, priority, mediaNodeId);
    }

    public SessionProperties mediaNodeId(String mediaNodeId) {
        return new SessionProperties(customSessionId, priority, mediaNodeId);
    }

    ObjectNode toJson() {
        ObjectNode body = MasterRestClient.JSON.createObjectNode();
        if (customSessionId != null) {
            body.put("customSessionId", customSessionId);
        }
        if (priority != null) {
            body.put("priority", priority);
        }
        if (mediaNodeId != null) {
            body.putObject("mediaNode").put("id", mediaNodeId);
        }
        return body;
    }
}
