package io.tessera.client.rest;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * A media node as {@code GET /openvidu/api/media-nodes[/{id}]} shows it.
 *
 * @param status        {@code running} or {@code draining} (as the node reports it)
 * @param reachable     whether the masters reach it now
 * @param publicAddress the address clients send media to ({@code ip})
 * @param drainDeadline while draining, when the sessions still there are moved away (every master knows it from the
 *                      node's reports); null when running
 * @param json          the whole answer, for the fields not named here
 */
public record MediaNode(String id, String status, boolean reachable, String publicAddress, MediaLoad load,
                        Instant drainDeadline, JsonNode json) {
    public static final String RUNNING = "running";
    public static final String DRAINING = "draining";

    static MediaNode from(JsonNode node) {
        String deadline = Fields.optionalText(node, "drainDeadline");
        return new MediaNode(Fields.text(node, "id"), Fields.text(node, "status"), node.path("reachable").asBoolean(false),
                Fields.optionalText(node, "ip"), MediaLoad.from(Fields.object(node, "tesseraLoad")),
                deadline == null ? null : Instant.parse(deadline), node);
    }

    public boolean isRunning() {
        return RUNNING.equals(status);
    }
}
