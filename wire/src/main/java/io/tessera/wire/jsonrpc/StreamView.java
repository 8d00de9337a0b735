package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A published stream as openvidu-browser reads it: in {@code joinRoom}'s {@code value[].streams} and in
 * {@code participantPublished}. {@code videoDimensions} is a JSON object serialised into a string.
 */
public record StreamView(String id, long createdAt, boolean hasAudio, boolean hasVideo, boolean audioActive,
                         boolean videoActive, String typeOfVideo, int frameRate, String videoDimensions) {

    public ObjectNode json() {
        ObjectNode node = JsonRpc.MAPPER.createObjectNode();
        node.put("id", id);
        node.put("createdAt", createdAt);
        node.put("hasAudio", hasAudio);
        node.put("hasVideo", hasVideo);
        node.put("audioActive", audioActive);
        node.put("videoActive", videoActive);
        node.put("typeOfVideo", typeOfVideo);
        node.put("frameRate", frameRate);
        node.put("videoDimensions", videoDimensions);
        node.putObject("filter");
        return node;
    }
}
