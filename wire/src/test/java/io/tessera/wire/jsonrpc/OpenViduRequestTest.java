package io.tessera.wire.jsonrpc;

import io.tessera.wire.jsonrpc.OpenViduRequest.Connect;
import io.tessera.wire.jsonrpc.OpenViduRequest.JoinRoom;
import io.tessera.wire.jsonrpc.OpenViduRequest.PublishVideo;
import io.tessera.wire.jsonrpc.OpenViduRequest.ReceiveVideoFrom;
import io.tessera.wire.jsonrpc.OpenViduRequest.SendMessage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenViduRequestTest {

    private static OpenViduRequest roundTrip(OpenViduRequest request) throws Exception {
        return OpenViduRequest.read(JsonRpc.parse(JsonRpc.request(7, request)));
    }

    @Test
    void whatAClientWritesTheMasterReadsBack() throws Exception {
        List<OpenViduRequest> requests = List.of(
                new OpenViduRequest.Ping(5000),
                new JoinRoom("tok_abc", "s1", "{\"name\":\"a\"}", "tessera-java-sdk"),
                new Connect("s1", "con_1", "secret", 12),
                Connect.ofHandle(new ResumeHandle("s1", "con_1", "c2VjcmV0")),
                new OpenViduRequest.SessionStatus("s1"),
                new OpenViduRequest.LeaveRoom(),
                new SendMessage(List.of("con_2", "con_3"), "signal:chat", "hi"),
                new PublishVideo("v=0\r\n", true, true, false, true, "SCREEN", 15, PublishVideo.dimensions(640, 480), false),
                new OpenViduRequest.UnpublishVideo(),
                new ReceiveVideoFrom("str_CAM_x_con_2", "v=0\r\n"),
                new OpenViduRequest.UnsubscribeFromVideo("str_CAM_x_con_2"),
                new ReceiveVideoFrom("str_CAM_x_con_2", null, "v=0\r\n"),
                new OpenViduRequest.PrepareReceiveVideoFrom("str_CAM_x_con_2", true),
                new OpenViduRequest.OnIceCandidate("con_2", "candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host",
                        "0", 1),
                new OpenViduRequest.VideoData(640, 480, true, false),
                new OpenViduRequest.Echo(),
                new OpenViduRequest.ReconnectStream("str_CAM_x_con_2", "v=0\r\n", null, true),
                new OpenViduRequest.ReconnectStream("str_CAM_x_con_2", null, "v=0\r\n", false));
        for (OpenViduRequest request : requests) {
            assertEquals(request, roundTrip(request), request.method());
        }
    }

    /** openvidu-browser's reconnect: connect {sessionId: rpcSessionId, reconnect: true}, no lastSeq. */
    @Test
    void connectAsOpenViduBrowserSendsItCarriesTheHandle() throws Exception {
        String handle = new ResumeHandle("room-1", "con_Ab", "S3cr3t_-x").encode();
        Connect read = (Connect) OpenViduRequest.read(JsonRpc.parse("{\"id\":9,\"method\":\"connect\",\"params\":"
                + "{\"sessionId\":\"" + handle + "\",\"reconnect\":true}}"));
        assertEquals(new Connect("room-1", "con_Ab", "S3cr3t_-x", Connect.LAST_DELIVERED), read);
        assertTrue(!read.toString().contains("S3cr3t"), "the secret stays out of toString: " + read);
        Connect withSeq = (Connect) OpenViduRequest.read(JsonRpc.parse("{\"id\":9,\"method\":\"connect\","
                + "\"params\":{\"sessionId\":\"" + handle + "\",\"lastSeq\":4}}"));
        assertEquals(4, withSeq.lastSeq(), "a lastSeq beside the handle is honoured (the add-on sends it)");
        for (String broken : List.of("tsr1.", "tsr1.a.b", "tsr1.a.b.c.d", "tsr1.!!.Yg.c", "tsr1..Yg.c", "tsr1.YQ.Yg.",
                "tsr1.YQ.Yg.c=", "tsr1.YQ.Yg." + "c".repeat(ResumeHandle.MAX_CHARS))) {
            JsonRpc.Invalid invalid = assertThrows(JsonRpc.Invalid.class, () -> OpenViduRequest.read(JsonRpc.parse(
                    "{\"id\":1,\"method\":\"connect\",\"params\":{\"sessionId\":\"" + broken + "\"}}")), broken);
            assertEquals(ErrorCode.INVALID_PARAMS, invalid.errorCode(), broken);
        }
        // a session name with no connectionId is the SDK's form, missing its fields
        JsonRpc.Invalid sdk = assertThrows(JsonRpc.Invalid.class, () -> OpenViduRequest.read(JsonRpc.parse(
                "{\"id\":1,\"method\":\"connect\",\"params\":{\"sessionId\":\"s1\",\"reconnect\":true}}")));
        assertEquals("invalid params: 'connectionId' is required", sdk.getMessage());
    }

    @Test
    void sendMessageAsOpenViduBrowserSendsIt() throws Exception {
        String wire = JsonRpc.request(1, new SendMessage(List.of(), "signal", "x"));
        assertTrue(wire.contains("\"message\":\"{\\\"to\\\":[],\\\"type\\\":\\\"signal\\\",\\\"data\\\":\\\"x\\\"}\""), wire);
        // an object is accepted too, and the defaults fill in what is absent
        SendMessage read = (SendMessage) OpenViduRequest.read(JsonRpc.parse(
                "{\"id\":1,\"method\":\"sendMessage\",\"params\":{\"message\":{\"data\":\"d\"}}}"));
        assertEquals(new SendMessage(List.of(), "signal", "d"), read);
    }

    @Test
    void refusalsNameTheFieldOrTheMethod() throws Exception {
        JsonRpc.Invalid missing = assertThrows(JsonRpc.Invalid.class, () -> OpenViduRequest.read(JsonRpc.parse(
                "{\"id\":1,\"method\":\"joinRoom\",\"params\":{\"token\":\"t\"}}")));
        assertEquals(ErrorCode.INVALID_PARAMS, missing.errorCode());
        assertEquals("invalid params: 'session' is required", missing.getMessage());
        JsonRpc.Invalid range = assertThrows(JsonRpc.Invalid.class, () -> OpenViduRequest.read(JsonRpc.parse(
                "{\"id\":1,\"method\":\"publishVideo\",\"params\":{\"sdpOffer\":\"v=0\",\"frameRate\":1000}}")));
        assertEquals("invalid params: 'frameRate' must be an integer from 0 to 240", range.getMessage());
        JsonRpc.Invalid ice = assertThrows(JsonRpc.Invalid.class, () -> OpenViduRequest.read(JsonRpc.parse(
                "{\"id\":1,\"method\":\"onIceCandidate\",\"params\":{}}")));
        assertEquals("invalid params: 'endpointName' is required", ice.getMessage());
        JsonRpc.Invalid both = assertThrows(JsonRpc.Invalid.class, () -> OpenViduRequest.read(JsonRpc.parse(
                "{\"id\":1,\"method\":\"receiveVideoFrom\",\"params\":{\"sender\":\"s\",\"sdpOffer\":\"v\","
                        + "\"sdpAnswer\":\"v\"}}")));
        assertEquals("invalid params: 'sdpOffer' and 'sdpAnswer' exclude each other", both.getMessage());
        JsonRpc.Invalid noSdp = assertThrows(JsonRpc.Invalid.class, () -> OpenViduRequest.read(JsonRpc.parse(
                "{\"id\":1,\"method\":\"reconnectStream\",\"params\":{\"stream\":\"s\"}}")));
        assertEquals("invalid params: 'sdpOffer' is required", noSdp.getMessage());
        JsonRpc.Invalid unknown = assertThrows(JsonRpc.Invalid.class, () -> OpenViduRequest.read(JsonRpc.parse(
                "{\"id\":1,\"method\":\"" + "x".repeat(100) + "\"}")));
        assertEquals("method not found: '" + "x".repeat(64) + "...'", unknown.getMessage());
    }

    @Test
    void sessionMethodsNeedASession() {
        assertEquals(OpenViduRequest.Precondition.NOT_IN_SESSION, OpenViduRequest.precondition("connect"));
        assertEquals(OpenViduRequest.Precondition.IN_SESSION, OpenViduRequest.precondition("receiveVideoFrom"));
        assertEquals(OpenViduRequest.Precondition.IN_SESSION, OpenViduRequest.precondition("reconnectStream"));
        assertEquals(OpenViduRequest.Precondition.NONE, OpenViduRequest.precondition("ping"));
    }

    @Test
    void eventsCarryTheirSequenceLast() {
        String wire = JsonRpc.notification(new OpenViduEvent.ParticipantLeft("con_1", LeaveReason.DISCONNECT.wireName()), 3);
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"participantLeft\",\"params\":{\"connectionId\":\"con_1\","
                + "\"reason\":\"disconnect\",\"seq\":3}}", wire);
        Incoming.Notification read = assertInstanceOf(Incoming.Notification.class, Incoming.read(wire));
        assertEquals(3, read.seq());
    }

    @Test
    void aClientReadsResultsAndErrors() {
        assertEquals(new Incoming.Result(4, JsonRpc.MAPPER.createObjectNode().put("value", "pong")),
                Incoming.read(JsonRpc.result(JsonRpc.MAPPER.getNodeFactory().numberNode(4), new OpenViduResult.Pong().json())));
        Incoming.Error error = assertInstanceOf(Incoming.Error.class,
                Incoming.read(JsonRpc.error(JsonRpc.MAPPER.getNodeFactory().textNode("5"), ErrorCode.NOT_JOINED, "no")));
        assertEquals(5L, error.id());
        assertEquals(ErrorCode.NOT_JOINED, error.errorCode().orElseThrow());
        assertInstanceOf(Incoming.Unreadable.class, Incoming.read("{\"id\":\"x\",\"result\":{}}"));
    }
}
