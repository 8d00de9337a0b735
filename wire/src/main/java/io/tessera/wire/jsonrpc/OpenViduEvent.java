package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The notifications a master sends a client (docs/CONTRACT.md, "Events"), one record per method. Session events are
 * numbered per participant: {@link JsonRpc#notification(OpenViduEvent, long)} adds {@code seq}.
 */
public sealed interface OpenViduEvent {

    /** The method name on the wire. */
    String method();

    /** The params without {@code seq}. */
    ObjectNode params();

    record ParticipantJoined(ParticipantView participant) implements OpenViduEvent {
        @Override
        public String method() {
            return "participantJoined";
        }

        @Override
        public ObjectNode params() {
            return participant.json();
        }
    }

    /** {@code reason}: a {@link LeaveReason} by its wire name, as the media node reported it. */
    record ParticipantLeft(String connectionId, String reason) implements OpenViduEvent {
        @Override
        public String method() {
            return "participantLeft";
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("connectionId", connectionId).put("reason", reason);
        }
    }

    /** The server removed this participant ({@code connectionId} is its own); the socket stays open. */
    record ParticipantEvicted(String connectionId, String reason) implements OpenViduEvent {
        @Override
        public String method() {
            return "participantEvicted";
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("connectionId", connectionId).put("reason", reason);
        }
    }

    /** One stream of participant {@code id}. */
    record ParticipantPublished(String id, StreamView stream) implements OpenViduEvent {
        @Override
        public String method() {
            return "participantPublished";
        }

        @Override
        public ObjectNode params() {
            ObjectNode params = JsonRpc.MAPPER.createObjectNode().put("id", id);
            params.putArray("streams").add(stream.json());
            return params;
        }
    }

    record ParticipantUnpublished(String connectionId, String streamId, String reason) implements OpenViduEvent {
        @Override
        public String method() {
            return "participantUnpublished";
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("connectionId", connectionId).put("streamId", streamId)
                    .put("reason", reason);
        }
    }

    /**
     * Publisher {@code connectionId} changed a property of its stream; {@code newValue} in the property's plain form,
     * written as OpenVidu relays it (a string: {@code "true"}, the dimensions as a quoted JSON string, a track's
     * object as text; see {@link StreamProperty}).
     */
    record StreamPropertyChanged(String connectionId, String streamId, StreamProperty property, String newValue,
                                 String reason) implements OpenViduEvent {
        @Override
        public String method() {
            return "streamPropertyChanged";
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode()
                    .put("connectionId", connectionId)
                    .put("streamId", streamId)
                    .put("property", property.wireName())
                    .put("newValue", property.relayed(newValue))
                    .put("reason", reason);
        }
    }

    /**
     * The session now runs on {@code mediaNodeId}; {@code reason} a {@link RelocationReason} by its wire name. A
     * resume needs {@code resumeSecret} from now on.
     */
    record MediaNodeFailed(String sessionId, String failedMediaNodeId, String mediaNodeId, String reason,
                           String resumeSecret) implements OpenViduEvent {
        @Override
        public String method() {
            return "mediaNodeFailed";
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode()
                    .put("sessionId", sessionId)
                    .put("failedMediaNodeId", failedMediaNodeId)
                    .put("mediaNodeId", mediaNodeId)
                    .put("reason", reason)
                    .put("resumeSecret", resumeSecret);
        }

        @Override
        public String toString() { // the secret stays out of logs
            return "MediaNodeFailed[" + sessionId + ", " + failedMediaNodeId + " -> " + mediaNodeId + ", " + reason + "]";
        }
    }

    /**
     * The server rebuilt its side of the caller's subscription to {@code streamId} (of connection
     * {@code connectionId}) and offers it {@code sdpOffer}: openvidu-browser makes a new PeerConnection and answers
     * with {@code reconnectStream {stream, sdpString, forciblyReconnect: true}}. Sent when the publisher rebuilt its
     * stream (its own ICE recovery, or after the session moved to another media node).
     */
    record ForciblyReconnectSubscriber(String connectionId, String streamId, String sdpOffer)
            implements OpenViduEvent {
        @Override
        public String method() {
            return "forciblyReconnectSubscriber";
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("connectionId", connectionId).put("streamId", streamId)
                    .put("sdpOffer", sdpOffer);
        }
    }

    /** A signal; {@code from} is null for one sent through REST {@code /signal} (then absent on the wire). */
    record MessageReceived(String from, String type, String data) implements OpenViduEvent {
        @Override
        public String method() {
            return "sendMessage";
        }

        @Override
        public ObjectNode params() {
            ObjectNode params = JsonRpc.MAPPER.createObjectNode();
            if (from != null) {
                params.put("from", from);
            }
            return params.put("type", type).put("data", data);
        }
    }

    /**
     * Early word that the session's media node {@code failedMediaNodeId} was found dead and the session is being
     * moved ({@code mediaNodeFailed} follows once it is). A hint, not a session event: no {@code seq}, not replayed
     * (lost with the socket, it costs only time). A publisher may rebuild at once: its {@code reconnectStream} is held
     * by the master until the session is on its new node.
     */
    record MediaNodeLost(String sessionId, String failedMediaNodeId) implements OpenViduEvent {
        @Override
        public String method() {
            return "mediaNodeLost";
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("sessionId", sessionId)
                    .put("failedMediaNodeId", failedMediaNodeId);
        }
    }

    /** About the socket, not the session, so it has no {@code seq}: the master is shutting down. */
    record MasterLeaving(String reason, String message) implements OpenViduEvent {
        @Override
        public String method() {
            return "masterLeaving";
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("reason", reason).put("message", message);
        }
    }
}
