package io.tessera.master.signalling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON-RPC 2.0 framing for the OpenVidu signalling protocol: parses requests and writes responses,
 * errors and notifications. Parsing is bounded (nesting depth, string and number length) so a hostile
 * message costs little.
 */
public final class JsonRpc {
    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    /** Largest exponent (scale) of a number in a message; far past any double, far below BigDecimal's int limit. */
    static final int MAX_EXPONENT = 100_000;

    // Trailing data after the message's value is refused: a message is exactly one JSON value. Duplicate member
    // names are refused too: parsers disagree on which one counts, so such a message has no single meaning.
    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(32).maxStringLength(64 * 1024).maxNumberLength(32).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Fractions and exponents stay exact, so an id like 1e400 or 1.0000000000000000001 is echoed as sent
            // (as a double it would come back as "Infinity" or 1.0).
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** A well-formed request; {@code id} is null for a notification. */
    public record Request(JsonNode id, String method, ObjectNode params) {
    }

    /** A message that is not a valid request; answer it with {@link #error}. */
    public static final class Invalid extends Exception {
        final JsonNode id;
        final int code;

        Invalid(JsonNode id, int code, String message) {
            super(message, null, false, false);
            this.id = id;
            this.code = code;
        }

        public JsonNode id() {
            return id;
        }

        public int code() {
            return code;
        }
    }

    private JsonRpc() {
    }

    public static Request parse(String text) throws Invalid {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new Invalid(NullNode.getInstance(), PARSE_ERROR, "parse error: message is not valid JSON");
        } catch (NumberFormatException e) {
            // An exponent no BigDecimal holds (1e2147483648): Jackson lets this one through unwrapped.
            throw new Invalid(NullNode.getInstance(), PARSE_ERROR, "parse error: a number is out of range");
        }
        if (root != null && !exponentsInRange(root)) {
            throw new Invalid(NullNode.getInstance(), PARSE_ERROR, "parse error: a number's exponent is out of range");
        }
        if (root == null || root.isMissingNode()) {
            // An empty or blank message holds no JSON value at all: that is a parse error, not a wrong value.
            throw new Invalid(NullNode.getInstance(), PARSE_ERROR, "parse error: message is empty");
        }
        if (!root.isObject()) {
            throw new Invalid(NullNode.getInstance(), INVALID_REQUEST, "invalid request: expected a JSON object");
        }
        JsonNode id = root.get("id");
        if (id != null && !(id.isNumber() || id.isTextual() || id.isNull())) {
            throw new Invalid(NullNode.getInstance(), INVALID_REQUEST, "invalid request: 'id' must be a number or a string");
        }
        JsonNode idOrNull = id == null ? NullNode.getInstance() : id;
        JsonNode version = root.get("jsonrpc");
        if (version != null && !(version.isTextual() && version.textValue().equals("2.0"))) {
            throw new Invalid(idOrNull, INVALID_REQUEST, "invalid request: 'jsonrpc' must be \"2.0\"");
        }
        JsonNode method = root.get("method");
        if (method == null || !method.isTextual() || method.asText().isEmpty()) {
            throw new Invalid(idOrNull, INVALID_REQUEST, "invalid request: 'method' must be a non-empty string");
        }
        JsonNode params = root.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw new Invalid(idOrNull, INVALID_PARAMS, "invalid params: 'params' must be an object");
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

    public static String result(JsonNode id, JsonNode result) {
        ObjectNode response = MAPPER.createObjectNode();
        response.set("id", id == null ? NullNode.getInstance() : id);
        response.set("result", result);
        response.put("jsonrpc", "2.0");
        return response.toString();
    }

    public static String error(JsonNode id, int code, String message) {
        ObjectNode response = MAPPER.createObjectNode();
        response.set("id", id == null ? NullNode.getInstance() : id);
        ObjectNode error = response.putObject("error");
        error.put("code", code);
        error.put("message", message);
        response.put("jsonrpc", "2.0");
        return response.toString();
    }

    public static String notification(String method, ObjectNode params) {
        ObjectNode message = MAPPER.createObjectNode();
        message.put("jsonrpc", "2.0");
        message.put("method", method);
        message.set("params", params);
        return message.toString();
    }

    // ---- typed access to params, each failing with a clear INVALID_PARAMS message

    public static String requiredString(Request request, String field) throws Invalid {
        String value = optionalString(request, field);
        if (value == null) {
            throw new Invalid(request.id(), INVALID_PARAMS, "invalid params: '" + field + "' is required");
        }
        return value;
    }

    public static String optionalString(Request request, String field) throws Invalid {
        JsonNode value = request.params().get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new Invalid(request.id(), INVALID_PARAMS, "invalid params: '" + field + "' must be a string");
        }
        return value.asText();
    }

    public static boolean optionalBoolean(Request request, String field, boolean fallback) throws Invalid {
        JsonNode value = request.params().get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new Invalid(request.id(), INVALID_PARAMS, "invalid params: '" + field + "' must be true or false");
        }
        return value.booleanValue();
    }

    /** An integer in [min, max]; anything else (fractions, huge numbers, strings) is refused. */
    public static int optionalInt(Request request, String field, int fallback, int min, int max) throws Invalid {
        JsonNode value = request.params().get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            throw new Invalid(request.id(), INVALID_PARAMS, "invalid params: '" + field + "' must be an integer from "
                    + min + " to " + max);
        }
        return value.intValue();
    }

    /** A whole number in [min, max]. */
    public static long optionalLong(Request request, String field, long fallback, long min, long max) throws Invalid {
        JsonNode value = request.params().get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw new Invalid(request.id(), INVALID_PARAMS, "invalid params: '" + field + "' must be an integer from "
                    + min + " to " + max);
        }
        return value.longValue();
    }

    static Invalid invalidParams(Request request, String message) {
        return new Invalid(request.id(), INVALID_PARAMS, "invalid params: " + message);
    }
}
