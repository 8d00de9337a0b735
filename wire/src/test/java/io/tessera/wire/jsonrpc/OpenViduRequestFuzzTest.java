package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property: whatever the params of a served method, reading them yields that method's record, which a client writes
 * back to params that read as the same record - or they are refused with {@link ErrorCode#INVALID_PARAMS}. Never
 * another exception.
 */
class OpenViduRequestFuzzTest {

    static final List<String> METHODS = List.of("ping", "joinRoom", "connect", "leaveRoom", "sendMessage",
            "publishVideo", "unpublishVideo", "receiveVideoFrom", "unsubscribeFromVideo", "streamPropertyChanged");
    static final List<String> FIELDS = List.of("token", "session", "metadata", "platform", "sessionId", "connectionId",
            "resumeSecret", "lastSeq", "message", "sdpOffer", "hasAudio", "hasVideo", "audioActive", "videoActive",
            "typeOfVideo", "frameRate", "videoDimensions", "doLoopback", "sender", "interval", "streamId", "property",
            "newValue", "reason");

    @Provide
    Arbitrary<JsonNode> values() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20).map(f::textNode),
                Arbitraries.of("CAMERA", "SCREEN", "x", "", "{\"to\":[\"a\"],\"type\":\"t\",\"data\":\"d\"}",
                        "{\"to\":5}", "{\"to\":[1]}", "{\"data\":{}}", "[]", "{", "x".repeat(17_000),
                        "audioActive", "videoDimensions", "videoTrack", "publishAudio", "trackReplaced", "true",
                        "{\"width\":640,\"height\":480}", "{\"width\":-1,\"height\":480}",
                        "{\"width\":640,\"height\":480,\"x\":1}").map(f::textNode),
                Arbitraries.longs().map(f::numberNode),
                Arbitraries.integers().between(-5, 300).map(f::numberNode),
                Arbitraries.of(new BigDecimal("1.5"), new BigDecimal("1e400"), new BigDecimal("-0.0")).map(f::numberNode),
                Arbitraries.of(f.booleanNode(true), f.booleanNode(false), f.nullNode(), f.objectNode(), f.arrayNode(),
                        f.objectNode().put("to", f.arrayNode().add("con_1").toString()),
                        f.objectNode().put("label", "fake camera"), f.objectNode().put("label", 3)));
    }

    @Provide
    Arbitrary<Map<String, JsonNode>> params() {
        return Arbitraries.maps(Arbitraries.of(FIELDS), values()).ofMaxSize(8);
    }

    @Property(tries = 3000)
    void paramsReadAsTheirRecordOrAreRefusedAsInvalidParams(@ForAll("methodNames") String method,
                                                           @ForAll("params") Map<String, JsonNode> fields) {
        ObjectNode params = JsonRpc.MAPPER.createObjectNode();
        fields.forEach(params::set);
        JsonRpc.Request request = new JsonRpc.Request(JsonNodeFactory.instance.numberNode(1), method, params);
        OpenViduRequest read;
        try {
            read = OpenViduRequest.read(request);
        } catch (JsonRpc.Invalid invalid) {
            assertEquals(ErrorCode.INVALID_PARAMS, invalid.errorCode(), invalid.getMessage());
            return;
        } catch (RuntimeException e) {
            fail(method + " " + params + " threw " + e, e);
            return;
        }
        assertEquals(method, read.method());
        try {
            assertEquals(read, OpenViduRequest.read(JsonRpc.parse(JsonRpc.request(2, read))), "written back and read");
        } catch (JsonRpc.Invalid invalid) {
            fail(read + " written by a client is refused: " + invalid.getMessage());
        }
    }

    /** streamPropertyChanged with its four fields always present, so that most draws reach the value's reading. */
    @Property(tries = 2000)
    void streamPropertyChangesReadAsTheirRecordOrAreRefusedAsInvalidParams(
            @ForAll("streamProperties") String property, @ForAll("values") JsonNode newValue,
            @ForAll("reasons") String reason) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        paramsReadAsTheirRecordOrAreRefusedAsInvalidParams("streamPropertyChanged", Map.of(
                "streamId", f.textNode("str_CAM_x_con_1"), "property", f.textNode(property), "newValue", newValue,
                "reason", f.textNode(reason)));
    }

    @Provide
    Arbitrary<String> streamProperties() {
        return Arbitraries.of("audioActive", "videoActive", "videoDimensions", "audioTrack", "videoTrack", "filter", "");
    }

    @Provide
    Arbitrary<String> reasons() {
        return Arbitraries.of("publishAudio", "publishVideo", "trackReplaced", "deviceRotated", "screenResized",
                "applyFilter", "x");
    }

    @Provide
    Arbitrary<String> methodNames() {
        return Arbitraries.of(METHODS);
    }
}
