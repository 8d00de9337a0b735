package io.tessera.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRpcCodecTest {

    private static JsonNode json(String s) throws Exception {
        return JsonRpcCodec.MAPPER.readTree(s);
    }

    @Test
    void encodesARequest() throws Exception {
        JsonNode msg = json(JsonRpcCodec.encodeRequest(7, "ping", json("{\"interval\":5000}")));
        assertEquals("2.0", msg.get("jsonrpc").asText());
        assertEquals(7, msg.get("id").asLong());
        assertEquals("ping", msg.get("method").asText());
        assertEquals(5000, msg.at("/params/interval").asInt());
    }

    @Test
    void encodesMissingParamsAsAnEmptyObject() throws Exception {
        JsonNode msg = json(JsonRpcCodec.encodeRequest(1, "leaveRoom", null));
        assertTrue(msg.get("params").isObject());
        assertEquals(0, msg.get("params").size());
    }

    @Test
    void sendMessageParamsAreAStringifiedObjectAsInOpenViduBrowser() throws Exception {
        JsonNode p = JsonRpcCodec.sendMessageParams(List.of("con_a", "con_b"), "signal:chat", "hi \"there\"");
        assertTrue(p.get("message").isTextual());
        JsonNode inner = json(p.get("message").asText());
        assertEquals(List.of("con_a", "con_b"), List.of(inner.at("/to/0").asText(), inner.at("/to/1").asText()));
        assertEquals("signal:chat", inner.get("type").asText());
        assertEquals("hi \"there\"", inner.get("data").asText());
        assertEquals(0, json(JsonRpcCodec.sendMessageParams(null, "t", "d").get("message").asText()).get("to").size());
    }

    @Test
    void joinRoomParamsCarryTheFullTokenAndSession() {
        TesseraToken t = TesseraToken.parse("ws://h:1?sessionId=s1&token=tok_a");
        JsonNode p = JsonRpcCodec.joinRoomParams(t, "{\"n\":1}");
        assertEquals("ws://h:1?sessionId=s1&token=tok_a", p.get("token").asText());
        assertEquals("s1", p.get("session").asText());
        assertEquals("{\"n\":1}", p.get("metadata").asText());
        assertEquals("tessera-java-sdk", p.get("platform").asText());
    }

    @Test
    void decodesAResult() {
        var r = assertInstanceOf(JsonRpcCodec.Result.class,
                JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"value\":\"pong\"}}"));
        assertEquals(3, r.id());
        assertEquals("pong", r.result().get("value").asText());
    }

    @Test
    void acceptsANumericStringId() {
        var r = assertInstanceOf(JsonRpcCodec.Result.class, JsonRpcCodec.decode("{\"id\":\"12\",\"result\":{}}"));
        assertEquals(12, r.id());
    }

    @Test
    void decodesAnErrorWithAndWithoutId() {
        var e = assertInstanceOf(JsonRpcCodec.Error.class, JsonRpcCodec.decode(
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":401,\"message\":\"invalid token\",\"data\":{\"x\":1}}}"));
        assertEquals(4L, e.id());
        JsonRpcException ex = e.toException();
        assertEquals(401, ex.code());
        assertEquals("invalid token", ex.errorMessage());
        assertEquals(1, ex.data().get("x").asInt());

        var parse = assertInstanceOf(JsonRpcCodec.Error.class,
                JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}"));
        assertNull(parse.id());
        assertEquals(-32700, parse.code());
    }

    @Test
    void decodesNotificationsWithAndWithoutSeq() {
        var n = assertInstanceOf(JsonRpcCodec.Notification.class, JsonRpcCodec.decode(
                "{\"jsonrpc\":\"2.0\",\"method\":\"participantJoined\",\"params\":{\"id\":\"con_a\",\"seq\":5}}"));
        ServerEvent ev = n.toEvent();
        assertEquals("participantJoined", ev.method());
        assertEquals(5, ev.seq());
        assertEquals("con_a", ev.param("id"));
        assertNull(ev.param("missing"));

        var bare = assertInstanceOf(JsonRpcCodec.Notification.class, JsonRpcCodec.decode("{\"method\":\"x\"}"));
        assertEquals(-1, bare.toEvent().seq());
        assertTrue(bare.params().isObject());
    }

    @Test
    void reportsGarbageAsInvalid() {
        assertInstanceOf(JsonRpcCodec.Invalid.class, JsonRpcCodec.decode("not json"));
        assertInstanceOf(JsonRpcCodec.Invalid.class, JsonRpcCodec.decode("[1,2]"));
        assertInstanceOf(JsonRpcCodec.Invalid.class, JsonRpcCodec.decode("{\"result\":{}}"));
        assertInstanceOf(JsonRpcCodec.Invalid.class, JsonRpcCodec.decode("{\"id\":\"abc\",\"result\":{}}"));
        assertInstanceOf(JsonRpcCodec.Invalid.class, JsonRpcCodec.decode("{\"id\":1,\"method\":\"serverAsks\"}"));
    }

    @Test
    void mapsAJoinResult() throws Exception {
        JoinResult j = JsonRpcCodec.joinResult(json("""
                {"id":"con_me","createdAt":123,"metadata":"m",
                 "value":[{"id":"con_other","createdAt":1,"metadata":"o","streams":[]}],
                 "session":"s1","sessionId":"s1","role":"PUBLISHER","record":true,"version":"2.32.0",
                 "mediaServer":"tessera","mediaNodeId":"media-1","seq":4}"""));
        assertEquals("con_me", j.connectionId());
        assertEquals("s1", j.sessionId());
        assertEquals("media-1", j.mediaNodeId());
        assertEquals("PUBLISHER", j.role());
        assertEquals(4, j.seq());
        assertEquals(1, j.participants().size());
        assertEquals("con_other", j.participants().get(0).connectionId());
        assertEquals("o", j.participants().get(0).metadata());
        assertFalse(j.raw().isMissingNode());
    }
}
