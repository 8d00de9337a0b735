package io.tessera.client.rest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A connection of a session (OpenVidu's {@code Connection}): what {@code POST /sessions/{id}/connection} answers.
 *
 * @param status     {@code pending} until a client joins with its token, then {@code active}
 * @param token      the URL a client joins with ({@code ws://master?sessionId=..&token=tok_..})
 * @param serverData the {@code data} the application server gave
 * @param clientData the metadata the client joined with; null before
 * @param json       the whole answer, for the fields not named here
 */
public record Connection(String connectionId, String sessionId, String status, String role, String token,
                         String serverData, String clientData, boolean record, long createdAt, JsonNode json) {

    static Connection from(JsonNode node) {
        return new Connection(Fields.text(node, "connectionId"), Fields.text(node, "sessionId"),
                Fields.optionalText(node, "status"), Fields.optionalText(node, "role"), Fields.text(node, "token"),
                Fields.optionalText(node, "serverData"), Fields.optionalText(node, "clientData"),
                node.path("record").asBoolean(true), node.path("createdAt").asLong(0), node);
    }
}
