package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A notification pushed by the server ({@code participantJoined}, {@code participantLeft}, {@code sendMessage}...).
 *
 * @param method the JSON-RPC method of the notification
 * @param params its params (an empty object when the server sent none)
 * @param seq    {@code params.seq}, the per-participant sequence number, or -1 when the event carries none
 */
public record ServerEvent(String method, JsonNode params, long seq) {

    /** Shortcut for a text field of {@link #params()}, null when absent. */
    public String param(String field) {
        JsonNode v = params.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
