package io.tessera.client.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The body of {@code POST /openvidu/api/sessions/{id}/connection} (type {@code WEBRTC}); null fields are left out
 * (the master's defaults apply: role {@code PUBLISHER}, record true, no data).
 *
 * @param role   {@code SUBSCRIBER}, {@code PUBLISHER} or {@code MODERATOR}
 * @param data   the server data the other participants see (at most 10000 characters)
 * @param record OpenVidu's recording flag (kept, not acted on)
 */
public record ConnectionProperties(String role, String data, Boolean record) {
    public static final String PUBLISHER = "PUBLISHER";

    /** A publisher with this server data. */
    public static ConnectionProperties publisher(String data) {
        return new ConnectionProperties(PUBLISHER, data, null);
    }

    ObjectNode toJson() {
        ObjectNode body = MasterRestClient.JSON.createObjectNode().put("type", "WEBRTC");
        if (role != null) {
            body.put("role", role);
        }
        if (data != null) {
            body.put("data", data);
        }
        if (record != null) {
            body.put("record", record);
        }
        return body;
    }
}
