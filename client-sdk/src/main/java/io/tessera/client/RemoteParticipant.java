package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A participant that was already in the session when we joined (the {@code value} list of {@code joinRoom}). */
public record RemoteParticipant(String connectionId, long createdAt, String metadata, JsonNode streams) {
}
