package io.tessera.client.rest;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A session as the masters show it (OpenVidu's {@code Session}, plus Tessera's {@code mediaNodeId} and
 * {@code priority}).
 *
 * @param mediaNodeId the media node hosting it
 * @param priority    {@code protected}, {@code best-effort} or {@code none}
 * @param connections its connections ({@code connections.content}); only active ones unless the master was asked for
 *                    pending ones too
 * @param json        the whole answer, for the fields not named here
 */
public record Session(String sessionId, String customSessionId, String mediaNodeId, String priority, long createdAt,
                      List<Connection> connections, JsonNode json) {

    static Session from(JsonNode node) {
        JsonNode connections = node.path("connections");
        return new Session(Fields.text(node, "sessionId"), Fields.optionalText(node, "customSessionId"),
                Fields.optionalText(node, "mediaNodeId"), Fields.optionalText(node, "priority"),
                node.path("createdAt").asLong(0),
                connections.isMissingNode() ? List.of() : Fields.page(connections, Connection::from), node);
    }
}
