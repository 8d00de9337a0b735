package io.tessera.master.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.master.session.ApiError;
import io.tessera.master.views.JsonViews;
import io.tessera.master.session.Ids;

/**
 * What the demo page asks for: a token for {@code userName} in {@code sessionId}. Read strictly here, so each refusal
 * says which field is wrong and why, and the page shows it as it is.
 */
public record DemoTokenRequest(String sessionId, String userName) {
    /** A display name is shown in every other participant's page: short, and without control characters. */
    static final int MAX_USER_NAME = 50;
    static final String USER_NAME_RULE = "1-" + MAX_USER_NAME + " characters, no control characters";
    private static final ObjectMapper MAPPER = JsonViews.MAPPER;

    static DemoTokenRequest parse(String body) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("request body is not JSON: send {\"sessionId\":\"...\",\"userName\":\"...\"}");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest("request body must be a JSON object: {\"sessionId\":\"...\",\"userName\":\"...\"}");
        }
        String sessionId = text(root, "sessionId");
        if (!Ids.isValidId(sessionId)) {
            throw ApiError.badRequest("session name must be " + Ids.VALID_ID_RULE);
        }
        String userName = text(root, "userName").strip();
        if (userName.isEmpty() || userName.codePointCount(0, userName.length()) > MAX_USER_NAME
                || userName.codePoints().anyMatch(Character::isISOControl)) {
            throw ApiError.badRequest("display name must be " + USER_NAME_RULE);
        }
        return new DemoTokenRequest(sessionId, userName);
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw ApiError.badRequest("'" + field + "' is required");
        }
        if (!value.isTextual()) {
            throw ApiError.badRequest("'" + field + "' must be a string");
        }
        return value.asText();
    }
}
