package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The results of the OpenVidu requests Tessera serves (docs/CONTRACT.md), one record per shape. */
public sealed interface OpenViduResult {

    /** The {@code result} member. */
    ObjectNode json();

    /**
     * {@code {}}: leaveRoom, unpublishVideo, unsubscribeFromVideo, receiveVideoFrom with an answer, onIceCandidate,
     * videoData, echo.
     */
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

    /** prepareReceiveVideoFrom: the server's offer for a subscription. */
    record SdpOffer(String sdpOffer) implements OpenViduResult {
        @Override
        public ObjectNode json() {
            return JsonRpc.MAPPER.createObjectNode().put("sdpOffer", sdpOffer);
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
     * One entry of joinRoom's {@code customIceServers}, as openvidu-browser 2.32.2 reads it ({@code url}, and
     * {@code username}/{@code credential} for TURN).
     */
    record IceServer(String url, String username, String credential) {
        /** On loopback: a STUN server nobody answers, which keeps openvidu-browser from public STUN servers. */
        public static final String LOOPBACK_DEFAULT = "stun:127.0.0.1:3478";

        public IceServer {
            if (url == null || !url.matches("(stuns?|turns?):[^\\s|,]+")) {
                throw new IllegalArgumentException("an ICE server URL starts with stun:, stuns:, turn: or turns:, not '"
                        + url + "'");
            }
        }

        /** Comma-separated {@code url} or {@code url|username|credential} entries; never empty. */
        public static List<IceServer> parseList(String list) {
            List<IceServer> servers = new java.util.ArrayList<>();
            for (String entry : list.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                String[] parts = entry.trim().split("\\|", -1);
                if (parts.length != 1 && parts.length != 3) {
                    throw new IllegalArgumentException("an ICE server is 'url' or 'url|username|credential', not '"
                            + parts[0] + "|...'");
                }
                servers.add(parts.length == 1 ? new IceServer(parts[0], null, null)
                        : new IceServer(parts[0], parts[1], parts[2]));
            }
            if (servers.isEmpty()) {
                throw new IllegalArgumentException("the ICE server list is empty: openvidu-browser would use public "
                        + "STUN servers; name at least one (e.g. " + LOOPBACK_DEFAULT + ")");
            }
            return List.copyOf(servers);
        }

        ObjectNode json() {
            ObjectNode node = JsonRpc.MAPPER.createObjectNode().put("url", url);
            if (username != null) {
                node.put("username", username);
                node.put("credential", credential);
            }
            return node;
        }

        @Override
        public String toString() { // the credential stays out of logs
            return "IceServer[" + url + (username != null ? ", " + username : "") + "]";
        }
    }

    /**
     * joinRoom and connect ({@code resumed}): who this participant is, who else is there with their streams, and what
     * a resume needs (the {@code resumeSecret} and the {@code seq} reached). The fields openvidu-browser 2.32.2 reads
     * (docs/WEBRTC-SIGNALLING-NOTES.md): {@code mediaServer} is {@code "mediasoup"} when the session's media node runs
     * Janus ({@code webrtcEngine}), which makes the browser subscribe by server offer (prepareReceiveVideoFrom);
     * {@code videoSimulcast} is false; {@code customIceServers} is never empty. {@code sessionId} is the
     * {@link ResumeHandle} (openvidu-browser's rpcSessionId), {@code session} the session's name.
     */
    record Joined(String connectionId, long createdAt, String metadata, List<ParticipantView> others, String sessionId,
                  String role, boolean record, String mediaNodeId, long seq, String resumeSecret, boolean resumed,
                  String webrtcEngine, List<IceServer> iceServers)
            implements OpenViduResult {
        /** The OpenVidu version openvidu-browser is told it talks to (same major, minor 32 or 33, or it complains). */
        public static final String OPENVIDU_VERSION = "2.32.0";

        public Joined {
            others = List.copyOf(others);
            iceServers = List.copyOf(iceServers);
        }

        @Override
        public ObjectNode json() {
            ObjectNode result = JsonRpc.MAPPER.createObjectNode();
            result.put("id", connectionId);
            result.put("finalUserId", connectionId);
            result.put("createdAt", createdAt);
            result.put("metadata", metadata);
            ArrayNode value = result.putArray("value");
            others.forEach(other -> value.add(other.json()));
            result.put("session", sessionId);
            // OpenVidu's RPC session id, which openvidu-browser sends back in connect: the resume handle (ResumeHandle).
            result.put("sessionId", new ResumeHandle(sessionId, connectionId, resumeSecret).encode());
            result.put("role", role);
            result.put("record", record);
            result.put("version", OPENVIDU_VERSION);
            result.put("mediaServer", webrtcEngine != null ? "mediasoup" : "tessera");
            result.put("videoSimulcast", false);
            result.put("life", SessionStatusResult.LIFE);
            result.put("mediaNodeId", mediaNodeId);
            result.put("seq", seq);
            result.put("resumeSecret", resumeSecret);
            if (resumed) {
                result.put("resumed", true);
            }
            ArrayNode ice = result.putArray("customIceServers");
            iceServers.forEach(server -> ice.add(server.json()));
            return result;
        }

        @Override
        public String toString() { // the secret stays out of logs
            return "Joined[" + connectionId + " in " + sessionId + " on " + mediaNodeId + ", seq=" + seq
                    + (resumed ? ", resumed" : "") + "]";
        }
    }

    /**
     * {@code sessionStatus}: Tessera's masters have one {@code life} (0, as in joinRoom's result) for good, since a
     * session outlives any master: a failed resume then reads as a network loss (openvidu-browser's
     * {@code networkDisconnect}), never as the crash of the client's master. {@code exists}: the session is routed.
     */
    record SessionStatusResult(String sessionId, boolean exists) implements OpenViduResult {
        public static final long LIFE = 0;

        @Override
        public ObjectNode json() {
            ObjectNode result = JsonRpc.MAPPER.createObjectNode();
            result.put("sessionId", sessionId);
            result.put("life", LIFE);
            result.put("exists", exists);
            return result;
        }
    }
}
