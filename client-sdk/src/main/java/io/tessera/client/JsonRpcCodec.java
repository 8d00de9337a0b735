package io.tessera.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Encoding and decoding of JSON-RPC 2.0 frames, kept free of I/O so it can be tested directly. */
final class JsonRpcCodec {

    static final ObjectMapper MAPPER = new ObjectMapper();
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
        ObjectNode msg = MAPPER.createObjectNode();
        msg.put("jsonrpc", "2.0");
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", params == null ? MAPPER.createObjectNode() : params);
        return msg.toString();
    }

    static Incoming decode(String text) {
        JsonNode msg;
        try {
            msg = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Invalid("not JSON: " + e.getOriginalMessage(), text);
        }
        if (msg == null || !msg.isObject()) {
            return new Invalid("not a JSON object", text);
        }
        JsonNode method = msg.get("method");
        JsonNode id = msg.get("id");
        boolean hasId = id != null && !id.isNull();
        if (method != null && method.isTextual() && !hasId) {
            JsonNode params = msg.get("params");
            return new Notification(method.asText(), params == null || params.isNull() ? MAPPER.createObjectNode() : params);
        }
        if (method != null) {
            // A request from the server: the protocol has none, so it is reported rather than answered.
            return new Invalid("unexpected request from server: " + method.asText(), text);
        }
        Long numericId = hasId ? idOf(id) : null;
        if (hasId && numericId == null) {
            return new Invalid("response id is not a number: " + id, text);
        }
        JsonNode error = msg.get("error");
        if (error != null && !error.isNull()) {
            int code = error.path("code").asInt(0);
            String message = error.path("message").asText("");
            JsonNode data = error.get("data");
            return new Error(numericId, code, message, data);
        }
        if (numericId == null) {
            return new Invalid("response without id", text);
        }
        JsonNode result = msg.get("result");
        return new Result(numericId, result == null ? MAPPER.nullNode() : result);
    }

    private static Long idOf(JsonNode id) {
        if (id.canConvertToLong() && id.isIntegralNumber()) {
            return id.asLong();
        }
        if (id.isTextual()) {
            try {
                return Long.parseLong(id.asText());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static long seqOf(JsonNode params) {
        JsonNode seq = params == null ? null : params.get("seq");
        return seq != null && seq.canConvertToLong() ? seq.asLong() : -1;
    }

    static ObjectNode joinRoomParams(TesseraToken token, String metadata) {
        ObjectNode p = MAPPER.createObjectNode();
        p.put("token", token.raw());
        p.put("session", token.sessionId());
        p.put("metadata", metadata == null ? "" : metadata);
        p.put("platform", PLATFORM);
        return p;
    }

    /** As openvidu-browser: the message is a JSON object serialised into a string field. */
    static ObjectNode sendMessageParams(List<String> to, String type, String data) {
        ObjectNode message = MAPPER.createObjectNode();
        ArrayNode toArray = message.putArray("to");
        if (to != null) {
            to.forEach(toArray::add);
        }
        message.put("type", type);
        message.put("data", data);
        ObjectNode p = MAPPER.createObjectNode();
        p.put("message", message.toString());
        return p;
    }

    /** As openvidu-browser: {@code videoDimensions} is a JSON object serialised into a string field. */
    static ObjectNode publishVideoParams(PublishOptions o) {
        ObjectNode dimensions = MAPPER.createObjectNode();
        dimensions.put("width", o.videoWidth());
        dimensions.put("height", o.videoHeight());
        ObjectNode p = MAPPER.createObjectNode();
        p.put("sdpOffer", o.sdpOffer());
        p.put("hasAudio", o.hasAudio());
        p.put("hasVideo", o.hasVideo());
        p.put("audioActive", o.audioActive());
        p.put("videoActive", o.videoActive());
        p.put("typeOfVideo", o.typeOfVideo());
        p.put("frameRate", o.frameRate());
        p.put("videoDimensions", dimensions.toString());
        p.put("doLoopback", o.doLoopback());
        return p;
    }

    static PublishResult publishResult(JsonNode r) {
        return new PublishResult(requiredText(r, "id", "publishVideo"), r.path("createdAt").asLong(0),
                requiredText(r, "sdpAnswer", "publishVideo"), r);
    }

    static ObjectNode receiveVideoFromParams(String streamId, String sdpOffer) {
        ObjectNode p = senderParams(streamId);
        p.put("sdpOffer", sdpOffer);
        return p;
    }

    static ObjectNode senderParams(String streamId) {
        ObjectNode p = MAPPER.createObjectNode();
        p.put("sender", streamId);
        return p;
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
        String sessionId = r.hasNonNull("sessionId") ? r.get("sessionId").asText() : r.path("session").asText(null);
        return new JoinResult(r.path("id").asText(null), sessionId, r.path("mediaNodeId").asText(null),
                r.path("role").asText(null), others, r.path("seq").asLong(0), r);
    }
}
