package io.tessera.master.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.master.routing.ConnectionRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookEventTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(WebhookEvent e) throws Exception {
        return MAPPER.readTree(e.toJsonBytes());
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void sessionCreatedHasOpenViduShape() throws Exception {
        JsonNode n = json(WebhookEvent.sessionCreated("ses_A", 1_601_394_690_713L));
        assertEquals(List.of("event", "timestamp", "sessionId", "uniqueSessionId"), names(n));
        assertEquals("sessionCreated", n.get("event").asText());
        assertEquals(1_601_394_690_713L, n.get("timestamp").asLong());
        assertEquals("ses_A", n.get("sessionId").asText());
        assertEquals("ses_A_1601394690713", n.get("uniqueSessionId").asText());
    }

    @Test
    void sessionDestroyedCarriesStartTimeDurationInSecondsAndReason() throws Exception {
        long started = System.currentTimeMillis() - 65_400;
        JsonNode n = json(WebhookEvent.sessionDestroyed("ses_A", started, "lastParticipantLeft"));
        assertEquals("sessionDestroyed", n.get("event").asText());
        assertEquals(started, n.get("startTime").asLong());
        long duration = n.get("duration").asLong();
        assertTrue(duration >= 65 && duration <= 70, "duration in seconds: " + duration);
        assertEquals("lastParticipantLeft", n.get("reason").asText());
        assertTrue(n.get("timestamp").asLong() >= started + 65_400);
    }

    @Test
    void participantEventsUseOpenViduNamesAndLeaveOutNulls() throws Exception {
        JsonNode joined = json(WebhookEvent.participantJoined("ses_A", 10L, "con_1", "{\"name\":\"ann\"}", "srv", null,
                "10.0.0.7", "Chrome 120"));
        assertEquals(List.of("event", "timestamp", "sessionId", "uniqueSessionId", "connectionId", "clientData",
                "serverData", "ip", "platform"), names(joined));
        assertEquals("{\"name\":\"ann\"}", joined.get("clientData").asText());

        long joinedAt = System.currentTimeMillis() - 3_000;
        JsonNode left = json(WebhookEvent.participantLeft("ses_A", 10L, "con_1", "c", "s", "Madrid", null, "ffmpeg",
                joinedAt, "networkDisconnect"));
        assertEquals("participantLeft", left.get("event").asText());
        assertEquals("con_1", left.get("connectionId").asText());
        assertEquals("Madrid", left.get("location").asText());
        assertFalse(left.has("ip"));
        assertEquals(joinedAt, left.get("startTime").asLong());
        assertTrue(left.get("duration").asLong() >= 3);
        assertEquals("networkDisconnect", left.get("reason").asText());
    }

    @Test
    void aParticipantLeavingFromItsRecordIsTheSameEventAsFromItsFields() throws Exception {
        ConnectionRecord c = new ConnectionRecord("con_1", "ses_A", "tok_1", 0, "PUBLISHER", true, "srv", 5L, "pending",
                null, null, null, null).activated(20L, "{\"name\":\"ann\"}", "Chrome 120", "10.0.0.7");
        WebhookEvent fromRecord = WebhookEvent.participantLeft("ses_A", 10L, c, "sessionClosedByServer");
        WebhookEvent fromFields = WebhookEvent.participantLeft("ses_A", 10L, "con_1", "{\"name\":\"ann\"}", "srv", null,
                "10.0.0.7", "Chrome 120", 20L, "sessionClosedByServer");
        // The duration is counted from each event's own "now", which may fall in another second.
        Map<String, Object> expected = new java.util.LinkedHashMap<>(fromFields.fields());
        Map<String, Object> actual = new java.util.LinkedHashMap<>(fromRecord.fields());
        expected.remove("duration");
        actual.remove("duration");
        assertEquals(expected, actual);
        assertEquals(List.of("event", "timestamp", "sessionId", "uniqueSessionId", "connectionId", "clientData",
                "serverData", "ip", "platform", "startTime", "duration", "reason"), names(json(fromRecord)));
    }

    @Test
    void rtpStreamsAreWebrtcConnectionEventsOutboundOrInbound() throws Exception {
        WebhookEvent.Media video = new WebhookEvent.Media(false, true, "CAMERA", 30, "{\"width\":640,\"height\":480}");
        JsonNode pub = json(WebhookEvent.webrtcConnectionCreated("ses_A", 10L, "str_CAM_x_con_1", "con_1", null, video));
        assertEquals("webrtcConnectionCreated", pub.get("event").asText());
        assertEquals("OUTBOUND", pub.get("connection").asText());
        assertFalse(pub.has("receivingFrom"));
        assertEquals("str_CAM_x_con_1", pub.get("streamId").asText());
        assertEquals("CAMERA", pub.get("videoSource").asText());
        assertEquals(30, pub.get("videoFramerate").asInt());
        assertFalse(pub.get("audioEnabled").asBoolean());
        assertTrue(pub.get("videoEnabled").asBoolean());

        WebhookEvent.Media audio = new WebhookEvent.Media(true, false, "CAMERA", 30, null);
        JsonNode sub = json(WebhookEvent.webrtcConnectionDestroyed("ses_A", 10L, "str_MIC_y_con_1", "con_2", "con_1",
                audio, System.currentTimeMillis(), "unsubscribe"));
        assertEquals("INBOUND", sub.get("connection").asText());
        assertEquals("con_1", sub.get("receivingFrom").asText());
        assertFalse(sub.has("videoSource"), "video fields only for video, as OpenVidu");
        assertTrue(sub.get("audioEnabled").asBoolean());
        assertEquals("unsubscribe", sub.get("reason").asText());
        assertTrue(sub.has("startTime") && sub.has("duration"));
    }

    @Test
    void nodeEvents() throws Exception {
        JsonNode crashed = json(WebhookEvent.nodeCrashed("media-2", WebhookEvent.NodeRole.MEDIA, "10.0.0.9",
                List.of("ses_A", "ses_B")));
        assertEquals("nodeCrashed", crashed.get("event").asText());
        assertEquals("media-2", crashed.get("id").asText());
        assertEquals("media-2", crashed.get("nodeId").asText());
        assertEquals("medianode", crashed.get("nodeRole").asText());
        assertEquals("10.0.0.9", crashed.get("ip").asText());
        assertEquals(2, crashed.get("sessionIds").size());

        JsonNode launched = json(WebhookEvent.mediaNodeStatusChanged("media-3", null, "running"));
        assertFalse(launched.has("oldStatus"));
        assertEquals("running", launched.get("newStatus").asText());
        JsonNode draining = json(WebhookEvent.mediaNodeStatusChanged("media-3", "running", "draining"));
        assertEquals("running", draining.get("oldStatus").asText());
        assertEquals("media-3", draining.get("nodeId").asText());
    }

    @Test
    void tesseraEvents() throws Exception {
        JsonNode migrated = json(WebhookEvent.sessionMigrated("ses_A", "media-1", "media-2", "protected", "nodeCrashed"));
        assertEquals(List.of("event", "timestamp", "sessionId", "fromMediaNode", "toMediaNode", "priority", "reason"),
                names(migrated));
        JsonNode ha = json(WebhookEvent.haOvercommitted(2, 1));
        assertEquals(2, ha.get("failuresToTolerate").asInt());
        assertEquals(1, ha.get("maxFailuresToTolerate").asInt());
        JsonNode waiting = json(WebhookEvent.sessionPlacementWaiting("ses_B", "best-effort"));
        assertEquals("sessionPlacementWaiting", waiting.get("event").asText());
        assertEquals("best-effort", waiting.get("priority").asText());
    }

    @Test
    void eventNamesAreCheckedAndFieldsCannotShadowTheEnvelope() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new WebhookEvent("sessionExploded", 1L, Map.of()));
        JsonNode n = json(new WebhookEvent("sessionCreated", 5L, Map.of("event", "x", "timestamp", 9L, "sessionId", "s")));
        assertEquals("sessionCreated", n.get("event").asText());
        assertEquals(5L, n.get("timestamp").asLong());
        assertEquals(7L, WebhookEvent.sessionCreated("s", 1L).at(7L).timestamp());
    }

    /** A session whose record is gone: its start time is unknown, so the fields built on it are left out, not 0. */
    @Test
    void anUnknownStartTimeIsLeftOutNotZero() throws Exception {
        JsonNode destroyed = json(WebhookEvent.sessionDestroyed("ses_A", null, "lastParticipantLeft"));
        assertEquals(List.of("event", "timestamp", "sessionId", "reason"), names(destroyed));
        JsonNode left = json(WebhookEvent.participantLeft("ses_A", null, "con_1", "c", "s", null, "10.0.0.7", "x", null,
                "disconnect"));
        assertFalse(left.has("uniqueSessionId") || left.has("startTime") || left.has("duration"), left.toString());
        assertEquals("10.0.0.7", left.get("ip").asText());
        JsonNode known = json(WebhookEvent.sessionDestroyed("ses_A", 1_000L, "sessionClosedByServer"));
        assertEquals("ses_A_1000", known.get("uniqueSessionId").asText());
        assertEquals(1_000L, known.get("startTime").asLong());
    }
}
