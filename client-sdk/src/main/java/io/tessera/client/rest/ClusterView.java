package io.tessera.client.rest;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Tessera's {@code GET /openvidu/api/cluster}: the masters and media nodes the answering master sees.
 *
 * @param self            the master that answered
 * @param selfConnections the WebSocket connections open on it
 * @param routedSessions  sessions in the routing table ({@code routing.sessions}); 0 if absent
 * @param json            the whole answer ({@code haPlan} and whatever this record does not name)
 */
public record ClusterView(String self, int selfConnections, List<Member> masters, List<MediaMember> mediaNodes,
                          int routedSessions, JsonNode json) {

    /** A master: {@code status} is its cluster membership ({@code up}, {@code leaving}, ...). */
    public record Member(String id, String status, boolean reachable, String address) {
        static Member from(JsonNode node) {
            return new Member(Fields.text(node, "id"), Fields.text(node, "status"),
                    node.path("reachable").asBoolean(false), Fields.optionalText(node, "address"));
        }
    }

    /** A media node with its last load report; {@code status} is {@code running} or {@code draining}. */
    public record MediaMember(String id, String status, boolean reachable, MediaLoad load, long lastReportAgeMs) {
        static MediaMember from(JsonNode node) {
            return new MediaMember(Fields.text(node, "id"), Fields.text(node, "status"),
                    node.path("reachable").asBoolean(false), MediaLoad.from(Fields.object(node, "load")),
                    node.path("lastReportAgeMs").asLong(0));
        }

        public boolean isRunning() {
            return MediaNode.RUNNING.equals(status);
        }
    }

    static ClusterView from(JsonNode root) {
        return new ClusterView(Fields.text(root, "self"), Fields.number(root, "selfConnections"),
                Fields.list(root.path("masters"), "masters", Member::from),
                Fields.list(root.path("mediaNodes"), "mediaNodes", MediaMember::from),
                root.path("routing").path("sessions").asInt(0), root);
    }
}
