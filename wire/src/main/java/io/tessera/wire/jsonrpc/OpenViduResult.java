package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The results of the OpenVidu requests Tessera serves (docs/CONTRACT.md), one record per shape. */
public sealed interface OpenViduResult {

    /** The {@code result} member. */
    ObjectNode json();

    /** {@code {}}: leaveRoom, unpublishVideo, unsubscribeFromVideo. */
    record Empty() implements OpenViduResult {
        @Override
        public ObjectNode json() {
            return JsonRpc.MAPPER.createObjectNode();
        }
    }

    /** ping. */
    record Pong() implements OpenViduResult {
        @Override
        public ObjectNode json() {
            return JsonRpc.MAPPER.createObjectNode().put("value", "pong");
        }
    }

    /** sendMessage: what was sent, to whom. */
    record MessageSent(String sessionId, List<String> to, String type, String data) implements OpenViduResult {
        @Override
        public ObjectNode json() {
            ObjectNode result = JsonRpc.MAPPER.createObjectNode();
            result.put("sessionId", sessionId);
            ArrayNode toArray = result.putArray("to");
            to.forEach(toArray::add);
            result.put("type", type);
            result.put("data", data);
            return result;
        }
    }

    /** publishVideo ({@code streamId} and {@code createdAt} set) and receiveVideoFrom (both null / 0). */
    record SdpAnswer(String streamId, long createdAt, String sdpAnswer) implements OpenViduResult {
        @Override
        public ObjectNode json() {
            ObjectNode result = JsonRpc.MAPPER.createObjectNode();
            if (streamId != null) {
                result.put("id", streamId);
                result.put("createdAt", createdAt);
            }
            result.put("sdpAnswer", sdpAnswer);
            return result;
        }
    }

    /**
     * joinRoom and connect ({@code resumed}): who this participant is, who else is there with their streams, and what
     * a resume needs (the {@code resumeSecret} and the {@code seq} reached).
     */
    record Joined(String connectionId, long createdAt, String metadata, List<ParticipantView> others, String sessionId,
                  String role, boolean record, String mediaNodeId, long seq, String resumeSecret, boolean resumed)
            implements OpenViduResult {
        /** The OpenVidu version openvidu-browser is told it talks to. */
        public static final String OPENVIDU_VERSION = "2.32.0";

        @Override
        public ObjectNode json() {
            ObjectNode result = JsonRpc.MAPPER.createObjectNode();
            result.put("id", connectionId);
            result.put("createdAt", createdAt);
            result.put("metadata", metadata);
            ArrayNode value = result.putArray("value");
            others.forEach(other -> value.add(other.json()));
            result.put("session", sessionId);
            result.put("sessionId", sessionId);
            result.put("role", role);
            result.put("record", record);
            result.put("version", OPENVIDU_VERSION);
            result.put("mediaServer", "tessera");
            result.put("mediaNodeId", mediaNodeId);
            result.put("seq", seq);
            result.put("resumeSecret", resumeSecret);
            if (resumed) {
                result.put("resumed", true);
            }
            result.putArray("customIceServers");
            return result;
        }

        @Override
        public String toString() { // the secret stays out of logs
            return "Joined[" + connectionId + " in " + sessionId + " on " + mediaNodeId + ", seq=" + seq
                    + (resumed ? ", resumed" : "") + "]";
        }
    }
}
