package io.tessera.master.views;

import io.tessera.common.protocol.MediaNodeProtocol.ConnectionMedia;
import io.tessera.common.protocol.MediaNodeProtocol.SessionMedia;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Subscription;
import io.tessera.master.medianode.SessionStreams;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.SessionRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenVidu objects REST writes from the routing records, to the byte: field order and nulls are the contract. */
class JsonViewsTest {
    private static final JsonViews.TokenUrl TOKEN_URL = (sessionId, token) ->
            "wss://master.example:4443?sessionId=" + sessionId + "&token=" + token;

    private static final ConnectionRecord PENDING = new ConnectionRecord("con_A", "ses_1", "tok_A", 9_000, "PUBLISHER",
            true, "srv", 1_000, "pending", null, null, null, null);
    private static final ConnectionRecord ACTIVE = PENDING.activated(2_000, "{\"name\":\"alice\"}", "Chrome", "127.0.0.9");

    @Test
    void aPendingConnectionWritesItsUnknownsAsNull() {
        assertEquals("{\"id\":\"con_A\",\"object\":\"connection\",\"type\":\"WEBRTC\",\"status\":\"pending\","
                        + "\"sessionId\":\"ses_1\",\"connectionId\":\"con_A\",\"createdAt\":1000,\"activeAt\":null,"
                        + "\"location\":null,\"ip\":null,\"platform\":null,"
                        + "\"token\":\"wss://master.example:4443?sessionId=ses_1&token=tok_A\",\"serverData\":\"srv\","
                        + "\"clientData\":null,\"record\":true,\"role\":\"PUBLISHER\",\"kurentoOptions\":null,"
                        + "\"rtspUri\":null,\"adaptativeBitrate\":null,\"onlyPlayWithSubscribers\":null,"
                        + "\"networkCache\":null,\"customIceServers\":[],\"publishers\":[],\"subscribers\":[]}",
                JsonViews.connection(PENDING, TOKEN_URL).toString());
    }

    @Test
    void aSessionPagesItsConnections() {
        SessionRecord session = new SessionRecord("ses_1", 500, "media-1", 1, "protected", "ses_1", "ROUTED", "MANUAL",
                "H264", false, "{\"outputMode\":\"COMPOSED\"}");
        String json = JsonViews.session(session, List.of(ACTIVE), TOKEN_URL, SessionStreams.none()).toString();
        assertEquals("{\"id\":\"ses_1\",\"object\":\"session\",\"sessionId\":\"ses_1\",\"createdAt\":500,"
                        + "\"mediaNodeId\":\"media-1\",\"priority\":\"protected\",\"customSessionId\":\"ses_1\","
                        + "\"mediaMode\":\"ROUTED\",\"recordingMode\":\"MANUAL\",\"forcedVideoCodec\":\"H264\","
                        + "\"forcedVideoCodecResolved\":\"H264\",\"allowTranscoding\":false,"
                        + "\"defaultRecordingProperties\":{\"outputMode\":\"COMPOSED\"},\"recording\":false,"
                        + "\"broadcasting\":false,\"connections\":{\"numberOfElements\":1,\"content\":["
                        + JsonViews.connection(ACTIVE, TOKEN_URL) + "]}}",
                json);
        String active = JsonViews.connection(ACTIVE, TOKEN_URL).toString();
        assertEquals(true, active.contains("\"status\":\"active\",") && active.contains("\"activeAt\":2000,")
                && active.contains("\"ip\":\"127.0.0.9\",\"platform\":\"Chrome\",")
                && active.contains("\"clientData\":\"{\\\"name\\\":\\\"alice\\\"}\","), active);
    }

    @Test
    void aConnectionListsWhatItsMediaNodeSaysItPublishesAndReceives() {
        StreamInfo camera = new StreamInfo("str_CAM_Abcd_con_A", 3_000, false, true, false, true, "CAMERA", 30,
                "{\"width\":640,\"height\":480}");
        SessionStreams streams = SessionStreams.of(new SessionMedia("ses_1", true, List.of(new ConnectionMedia("con_A",
                List.of(camera), List.of(new Subscription("str_CAM_Wxyz_con_B", "con_B", 4_000))))));
        String json = JsonViews.connection(ACTIVE, TOKEN_URL, streams).toString();
        assertTrue(json.endsWith("\"publishers\":[{\"createdAt\":3000,\"streamId\":\"str_CAM_Abcd_con_A\","
                + "\"mediaOptions\":{\"hasAudio\":false,\"audioActive\":false,\"hasVideo\":true,\"videoActive\":true,"
                + "\"typeOfVideo\":\"CAMERA\",\"frameRate\":30,"
                + "\"videoDimensions\":\"{\\\"width\\\":640,\\\"height\\\":480}\",\"filter\":{}}}],"
                + "\"subscribers\":[{\"createdAt\":4000,\"streamId\":\"str_CAM_Wxyz_con_B\",\"publisher\":\"con_B\"}]}"),
                json);

        String unknown = JsonViews.session(new SessionRecord("ses_1", 500, "media-1", 1, "protected", "ses_1", "ROUTED",
                        "MANUAL", "VP8", false, null), List.of(ACTIVE), TOKEN_URL,
                SessionStreams.unknown("media node media-1 is not reachable")).toString();
        assertTrue(unknown.contains("\"broadcasting\":false,\"mediaUnavailable\":\"media node media-1 is not reachable\","),
                unknown);
        assertTrue(unknown.contains("\"publishers\":[],\"subscribers\":[],\"mediaUnavailable\""), unknown);
    }

    @Test
    void anUnforcedCodecResolvesToVp8() {
        SessionRecord session = new SessionRecord("ses_2", 1, "media-1", 1, "best-effort", "", "ROUTED", "MANUAL",
                "MEDIA_SERVER_PREFERRED", true, null);
        String json = JsonViews.session(session, List.of(), TOKEN_URL, SessionStreams.none()).toString();
        assertEquals(true, json.contains("\"forcedVideoCodecResolved\":\"VP8\",") && !json.contains("defaultRecording"),
                json);
    }

    @Test
    void theLegacyTokenIsTheConnectionSeenAsItsToken() {
        assertEquals("{\"id\":\"wss://master.example:4443?sessionId=ses_1&token=tok_A\","
                        + "\"token\":\"wss://master.example:4443?sessionId=ses_1&token=tok_A\",\"connectionId\":\"con_A\","
                        + "\"createdAt\":1000,\"session\":\"ses_1\",\"role\":\"PUBLISHER\",\"data\":\"srv\","
                        + "\"record\":true,\"kurentoOptions\":null}",
                JsonViews.legacyToken(PENDING, TOKEN_URL).toString());
    }
}
