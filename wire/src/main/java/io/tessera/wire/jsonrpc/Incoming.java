package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * What one message from the server is, read by a client: a result, an error, a notification, or something it cannot
 * use. Read leniently (no limits past Jackson's defaults): the server is trusted to be well-formed, and what it sends
 * (a {@code joinRoom} result with many participants' metadata) may be larger than a request may be.
 */
public sealed interface Incoming permits Incoming.Result, Incoming.Error, Incoming.Notification, Incoming.Unreadable {

    ObjectMapper LENIENT = JsonMapper.builder().build();

    record Result(long id, JsonNode result) implements Incoming {
    }

    /** An error response; {@code id} is null when the server could not tell which request failed (parse error). */
    record Error(Long id, int code, String message, JsonNode data) implements Incoming {
        /** The contract's constant for {@link #code}, if it is one. */
        public java.util.Optional<ErrorCode> errorCode() {
            return ErrorCode.of(code);
        }
    }

    /** {@code params} is never null (an empty object when the server sent none). */
    record Notification(String method, JsonNode params) implements Incoming {
        /** The event's per-participant sequence number, or -1 for an event about the socket. */
        public long seq() {
            JsonNode seq = params.get("seq");
            return seq != null && seq.canConvertToLong() ? seq.asLong() : -1;
        }
    }

    record Unreadable(String reason, String text) implements Incoming {
    }

    static Incoming read(String text) {
        JsonNode msg;
        try {
            msg = LENIENT.readTree(text);
        } catch (JsonProcessingException e) {
            return new Unreadable("not JSON: " + e.getOriginalMessage(), text);
        }
        if (msg == null || !msg.isObject()) {
            return new Unreadable("not a JSON object", text);
        }
        JsonNode method = msg.get("method");
        JsonNode id = msg.get("id");
        boolean hasId = id != null && !id.isNull();
        if (method != null && method.isTextual() && !hasId) {
            JsonNode params = msg.get("params");
            return new Notification(method.asText(), params == null || params.isNull() ? LENIENT.createObjectNode() : params);
        }
        if (method != null) {
            // A request from the server: the protocol has none, so it is reported rather than answered.
            return new Unreadable("unexpected request from server: " + method.asText(), text);
        }
        Long numericId = hasId ? idOf(id) : null;
        if (hasId && numericId == null) {
            return new Unreadable("response id is not a number: " + id, text);
        }
        JsonNode error = msg.get("error");
        if (error != null && !error.isNull()) {
            return new Error(numericId, error.path("code").asInt(0), error.path("message").asText(""), error.get("data"));
        }
        if (numericId == null) {
            return new Unreadable("response without id", text);
        }
        JsonNode result = msg.get("result");
        return new Result(numericId, result == null ? LENIENT.nullNode() : result);
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
}
