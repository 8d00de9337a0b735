package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON-RPC 2.0 envelope of the OpenVidu signalling protocol, both ways: strict, bounded reading of requests (a
 * hostile message costs little, see "Strict reading" in docs/CONTRACT.md) and the writing of requests, results,
 * errors and notifications. What goes inside {@code params} is typed in {@link OpenViduRequest},
 * {@link OpenViduEvent} and {@link OpenViduResult}; what a client reads back is {@link Incoming}.
 */
public final class JsonRpc {
    /** Largest exponent (scale) of a number in a message; far past any double, far below BigDecimal's int limit. */
    public static final int MAX_EXPONENT = 100_000;
    /** Deepest nesting of a message. */
    public static final int MAX_DEPTH = 32;
    /** Longest string in a message. */
    public static final int MAX_STRING = 64 * 1024;
    /** Longest number literal in a message. */
    public static final int MAX_NUMBER = 32;

    /**
     * Reads messages strictly and writes them. Trailing data after the message's value is refused: a message is
     * exactly one JSON value. Duplicate member names are refused too: parsers disagree on which one counts, so such
     * a message has no single meaning.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH).maxStringLength(MAX_STRING).maxNumberLength(MAX_NUMBER).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Fractions and exponents stay exact, so an id like 1e400 or 1.0000000000000000001 is echoed as sent
            // (as a double it would come back as "Infinity" or 1.0).
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private JsonRpc() {
    }

    /** A message that is not a valid request, or a request that cannot be served; answer it with {@link #error}. */
    public static final class Invalid extends Exception {
        private final JsonNode id;
        private final ErrorCode code;

        public Invalid(JsonNode id, ErrorCode code, String message) {
            super(message, null, false, false);
            this.id = id;
            this.code = code;
        }

        /** The request's id to echo ({@code null} node when the message had none or was unreadable). */
        public JsonNode id() {
            return id;
        }

        public ErrorCode errorCode() {
            return code;
        }

        /** The number on the wire. */
        public int code() {
            return code.code();
        }
    }

    /**
     * A well-formed request; {@code id} is null for a notification. The typed readers fail with a clear
     * {@link ErrorCode#INVALID_PARAMS} message that names the field.
     */
    public record Request(JsonNode id, String method, ObjectNode params) {

        public String requiredString(String field) throws Invalid {
            String value = optionalString(field);
            if (value == null) {
                throw invalidParams("'" + field + "' is required");
            }
            return value;
        }

        public String optionalString(String field) throws Invalid {
            JsonNode value = params.get(field);
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isTextual()) {
                throw invalidParams("'" + field + "' must be a string");
            }
            return value.asText();
        }

        public boolean optionalBoolean(String field, boolean fallback) throws Invalid {
            JsonNode value = params.get(field);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isBoolean()) {
                throw invalidParams("'" + field + "' must be true or false");
            }
            return value.booleanValue();
        }

        /** An integer in [min, max]; anything else (fractions, huge numbers, strings) is refused. */
        public int optionalInt(String field, int fallback, int min, int max) throws Invalid {
            JsonNode value = params.get(field);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
                throw invalidParams("'" + field + "' must be an integer from " + min + " to " + max);
            }
            return value.intValue();
        }

        /** A whole number in [min, max]. */
        public long optionalLong(String field, long fallback, long min, long max) throws Invalid {
            JsonNode value = params.get(field);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
                throw invalidParams("'" + field + "' must be an integer from " + min + " to " + max);
            }
            return value.longValue();
        }

        /** A refusal of this request's params; {@code message} names the field. */
        public Invalid invalidParams(String message) {
            return new Invalid(id, ErrorCode.INVALID_PARAMS, "invalid params: " + message);
        }

        /** A refusal of this request with {@code code}. */
        public Invalid refuse(ErrorCode code, String message) {
            return new Invalid(id, code, message);
        }
    }

    /** Reads one request strictly; anything else is refused with the code the contract gives it. */
    public static Request parse(String text) throws Invalid {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new Invalid(NullNode.getInstance(), ErrorCode.PARSE_ERROR, "parse error: message is not valid JSON");
        } catch (NumberFormatException e) {
            // An exponent no BigDecimal holds (1e2147483648): Jackson lets this one through unwrapped.
            throw new Invalid(NullNode.getInstance(), ErrorCode.PARSE_ERROR, "parse error: a number is out of range");
        }
        if (root != null && !exponentsInRange(root)) {
            throw new Invalid(NullNode.getInstance(), ErrorCode.PARSE_ERROR,
                    "parse error: a number's exponent is out of range");
        }
        if (root == null || root.isMissingNode()) {
            // An empty or blank message holds no JSON value at all: that is a parse error, not a wrong value.
            throw new Invalid(NullNode.getInstance(), ErrorCode.PARSE_ERROR, "parse error: message is empty");
        }
        if (!root.isObject()) {
            throw new Invalid(NullNode.getInstance(), ErrorCode.INVALID_REQUEST, "invalid request: expected a JSON object");
        }
        JsonNode id = root.get("id");
        if (id != null && !(id.isNumber() || id.isTextual() || id.isNull())) {
            throw new Invalid(NullNode.getInstance(), ErrorCode.INVALID_REQUEST,
                    "invalid request: 'id' must be a number or a string");
        }
        JsonNode idOrNull = id == null ? NullNode.getInstance() : id;
        JsonNode version = root.get("jsonrpc");
        if (version != null && !(version.isTextual() && version.textValue().equals("2.0"))) {
            throw new Invalid(idOrNull, ErrorCode.INVALID_REQUEST, "invalid request: 'jsonrpc' must be \"2.0\"");
        }
        JsonNode method = root.get("method");
        if (method == null || !method.isTextual() || method.asText().isEmpty()) {
            throw new Invalid(idOrNull, ErrorCode.INVALID_REQUEST, "invalid request: 'method' must be a non-empty string");
        }
        JsonNode params = root.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new Invalid(idOrNull, ErrorCode.INVALID_PARAMS, "invalid params: 'params' must be an object");
        }
        ObjectNode paramsObject = params instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
        return new Request(id, method.asText(), paramsObject);
    }

    /**
     * Whether every number's exponent stays within {@link #MAX_EXPONENT}: 10e2147483647 reads as a BigDecimal, but
     * its normal form 1E+2147483648 does not, so an id like that would be echoed as a number nobody reads back.
     */
    private static boolean exponentsInRange(JsonNode node) {
        if (node.isBigDecimal()) {
            return Math.abs((long) node.decimalValue().scale()) <= MAX_EXPONENT;
        }
        for (JsonNode child : node) {
            if (!exponentsInRange(child)) {
                return false;
            }
        }
        return true;
    }

    /** A request as a client sends it. */
    public static String request(long id, String method, JsonNode params) {
        ObjectNode message = MAPPER.createObjectNode();
        message.put("jsonrpc", "2.0");
        message.put("id", id);
        message.put("method", method);
        message.set("params", params == null ? MAPPER.createObjectNode() : params);
        return message.toString();
    }

    /** A typed request as a client sends it. */
    public static String request(long id, OpenViduRequest request) {
        return request(id, request.method(), request.params());
    }

    public static String result(JsonNode id, JsonNode result) {
        ObjectNode response = MAPPER.createObjectNode();
        response.set("id", id == null ? NullNode.getInstance() : id);
        response.set("result", result);
        response.put("jsonrpc", "2.0");
        return response.toString();
    }

    public static String error(JsonNode id, ErrorCode code, String message) {
        return error(id, code.code(), message);
    }

    /** An error with a number from elsewhere (a media node's refusal), passed on as it came. */
    public static String error(JsonNode id, int code, String message) {
        ObjectNode response = MAPPER.createObjectNode();
        response.set("id", id == null ? NullNode.getInstance() : id);
        ObjectNode error = response.putObject("error");
        error.put("code", code);
        error.put("message", message);
        response.put("jsonrpc", "2.0");
        return response.toString();
    }

    public static String error(Invalid invalid) {
        return error(invalid.id(), invalid.code(), invalid.getMessage());
    }

    public static String notification(String method, ObjectNode params) {
        ObjectNode message = MAPPER.createObjectNode();
        message.put("jsonrpc", "2.0");
        message.put("method", method);
        message.set("params", params);
        return message.toString();
    }

    /** An event about the socket, not the session: it has no {@code seq}. */
    public static String notification(OpenViduEvent event) {
        return notification(event.method(), event.params());
    }

    /** An event for one participant, numbered {@code seq} in its sequence. */
    public static String notification(OpenViduEvent event, long seq) {
        return notification(event.method(), event.params().put("seq", seq));
    }
}
