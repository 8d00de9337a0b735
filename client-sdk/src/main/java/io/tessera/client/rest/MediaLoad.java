package io.tessera.client.rest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A media node's last load report, as the masters show it ({@code tesseraLoad} in {@code /media-nodes},
 * {@code load} in {@code /cluster}).
 *
 * @param capacity sessions the node may host at most ({@code max-sessions}); only {@code /cluster} says it, 0 elsewhere
 * @param cpu      the node's CPU use, 0..1
 */
public record MediaLoad(int sessions, int participants, int streams, int subscriptions, int mediaPorts, int capacity,
                        double cpu) {

    static MediaLoad from(JsonNode load) {
        return new MediaLoad(Fields.number(load, "sessions"), load.path("participants").asInt(0),
                load.path("streams").asInt(0), load.path("subscriptions").asInt(0), load.path("mediaPorts").asInt(0),
                load.path("capacity").asInt(0), load.path("cpu").asDouble(0));
    }
}
