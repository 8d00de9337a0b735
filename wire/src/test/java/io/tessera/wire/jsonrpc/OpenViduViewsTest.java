package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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

    private static JsonNode joinedWith(List<ParticipantView> others) {
        return new OpenViduResult.Joined("con_c", 3, "", others, "ses", "PUBLISHER", false, "media-1", 0, "secret",
                false).json();
    }
}
