package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.wire.jsonrpc.JsonRpc;
import io.tessera.wire.jsonrpc.OpenViduRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The SDK's side of the OpenVidu JSON-RPC: envelopes and params are written and read by the wire module
 * ({@link JsonRpc}, {@link OpenViduRequest}, {@link io.tessera.wire.jsonrpc.Incoming}); this class turns them into the
 * SDK's own result types, free of I/O so it can be tested directly.
 */
final class JsonRpcCodec {

    static final ObjectMapper MAPPER = io.tessera.wire.jsonrpc.Incoming.LENIENT;
    static final String PLATFORM = "tessera-java-sdk";

    private JsonRpcCodec() {
    }

    /** What one text message from the server turned out to be. */
    sealed interface Incoming permits Result, Error, Notification, Invalid {
    }

    record Result(long id, JsonNode result) implements Incoming {
    }

    /** An error response; {@code id} is null when the server could not tell which request failed (parse error). */
    record Error(Long id, int code, String message, JsonNode data) implements Incoming {
        JsonRpcException toException() {
            return new JsonRpcException(code, message, data);
        }
    }

    record Notification(String method, JsonNode params) implements Incoming {
        ServerEvent toEvent() {
            return new ServerEvent(method, params, seqOf(params));
        }
    }

    record Invalid(String reason, String text) implements Incoming {
    }

    static String encodeRequest(long id, String method, JsonNode params) {
        return JsonRpc.request(id, method, params);
    }

    static String encodeRequest(long id, OpenViduRequest request) {
        return JsonRpc.request(id, request);
    }

    /** Reads with the wire module; the SDK's own types keep its callers free of the wire's. */
    static Incoming decode(String text) {
        io.tessera.wire.jsonrpc.Incoming in = io.tessera.wire.jsonrpc.Incoming.read(text);
        if (in instanceof io.tessera.wire.jsonrpc.Incoming.Result r) {
            return new Result(r.id(), r.result());
        }
        if (in instanceof io.tessera.wire.jsonrpc.Incoming.Error e) {
            return new Error(e.id(), e.code(), e.message(), e.data());
        }
        if (in instanceof io.tessera.wire.jsonrpc.Incoming.Notification n) {
            return new Notification(n.method(), n.params());
        }
        io.tessera.wire.jsonrpc.Incoming.Unreadable bad = (io.tessera.wire.jsonrpc.Incoming.Unreadable) in;
        return new Invalid(bad.reason(), bad.text());
    }

    static long seqOf(JsonNode params) {
        return params == null ? -1 : new io.tessera.wire.jsonrpc.Incoming.Notification("", params).seq();
    }

    static ObjectNode joinRoomParams(TesseraToken token, String metadata) {
        return new OpenViduRequest.JoinRoom(token.raw(), token.sessionId(), metadata == null ? "" : metadata, PLATFORM)
                .params();
    }

    /** As openvidu-browser: the message is a JSON object serialised into a string field. */
    static ObjectNode sendMessageParams(List<String> to, String type, String data) {
        return new OpenViduRequest.SendMessage(to, type, data).params();
    }

    /** As openvidu-browser: {@code videoDimensions} is a JSON object serialised into a string field. */
    static ObjectNode publishVideoParams(PublishOptions o) {
        return new OpenViduRequest.PublishVideo(o.sdpOffer(), o.hasAudio(), o.hasVideo(), o.audioActive(),
                o.videoActive(), o.typeOfVideo(), o.frameRate(),
                OpenViduRequest.PublishVideo.dimensions(o.videoWidth(), o.videoHeight()), o.doLoopback()).params();
    }

    static PublishResult publishResult(JsonNode r) {
        return new PublishResult(requiredText(r, "id", "publishVideo"), r.path("createdAt").asLong(0),
                requiredText(r, "sdpAnswer", "publishVideo"), r);
    }

    static ObjectNode receiveVideoFromParams(String streamId, String sdpOffer) {
        return new OpenViduRequest.ReceiveVideoFrom(streamId, sdpOffer).params();
    }

    static ObjectNode senderParams(String streamId) {
        return new OpenViduRequest.UnsubscribeFromVideo(streamId).params();
    }

    static ObjectNode connectParams(String sessionId, String connectionId, String resumeSecret, long lastSeq) {
        return new OpenViduRequest.Connect(sessionId, connectionId, resumeSecret, lastSeq).params();
    }

    static ObjectNode pingParams(long intervalMillis) {
        return new OpenViduRequest.Ping(intervalMillis).params();
    }

    /** A result without a field the caller cannot do without fails the request rather than yielding nulls. */
    static String requiredText(JsonNode r, String field, String method) {
        JsonNode v = r == null ? null : r.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalStateException(method + " result has no \"" + field + "\": " + abbreviate(String.valueOf(r)));
        }
        return v.asText();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }

    static JoinResult joinResult(JsonNode r) {
        List<RemoteParticipant> others = new ArrayList<>();
        for (JsonNode p : r.path("value")) {
            others.add(new RemoteParticipant(p.path("id").asText(null), p.path("createdAt").asLong(0),
                    p.path("metadata").asText(null), StreamInfo.listOf(p.get("streams"))));
        }
        // "session" is the session's name; "sessionId" is OpenVidu's RPC session id (Tessera's resume handle).
        String sessionId = r.hasNonNull("session") ? r.get("session").asText() : r.path("sessionId").asText(null);
        return new JoinResult(r.path("id").asText(null), sessionId, r.path("mediaNodeId").asText(null),
                r.path("role").asText(null), others, r.path("seq").asLong(0), r);
    }
}
