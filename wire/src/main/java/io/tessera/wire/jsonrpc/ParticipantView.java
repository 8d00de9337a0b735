package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A participant as openvidu-browser reads it: in {@code joinRoom}'s {@code value} and in {@code participantJoined}.
 * {@code streams} is absent on the wire when the participant publishes nothing.
 */
public record ParticipantView(String id, long createdAt, String metadata, List<StreamView> streams) {

    public ParticipantView {
        streams = streams == null ? List.of() : List.copyOf(streams);
    }

    public ObjectNode json() {
        ObjectNode node = JsonRpc.MAPPER.createObjectNode();
        node.put("id", id);
        node.put("createdAt", createdAt);
        node.put("metadata", metadata);
        // Left out when empty, as OpenVidu does: openvidu-browser treats any 'streams' member as streams to set up
        // (`if (remoteOptions.streams)`), and an empty array ends in a TypeError in its Connection.
        if (!streams.isEmpty()) {
            ArrayNode array = node.putArray("streams");
            streams.forEach(stream -> array.add(stream.json()));
        }
        return node;
    }
}
