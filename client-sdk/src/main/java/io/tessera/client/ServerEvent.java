package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A notification pushed by the server ({@code participantJoined}, {@code participantLeft}, {@code sendMessage},
 * {@code participantPublished}, {@code participantUnpublished}...).
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

    /** The streams of a {@code participantPublished} event ({@code params.streams}); empty for other events. */
    public List<StreamInfo> streams() {
        return StreamInfo.listOf(params.get("streams"));
    }
}
