package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonRpcTest {

    @Test
    void parsesARequest() throws Exception {
        JsonRpc.Request r = JsonRpc.parse("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"joinRoom\",\"params\":{\"token\":\"t\"}}");
        assertEquals(7, r.id().asInt());
        assertEquals("joinRoom", r.method());
        assertEquals("t", r.requiredString("token"));
    }

    @Test
    void missingParamsAreAnEmptyObjectAndIdMayBeAString() throws Exception {
        JsonRpc.Request r = JsonRpc.parse("{\"id\":\"a\",\"method\":\"ping\"}");
        assertEquals("a", r.id().asText());
        assertEquals(0, r.params().size());
    }

    private static ErrorCode code(String text) {
        return assertThrows(JsonRpc.Invalid.class, () -> JsonRpc.parse(text)).errorCode();
    }

    @Test
    void malformedMessagesGetTheJsonRpcCodes() {
        assertEquals(ErrorCode.PARSE_ERROR, code("{not json"));
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"id\":1,\"method\":\"ping\""));
        assertEquals(ErrorCode.PARSE_ERROR, code(""));
        assertEquals(ErrorCode.PARSE_ERROR, code(" \n "));
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"id\":1,\"method\":\"ping\"} garbage"));
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"id\":1,\"method\":\"ping\"}{\"id\":2,\"method\":\"ping\"}"));
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"id\":1,\"method\":\"ping\",\"method\":\"leaveRoom\"}"));
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"id\":1,\"method\":\"ping\",\"params\":{\"a\":1,\"a\":2}}"));
        assertEquals(ErrorCode.INVALID_REQUEST, code("[1,2]"));
        assertEquals(ErrorCode.INVALID_REQUEST, code("42"));
        assertEquals(ErrorCode.INVALID_REQUEST, code("{\"id\":1}"));
        assertEquals(ErrorCode.INVALID_REQUEST, code("{\"id\":1,\"method\":5}"));
        assertEquals(ErrorCode.INVALID_REQUEST, code("{\"id\":{},\"method\":\"ping\"}"));
        assertEquals(ErrorCode.INVALID_REQUEST, code("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}"));
        assertEquals(ErrorCode.INVALID_REQUEST, code("{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}"));
        assertEquals(ErrorCode.INVALID_PARAMS, code("{\"id\":1,\"method\":\"ping\",\"params\":[1]}"));
    }

    @Test
    void deepNestingAndHugeNumbersAreRefusedCheaply() {
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"a\":" + "[".repeat(1000) + "]".repeat(1000) + "}"));
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"id\":" + "9".repeat(5000) + ",\"method\":\"ping\"}"));
    }

    @Test
    void numericIdsAreEchoedExactly() throws Exception {
        for (String id : new String[]{"1e400", "-1E+400", "1e-100000", "1.50", "1.0000000000000000001", "0.1", "12345678901234567890"}) {
            JsonRpc.Request r = JsonRpc.parse("{\"id\":" + id + ",\"method\":\"ping\"}");
            JsonNode answer = JsonRpc.MAPPER.readTree(JsonRpc.result(r.id(), JsonRpc.MAPPER.createObjectNode()));
            assertTrue(answer.get("id").isNumber(), id + " came back as " + answer.get("id"));
            assertEquals(r.id(), JsonRpc.parse("{\"id\":" + answer.get("id") + ",\"method\":\"ping\"}").id(),
                    id + ": the echoed id reads back");
            assertEquals(0, new java.math.BigDecimal(id).compareTo(answer.get("id").decimalValue()), id + " came back as "
                    + answer.get("id"));
        }
        // exponents past what any number type holds are refused, not turned into Infinity or 0
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"id\":1E2147483648,\"method\":\"ping\"}"));
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"id\":10e2147483647,\"method\":\"ping\"}"));
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"id\":1e100001,\"method\":\"ping\"}"));
        assertEquals(ErrorCode.PARSE_ERROR, code("{\"id\":1,\"method\":\"ping\",\"params\":{\"x\":0e2147483648}}"));
    }

    @Test
    void wrongParamTypesNameTheField() throws Exception {
        JsonRpc.Request r = JsonRpc.parse("{\"id\":1,\"method\":\"joinRoom\",\"params\":{\"token\":5}}");
        JsonRpc.Invalid invalid = assertThrows(JsonRpc.Invalid.class, () -> r.requiredString("token"));
        assertEquals(ErrorCode.INVALID_PARAMS, invalid.errorCode());
        assertTrue(invalid.getMessage().contains("'token'"));
        assertThrows(JsonRpc.Invalid.class, () -> r.requiredString("session"));
    }

    @Test
    void responsesAreJsonRpc2() throws Exception {
        JsonNode error = JsonRpc.MAPPER.readTree(JsonRpc.error(null, ErrorCode.UNAUTHORIZED, "no"));
        assertEquals("2.0", error.get("jsonrpc").asText());
        assertTrue(error.get("id").isNull());
        assertEquals(401, error.get("error").get("code").asInt());
        JsonNode notification = JsonRpc.MAPPER.readTree(JsonRpc.notification("participantJoined",
                JsonRpc.MAPPER.createObjectNode().put("seq", 1)));
        assertEquals("participantJoined", notification.get("method").asText());
        assertEquals(1, notification.get("params").get("seq").asInt());
    }
}
