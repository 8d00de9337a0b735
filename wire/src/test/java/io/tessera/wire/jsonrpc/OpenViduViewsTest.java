package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Participants and joinRoom results as openvidu-browser 2.32.2 reads them (docs/WEBRTC-SIGNALLING-NOTES.md). */
class OpenViduViewsTest {
    private static final StreamView CAMERA = new StreamView("str_CAM_AbCd_con_a", 5, true, true, true, true, "CAMERA",
            30, "{\"width\":640,\"height\":480}");

    /**
     * openvidu-browser's Connection does {@code if (remoteOptions.streams) initRemoteStreams(...)}: an empty array
     * counts as streams and ends in a TypeError, so a participant without streams has no {@code streams} member.
     */
    @Test
    void aParticipantWithoutStreamsHasNoStreamsMember() {
        ParticipantView quiet = new ParticipantView("con_a", 1, "", List.of());
        JsonNode joined = new OpenViduEvent.ParticipantJoined(quiet).params();
        assertFalse(joined.has("streams"), joined.toString());

        JsonNode result = joinedWith(List.of(quiet, new ParticipantView("con_b", 2, "", List.of(CAMERA))));
        assertFalse(result.path("value").get(0).has("streams"), result.toString());
        assertEquals("str_CAM_AbCd_con_a", result.path("value").get(1).path("streams").get(0).path("id").asText());
    }

    @Test
    void joinRoomTellsTheBrowserHowToTalkToJanus() {
        JsonNode janus = new OpenViduResult.Joined("con_c", 3, "", List.of(), "ses", "PUBLISHER", false, "media-1", 0,
                "secret", false, "janus", OpenViduResult.IceServer.parseList("stun:127.0.0.1:3478")).json();
        assertEquals("mediasoup", janus.path("mediaServer").asText(), "server-offer subscriptions");
        assertEquals(false, janus.path("videoSimulcast").asBoolean(true));
        assertTrue(janus.path("version").asText().startsWith("2.32."), janus.toString());
        assertEquals("stun:127.0.0.1:3478", janus.path("customIceServers").get(0).path("url").asText());
        assertEquals("con_c", janus.path("finalUserId").asText());
        assertEquals("ses", janus.path("session").asText());
        assertEquals(new ResumeHandle("ses", "con_c", "secret"),
                ResumeHandle.decode(janus.path("sessionId").asText()).orElseThrow(), "openvidu-browser's rpcSessionId");
        assertEquals("tessera", joinedWith(List.of()).path("mediaServer").asText(), "plain RTP only: client offers");
    }

    @Test
    void iceServerListsAreNeverEmpty() {
        assertThrows(IllegalArgumentException.class, () -> OpenViduResult.IceServer.parseList(" , "));
        assertThrows(IllegalArgumentException.class, () -> OpenViduResult.IceServer.parseList("http://x"));
        List<OpenViduResult.IceServer> servers =
                OpenViduResult.IceServer.parseList("stun:10.0.0.1:3478, turn:10.0.0.1:3478|user|pass");
        assertEquals(2, servers.size());
        assertEquals("user", servers.get(1).username());
        assertFalse(servers.get(1).toString().contains("pass"), "the credential stays out of logs");
    }

    private static JsonNode joinedWith(List<ParticipantView> others) {
        return new OpenViduResult.Joined("con_c", 3, "", others, "ses", "PUBLISHER", false, "media-1", 0, "secret",
                false, null, OpenViduResult.IceServer.parseList(OpenViduResult.IceServer.LOOPBACK_DEFAULT)).json();
    }
}
