package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.wire.jsonrpc.JsonRpc.Invalid;
import io.tessera.wire.jsonrpc.JsonRpc.Request;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The OpenVidu 2 requests (client to master) Tessera serves, one record per method (docs/CONTRACT.md, "WebSocket").
 * Each record reads itself from a request's params ({@code read}, strictly: a wrong type or a value out of range is
 * {@link ErrorCode#INVALID_PARAMS} naming the field) and writes itself ({@link #params()}, as openvidu-browser does).
 * A new method is a record here (with its case in {@link #read(Request)}, its {@link Precondition} if it has one, and
 * its method in {@link Handler}, which makes the master's handler fail to compile until it serves it).
 * Checks that depend on a node's configuration (metadata length, id rule) stay with the handler.
 */
public sealed interface OpenViduRequest {

    /** SDP offers longer than this are refused before they reach a media node. */
    int MAX_SDP_CHARS = 16 * 1024;
    /** The kinds of video openvidu-browser announces. */
    Set<String> VIDEO_TYPES = Set.of("CAMERA", "SCREEN", "CUSTOM", "IPCAM");

    /** The method name on the wire. */
    String method();

    /** What a socket must (not) have before a method is served; checked before the params are read. */
    enum Precondition {
        /** Served in any state. */
        NONE,
        /** Only on a socket that is not in a session (nor joining one): else {@link ErrorCode#ALREADY_JOINED}. */
        NOT_IN_SESSION,
        /** Only on a socket in a session: else {@link ErrorCode#NOT_JOINED}. */
        IN_SESSION
    }

    /** The precondition of a method by its name (methods Tessera does not serve have none). */
    static Precondition precondition(String method) {
        return switch (method) {
            case JoinRoom.METHOD, Connect.METHOD -> Precondition.NOT_IN_SESSION;
            case LeaveRoom.METHOD, SendMessage.METHOD, PublishVideo.METHOD, UnpublishVideo.METHOD,
                 ReceiveVideoFrom.METHOD, UnsubscribeFromVideo.METHOD, PrepareReceiveVideoFrom.METHOD,
                 OnIceCandidate.METHOD, VideoData.METHOD, ReconnectStream.METHOD, StreamPropertyChanged.METHOD ->
                    Precondition.IN_SESSION;
            default -> Precondition.NONE;
        };
    }

    /** The params as a client sends them. */
    ObjectNode params();

    /** Calls the handler's method for this request. */
    <R> R accept(JsonNode id, Handler<R> handler) throws Invalid;

    /**
     * The server's side: one method per request, so that a new request that is not handled is a compile error.
     * {@code id} is the request's id to answer (null for a notification, which gets no answer).
     */
    interface Handler<R> {
        R ping(JsonNode id, Ping request) throws Invalid;

        R joinRoom(JsonNode id, JoinRoom request) throws Invalid;

        R connect(JsonNode id, Connect request) throws Invalid;

        R leaveRoom(JsonNode id, LeaveRoom request) throws Invalid;

        R sendMessage(JsonNode id, SendMessage request) throws Invalid;

        R publishVideo(JsonNode id, PublishVideo request) throws Invalid;

        R unpublishVideo(JsonNode id, UnpublishVideo request) throws Invalid;

        R receiveVideoFrom(JsonNode id, ReceiveVideoFrom request) throws Invalid;

        R unsubscribeFromVideo(JsonNode id, UnsubscribeFromVideo request) throws Invalid;

        R prepareReceiveVideoFrom(JsonNode id, PrepareReceiveVideoFrom request) throws Invalid;

        R onIceCandidate(JsonNode id, OnIceCandidate request) throws Invalid;

        R videoData(JsonNode id, VideoData request) throws Invalid;

        R echo(JsonNode id, Echo request) throws Invalid;

        R reconnectStream(JsonNode id, ReconnectStream request) throws Invalid;
        R sessionStatus(JsonNode id, SessionStatus request) throws Invalid;
        R streamPropertyChanged(JsonNode id, StreamPropertyChanged request) throws Invalid;
    }

    /**
     * The typed request a parsed message holds, or {@link ErrorCode#METHOD_NOT_FOUND} for a method Tessera does not
     * serve (with a message that says whether OpenVidu has it).
     */
    static OpenViduRequest read(Request request) throws Invalid {
        return switch (request.method()) {
            case Ping.METHOD -> Ping.read(request);
            case JoinRoom.METHOD -> JoinRoom.read(request);
            case Connect.METHOD -> Connect.read(request);
            case LeaveRoom.METHOD -> new LeaveRoom();
            case SendMessage.METHOD -> SendMessage.read(request);
            case PublishVideo.METHOD -> PublishVideo.read(request);
            case UnpublishVideo.METHOD -> new UnpublishVideo();
            case ReceiveVideoFrom.METHOD -> ReceiveVideoFrom.read(request);
            case UnsubscribeFromVideo.METHOD -> UnsubscribeFromVideo.read(request);
            case PrepareReceiveVideoFrom.METHOD -> PrepareReceiveVideoFrom.read(request);
            case OnIceCandidate.METHOD -> OnIceCandidate.read(request);
            case VideoData.METHOD -> VideoData.read(request);
            case Echo.METHOD -> new Echo();
            case ReconnectStream.METHOD -> ReconnectStream.read(request);
            case SessionStatus.METHOD -> SessionStatus.read(request);
            case StreamPropertyChanged.METHOD -> StreamPropertyChanged.read(request);
            case "forceDisconnect", "forceUnpublish", "applyFilter",
                 "removeFilter", "execFilterMethod", "addFilterEventListener", "removeFilterEventListener",
                 "subscribeToSpeechToText", "unsubscribeFromSpeechToText" ->
                    throw request.refuse(ErrorCode.METHOD_NOT_FOUND, "method '" + request.method()
                            + "' is not supported by this version of Tessera");
            default -> throw request.refuse(ErrorCode.METHOD_NOT_FOUND, "method not found: '"
                    + abbreviate(request.method()) + "'");
        };
    }

    /** Keeps client-chosen strings short in answers and logs. */
    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    /** {@code ping}: the keepalive; {@code interval} (ms) is what the client announces, 0 when absent. */
    record Ping(long intervalMillis) implements OpenViduRequest {
        public static final String METHOD = "ping";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.ping(id, this);
        }

        static Ping read(Request request) {
            // Not checked: the interval is advisory and OpenVidu clients send it in several shapes.
            return new Ping(request.params().path("interval").asLong(0));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("interval", intervalMillis);
        }
    }

    /** {@code joinRoom}: {@code token} is the full token URL or the bare {@code tok_...}. */
    record JoinRoom(String token, String session, String metadata, String platform) implements OpenViduRequest {
        public static final String METHOD = "joinRoom";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.joinRoom(id, this);
        }

        static JoinRoom read(Request request) throws Invalid {
            String token = request.requiredString("token");
            String session = request.optionalString("session");
            String metadata = request.optionalString("metadata");
            String platform = request.optionalString("platform");
            if (session == null) {
                throw request.invalidParams("'session' is required");
            }
            return new JoinRoom(token, session, metadata, platform);
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            ObjectNode p = JsonRpc.MAPPER.createObjectNode();
            p.put("token", token);
            p.put("session", session);
            p.put("metadata", metadata);
            p.put("platform", platform);
            return p;
        }
    }

    /**
     * {@code connect}: resume a participation after the socket or its master died. Two forms: the Tessera SDK's
     * {@code {sessionId, connectionId, resumeSecret, lastSeq}}, and openvidu-browser's {@code {sessionId: <the
     * joinRoom result's sessionId, a ResumeHandle>, reconnect: true}}, which has no {@code lastSeq}: then
     * {@code lastSeq} is {@link #LAST_DELIVERED}, and the media node goes on after the last event a master confirmed
     * it handed to the client's socket (docs/CONTRACT.md). A {@code lastSeq} beside a handle is honoured.
     */
    record Connect(String sessionId, String connectionId, String resumeSecret, long lastSeq) implements OpenViduRequest {
        public static final String METHOD = "connect";
        /** No {@code lastSeq} was sent: resume after the last event a master confirmed it delivered. */
        public static final long LAST_DELIVERED = -1;

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.connect(id, this);
        }

        static Connect read(Request request) throws Invalid {
            String session = request.requiredString("sessionId");
            if (!request.params().has("connectionId") && ResumeHandle.looksLikeHandle(session)) {
                ResumeHandle handle = ResumeHandle.decode(session).orElseThrow(() -> request.invalidParams(
                        "'sessionId' is not a resume handle as joinRoom's result gave it"));
                long lastSeq = request.optionalLong("lastSeq", LAST_DELIVERED, 0, Long.MAX_VALUE / 2);
                return new Connect(handle.sessionId(), handle.connectionId(), handle.resumeSecret(), lastSeq);
            }
            String connection = request.requiredString("connectionId");
            String secret = request.requiredString("resumeSecret");
            long lastSeq = request.optionalLong("lastSeq", 0, 0, Long.MAX_VALUE / 2);
            return new Connect(session, connection, secret, lastSeq);
        }

        /** openvidu-browser's form: the handle, no {@code lastSeq}. */
        public static Connect ofHandle(ResumeHandle handle) {
            return new Connect(handle.sessionId(), handle.connectionId(), handle.resumeSecret(), LAST_DELIVERED);
        }

        @Override
        public String method() {
            return METHOD;
        }

        /** As the SDK sends it, or as openvidu-browser does when no {@code lastSeq} is known. */
        @Override
        public ObjectNode params() {
            ObjectNode p = JsonRpc.MAPPER.createObjectNode();
            if (lastSeq == LAST_DELIVERED) {
                p.put("sessionId", new ResumeHandle(sessionId, connectionId, resumeSecret).encode());
                p.put("reconnect", true);
                return p;
            }
            p.put("sessionId", sessionId);
            p.put("connectionId", connectionId);
            p.put("resumeSecret", resumeSecret);
            p.put("lastSeq", lastSeq);
            return p;
        }

        @Override
        public String toString() { // the secret stays out of logs
            return "Connect[sessionId=" + sessionId + ", connectionId=" + connectionId + ", lastSeq=" + lastSeq + "]";
        }
    }

    /**
     * {@code sessionStatus}: openvidu-browser asks it after a failed {@code connect}, to tell a network loss (the
     * {@code life} it got at join is the server's) from a crashed master (a different one). {@code sessionId} is the
     * session's name.
     */
    record SessionStatus(String sessionId) implements OpenViduRequest {
        public static final String METHOD = "sessionStatus";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.sessionStatus(id, this);
        }

        static SessionStatus read(Request request) throws Invalid {
            return new SessionStatus(request.requiredString("sessionId"));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("sessionId", sessionId);
        }
    }

    /** {@code leaveRoom}. */
    record LeaveRoom() implements OpenViduRequest {
        public static final String METHOD = "leaveRoom";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.leaveRoom(id, this);
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode();
        }
    }

    /**
     * {@code sendMessage}: as openvidu-browser, the message is a JSON object serialised into a string field (an
     * object is accepted too). An empty {@code to} means everyone in the session, sender included.
     */
    record SendMessage(List<String> to, String type, String data) implements OpenViduRequest {
        public static final String METHOD = "sendMessage";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.sendMessage(id, this);
        }

        public SendMessage {
            to = to == null ? List.of() : List.copyOf(to);
        }

        static SendMessage read(Request request) throws Invalid {
            JsonNode message = request.params().get("message");
            if (message != null && message.isTextual()) {
                try {
                    message = JsonRpc.MAPPER.readTree(message.asText());
                } catch (Exception e) {
                    throw request.invalidParams("'message' is not valid JSON");
                }
            }
            if (message == null || !message.isObject()) {
                throw request.invalidParams("'message' must be an object or a string holding one");
            }
            List<String> to = new ArrayList<>();
            JsonNode toNode = message.get("to");
            if (toNode != null && !toNode.isNull()) {
                if (!toNode.isArray()) {
                    throw request.invalidParams("'message.to' must be an array of connection ids");
                }
                for (JsonNode recipient : toNode) {
                    if (!recipient.isTextual()) {
                        throw request.invalidParams("'message.to' must hold connection ids (strings)");
                    }
                    to.add(recipient.asText());
                }
            }
            return new SendMessage(to, textField(request, message, "type", "signal"),
                    textField(request, message, "data", ""));
        }

        private static String textField(Request request, JsonNode message, String field, String fallback)
                throws Invalid {
            JsonNode node = message.get(field);
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isTextual()) {
                throw request.invalidParams("'message." + field + "' must be a string");
            }
            return node.asText();
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            ObjectNode message = JsonRpc.MAPPER.createObjectNode();
            ArrayNode toArray = message.putArray("to");
            to.forEach(toArray::add);
            message.put("type", type);
            message.put("data", data);
            return JsonRpc.MAPPER.createObjectNode().put("message", message.toString());
        }
    }

    /** {@code publishVideo}: {@code videoDimensions} is a JSON object serialised into a string, as openvidu-browser. */
    record PublishVideo(String sdpOffer, boolean hasAudio, boolean hasVideo, boolean audioActive, boolean videoActive,
                        String typeOfVideo, int frameRate, String videoDimensions, boolean doLoopback)
            implements OpenViduRequest {
        public static final String METHOD = "publishVideo";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.publishVideo(id, this);
        }

        static PublishVideo read(Request request) throws Invalid {
            String sdpOffer = readSdpOffer(request);
            String typeOfVideo = request.optionalString("typeOfVideo");
            if (typeOfVideo != null && !VIDEO_TYPES.contains(typeOfVideo)) {
                throw request.invalidParams("'typeOfVideo' must be one of " + VIDEO_TYPES);
            }
            String videoDimensions = request.optionalString("videoDimensions");
            if (videoDimensions != null && videoDimensions.length() > 200) {
                throw request.invalidParams("'videoDimensions' is longer than 200 characters");
            }
            return new PublishVideo(sdpOffer,
                    request.optionalBoolean("hasAudio", false),
                    request.optionalBoolean("hasVideo", true),
                    request.optionalBoolean("audioActive", false),
                    request.optionalBoolean("videoActive", true),
                    typeOfVideo == null ? "CAMERA" : typeOfVideo,
                    request.optionalInt("frameRate", 30, 0, 240),
                    videoDimensions == null ? "" : videoDimensions,
                    // Not checked: the master does not loop media back; the flag is only carried.
                    request.params().path("doLoopback").asBoolean(false));
        }

        /** The {@code videoDimensions} string for a width and height. */
        public static String dimensions(int width, int height) {
            return JsonRpc.MAPPER.createObjectNode().put("width", width).put("height", height).toString();
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            ObjectNode p = JsonRpc.MAPPER.createObjectNode();
            p.put("sdpOffer", sdpOffer);
            p.put("hasAudio", hasAudio);
            p.put("hasVideo", hasVideo);
            p.put("audioActive", audioActive);
            p.put("videoActive", videoActive);
            p.put("typeOfVideo", typeOfVideo);
            p.put("frameRate", frameRate);
            p.put("videoDimensions", videoDimensions);
            p.put("doLoopback", doLoopback);
            return p;
        }
    }

    /** {@code unpublishVideo}. */
    record UnpublishVideo() implements OpenViduRequest {
        public static final String METHOD = "unpublishVideo";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.unpublishVideo(id, this);
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode();
        }
    }

    /**
     * {@code receiveVideoFrom}: {@code sender} is the stream id. Either the client offers ({@code sdpOffer}; the plain
     * RTP engine answers) or it answers the offer the server made in {@code prepareReceiveVideoFrom}
     * ({@code sdpAnswer}; WebRTC through Janus). Exactly one of the two is set.
     */
    record ReceiveVideoFrom(String sender, String sdpOffer, String sdpAnswer) implements OpenViduRequest {
        public static final String METHOD = "receiveVideoFrom";

        public ReceiveVideoFrom(String sender, String sdpOffer) {
            this(sender, sdpOffer, null);
        }

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.receiveVideoFrom(id, this);
        }

        static ReceiveVideoFrom read(Request request) throws Invalid {
            String sender = request.requiredString("sender");
            if (request.params().has("sdpAnswer")) {
                if (request.params().has("sdpOffer")) {
                    throw request.invalidParams("'sdpOffer' and 'sdpAnswer' exclude each other");
                }
                return new ReceiveVideoFrom(sender, null, readSdp(request, "sdpAnswer"));
            }
            return new ReceiveVideoFrom(sender, readSdpOffer(request), null);
        }

        /** Whether this completes a server-offer subscription. */
        public boolean answersServerOffer() {
            return sdpAnswer != null;
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            ObjectNode p = JsonRpc.MAPPER.createObjectNode();
            p.put("sender", sender);
            if (sdpAnswer != null) {
                p.put("sdpAnswer", sdpAnswer);
            } else {
                p.put("sdpOffer", sdpOffer);
            }
            return p;
        }
    }

    /**
     * {@code prepareReceiveVideoFrom}: the server makes the subscriber's offer (openvidu-browser does this when
     * joinRoom said {@code mediaServer: "mediasoup"}); {@code sender} is the stream id. Answered with
     * {@code {sdpOffer}}; the client answers it with {@code receiveVideoFrom {sender, sdpAnswer}}.
     */
    record PrepareReceiveVideoFrom(String sender, boolean reconnect) implements OpenViduRequest {
        public static final String METHOD = "prepareReceiveVideoFrom";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.prepareReceiveVideoFrom(id, this);
        }

        static PrepareReceiveVideoFrom read(Request request) throws Invalid {
            return new PrepareReceiveVideoFrom(request.requiredString("sender"),
                    request.optionalBoolean("reconnect", false));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("sender", sender).put("reconnect", reconnect);
        }
    }

    /**
     * {@code onIceCandidate}: a trickled ICE candidate of the client. {@code endpointName} is the connection id of the
     * stream's owner: the caller's own for its publisher, the publisher's for a subscription. An empty
     * {@code candidate} is the end of the client's candidates.
     */
    record OnIceCandidate(String endpointName, String candidate, String sdpMid, int sdpMLineIndex)
            implements OpenViduRequest {
        public static final String METHOD = "onIceCandidate";
        /** Longer candidate lines are refused (a real one is under 200 characters). */
        public static final int MAX_CANDIDATE_CHARS = 512;

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.onIceCandidate(id, this);
        }

        static OnIceCandidate read(Request request) throws Invalid {
            String endpoint = request.requiredString("endpointName");
            String candidate = request.requiredString("candidate");
            if (candidate.length() > MAX_CANDIDATE_CHARS) {
                throw request.invalidParams("'candidate' is longer than " + MAX_CANDIDATE_CHARS + " characters");
            }
            String sdpMid = request.optionalString("sdpMid");
            if (sdpMid != null && sdpMid.length() > 32) {
                throw request.invalidParams("'sdpMid' is longer than 32 characters");
            }
            return new OnIceCandidate(endpoint, candidate, sdpMid, request.optionalInt("sdpMLineIndex", 0, 0, 63));
        }

        /** An empty candidate: the client gathered all of its candidates. */
        public boolean endOfCandidates() {
            return candidate.isBlank();
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            ObjectNode p = JsonRpc.MAPPER.createObjectNode();
            p.put("endpointName", endpointName);
            p.put("candidate", candidate);
            p.put("sdpMid", sdpMid);
            p.put("sdpMLineIndex", sdpMLineIndex);
            return p;
        }
    }

    /**
     * {@code videoData}: openvidu-browser reports its publisher's real video size a few times after publishing
     * (OpenVidu keeps it for its session info). Accepted and answered {@code {}}; Tessera keeps nothing of it.
     */
    record VideoData(int width, int height, boolean videoActive, boolean audioActive) implements OpenViduRequest {
        public static final String METHOD = "videoData";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.videoData(id, this);
        }

        static VideoData read(Request request) throws Invalid {
            return new VideoData(request.optionalInt("width", 0, 0, 16384), request.optionalInt("height", 0, 0, 16384),
                    request.optionalBoolean("videoActive", false), request.optionalBoolean("audioActive", false));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("width", width).put("height", height)
                    .put("videoActive", videoActive).put("audioActive", audioActive);
        }
    }

    /** {@code echo}: openvidu-browser's check that the server still answers before it rebuilds a stream. */
    record Echo() implements OpenViduRequest {
        public static final String METHOD = "echo";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.echo(id, this);
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode();
        }
    }

    /**
     * {@code streamPropertyChanged}: the publisher turned its audio or video on or off, its video size changed, or it
     * replaced a track. {@code streamId} is its own stream; {@code newValue} is kept in its {@link StreamProperty}'s
     * plain form ({@code "true"}, {@code {"width":640,"height":480}}, {@code {"label":".."}}). Only the properties
     * and reasons openvidu-browser sends are accepted ({@code filter} changes come from the server in OpenVidu).
     */
    record StreamPropertyChanged(String streamId, StreamProperty property, String newValue, String reason)
            implements OpenViduRequest {
        public static final String METHOD = "streamPropertyChanged";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.streamPropertyChanged(id, this);
        }

        static StreamPropertyChanged read(Request request) throws Invalid {
            String streamId = request.requiredString("streamId");
            String name = request.requiredString("property");
            StreamProperty property = StreamProperty.byWireName(name).orElseThrow(() -> request.invalidParams(
                    "'property' must be one of audioActive, videoActive, videoDimensions, audioTrack, videoTrack"));
            String reason = request.requiredString("reason");
            if (!StreamProperty.REASONS.contains(reason)) {
                throw request.invalidParams("'reason' must be one of " + new java.util.TreeSet<>(
                        StreamProperty.REASONS));
            }
            try {
                return new StreamPropertyChanged(streamId, property, property.read(request.params().get("newValue")),
                        reason);
            } catch (IllegalArgumentException e) {
                throw request.invalidParams(e.getMessage());
            }
        }

        @Override
        public String method() {
            return METHOD;
        }

        /** As openvidu-browser sends it: booleans as booleans, the dimensions as a string, a track as an object. */
        @Override
        public ObjectNode params() {
            ObjectNode p = JsonRpc.MAPPER.createObjectNode();
            p.put("streamId", streamId);
            p.put("property", property.wireName());
            switch (property) {
                case AUDIO_ACTIVE, VIDEO_ACTIVE -> p.put("newValue", Boolean.parseBoolean(newValue));
                case VIDEO_DIMENSIONS -> p.put("newValue", newValue);
                case AUDIO_TRACK, VIDEO_TRACK -> {
                    try {
                        p.set("newValue", JsonRpc.MAPPER.readTree(newValue));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalStateException("a track's value is an object's text: " + newValue, e);
                    }
                }
            }
            p.put("reason", reason);
            return p;
        }
    }

    /**
     * {@code unsubscribeFromVideo}: {@code sender} is the publisher's connection id (as openvidu-browser sends it) or
     * the stream id (as the Tessera SDK sends it); the media node takes either.
     */
    record UnsubscribeFromVideo(String sender) implements OpenViduRequest {
        public static final String METHOD = "unsubscribeFromVideo";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.unsubscribeFromVideo(id, this);
        }

        static UnsubscribeFromVideo read(Request request) throws Invalid {
            return new UnsubscribeFromVideo(request.requiredString("sender"));
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            return JsonRpc.MAPPER.createObjectNode().put("sender", sender);
        }
    }

    /**
     * {@code reconnectStream}: openvidu-browser rebuilds one of its streams with a new PeerConnection (after ICE
     * failed, or was disconnected for 4 s, or when the server pushed {@code forciblyReconnectSubscriber}).
     * {@code stream} is the stream id. For the caller's own stream {@code sdpString} is its new publisher offer
     * (answered as {@code publishVideo}, same stream id); for another's stream {@code sdpString} answers the offer the
     * server made (in {@code prepareReceiveVideoFrom {reconnect:true}} or {@code forciblyReconnectSubscriber}), or
     * {@code sdpOffer} is a subscriber's own offer (client-offer mode). Exactly one of the two is set;
     * {@code forciblyReconnect} says whether the server asked for it (only carried).
     */
    record ReconnectStream(String stream, String sdpString, String sdpOffer, boolean forciblyReconnect)
            implements OpenViduRequest {
        public static final String METHOD = "reconnectStream";

        @Override
        public <R> R accept(JsonNode id, Handler<R> handler) throws Invalid {
            return handler.reconnectStream(id, this);
        }

        static ReconnectStream read(Request request) throws Invalid {
            String stream = request.requiredString("stream");
            boolean forcibly = request.optionalBoolean("forciblyReconnect", false);
            if (request.params().has("sdpString")) {
                if (request.params().has("sdpOffer")) {
                    throw request.invalidParams("'sdpString' and 'sdpOffer' exclude each other");
                }
                return new ReconnectStream(stream, readSdp(request, "sdpString"), null, forcibly);
            }
            return new ReconnectStream(stream, null, readSdpOffer(request), forcibly);
        }

        /** The SDP the client sent, whichever field carried it. */
        public String sdp() {
            return sdpString != null ? sdpString : sdpOffer;
        }

        @Override
        public String method() {
            return METHOD;
        }

        @Override
        public ObjectNode params() {
            ObjectNode p = JsonRpc.MAPPER.createObjectNode();
            p.put("stream", stream);
            if (sdpString != null) {
                p.put("sdpString", sdpString);
            } else {
                p.put("sdpOffer", sdpOffer);
            }
            p.put("forciblyReconnect", forciblyReconnect);
            return p;
        }
    }

    private static String readSdpOffer(Request request) throws Invalid {
        return readSdp(request, "sdpOffer");
    }

    private static String readSdp(Request request, String field) throws Invalid {
        String sdp = request.requiredString(field);
        if (sdp.length() > MAX_SDP_CHARS) {
            throw request.invalidParams("'" + field + "' is longer than " + MAX_SDP_CHARS + " characters");
        }
        return sdp;
    }
}
