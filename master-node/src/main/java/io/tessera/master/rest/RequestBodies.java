package io.tessera.master.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.common.protocol.MediaNodeStatus;
import io.tessera.master.session.ApiError;
import io.tessera.master.session.Ids;
import io.tessera.master.session.SessionService.NewConnection;
import io.tessera.master.session.SessionService.NewSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates REST request bodies. Unknown fields are ignored (as OpenVidu does); known fields of
 * the wrong type or with values out of their set are refused with a 400 that names the field.
 */
final class RequestBodies {
    /** As strict as the JSON-RPC reader: one JSON value, no member name twice. */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32).maxStringLength(256 * 1024).maxNumberLength(32).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static final Set<String> ROLES = Set.of("SUBSCRIBER", "PUBLISHER", "MODERATOR");
    static final Set<String> MEDIA_MODES = Set.of("ROUTED", "RELAYED");
    static final Set<String> RECORDING_MODES = Set.of("MANUAL", "ALWAYS");
    static final Set<String> CODECS = Set.of("MEDIA_SERVER_PREFERRED", "NONE", "VP8", "VP9", "H264");
    static final Set<String> PRIORITIES = Set.of("protected", "best-effort", "none");
    static final int MAX_DATA_LENGTH = 10_000;

    private RequestBodies() {
    }

    /** The body as a JSON object; an empty body is an empty object. */
    static ObjectNode object(String body) {
        if (body == null || body.isBlank()) {
            return MAPPER.createObjectNode();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("request body is not valid JSON");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiError.badRequest("request body must be a JSON object");
        }
        return object;
    }

    static NewSession newSession(ObjectNode body) {
        String custom = string(body, "customSessionId", null);
        if (custom != null && custom.isEmpty()) {
            custom = null;
        }
        if (custom != null && !Ids.isValidId(custom)) {
            throw ApiError.badRequest("'customSessionId' must be " + Ids.VALID_ID_RULE);
        }
        String mediaNodeId = null;
        JsonNode mediaNode = body.get("mediaNode");
        if (mediaNode != null && !mediaNode.isNull()) {
            if (!mediaNode.isObject()) {
                throw ApiError.badRequest("'mediaNode' must be an object like {\"id\":\"media-1\"}");
            }
            mediaNodeId = string((ObjectNode) mediaNode, "id", null);
            if (mediaNodeId == null || !Ids.isValidId(mediaNodeId.replace('.', '_'))) {
                throw ApiError.badRequest("'mediaNode.id' must be a media node id");
            }
        }
        JsonNode recording = body.get("defaultRecordingProperties");
        if (recording != null && !recording.isNull() && !recording.isObject()) {
            throw ApiError.badRequest("'defaultRecordingProperties' must be an object");
        }
        // Kept as JSON text in the session's routing record and sent to its media node: bounded like 'data', so that
        // neither a routing shard nor a HostSession message can outgrow a remoting frame (RoutingTable.ShardFull).
        String recordingJson = recording == null || recording.isNull() ? null : recording.toString();
        if (recordingJson != null && recordingJson.length() > MAX_DATA_LENGTH) {
            throw ApiError.badRequest("'defaultRecordingProperties' is longer than " + MAX_DATA_LENGTH
                    + " characters as JSON");
        }
        return new NewSession(custom,
                oneOf(body, "mediaMode", MEDIA_MODES, "ROUTED"),
                oneOf(body, "recordingMode", RECORDING_MODES, "MANUAL"),
                oneOf(body, "forcedVideoCodec", CODECS, "MEDIA_SERVER_PREFERRED"),
                bool(body, "allowTranscoding", false),
                recordingJson,
                mediaNodeId,
                oneOf(body, "priority", PRIORITIES, "best-effort"));
    }

    static NewConnection newConnection(ObjectNode body) {
        String type = string(body, "type", "WEBRTC");
        if ("IPCAM".equals(type)) {
            throw ApiError.badRequest("connection type IPCAM is not supported by Tessera yet");
        }
        if (!"WEBRTC".equals(type)) {
            throw ApiError.badRequest("'type' must be WEBRTC");
        }
        JsonNode kurento = body.get("kurentoOptions");
        if (kurento != null && !kurento.isNull() && !kurento.isObject()) {
            throw ApiError.badRequest("'kurentoOptions' must be an object");
        }
        return new NewConnection(oneOf(body, "role", ROLES, "PUBLISHER"), bool(body, "record", true), data(body));
    }

    static String data(ObjectNode body) {
        String data = string(body, "data", "");
        if (data.length() > MAX_DATA_LENGTH) {
            throw ApiError.badRequest("'data' is longer than " + MAX_DATA_LENGTH + " characters");
        }
        return data;
    }

    static List<String> stringList(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isArray()) {
            throw ApiError.badRequest("'" + field + "' must be an array of strings");
        }
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw ApiError.badRequest("'" + field + "' must be an array of strings");
            }
            values.add(item.asText());
        }
        return values;
    }

    static String string(ObjectNode body, String field, String fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw ApiError.badRequest("'" + field + "' must be a string");
        }
        return node.asText();
    }

    static boolean bool(ObjectNode body, String field, boolean fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw ApiError.badRequest("'" + field + "' must be true or false");
        }
        return node.asBoolean();
    }

    static String oneOf(ObjectNode body, String field, Set<String> allowed, String fallback) {
        String value = string(body, field, fallback);
        if (value == null) {
            return null; // absent, and no default: the caller decides whether that is allowed (Set.of refuses null)
        }
        if (!allowed.contains(value)) {
            throw ApiError.badRequest("'" + field + "' must be one of " + new java.util.TreeSet<>(allowed));
        }
        return value;
    }

    static final Set<String> NODE_STATUSES = Set.of(MediaNodeStatus.RUNNING.wireName(),
            MediaNodeStatus.DRAINING.wireName());
    static final long MAX_DEADLINE_SECONDS = 7 * 24 * 3600;

    /** What {@code PATCH /media-nodes/{id}} asks: a status and, when draining, the instant the sessions move. */
    record StatusChange(String status, long deadlineMillis) {
    }

    /**
     * The body of {@code PATCH /media-nodes/{id}}: {@code status} is required ({@code running} or {@code draining});
     * {@code deadline} belongs to {@code draining} only (default {@code defaultDrainMillis} from now).
     */
    static StatusChange mediaNodeStatus(ObjectNode body, long defaultDrainMillis) {
        String status = oneOf(body, "status", NODE_STATUSES, null);
        if (status == null) {
            throw ApiError.badRequest("'status' is required: running or draining (a 'deadline' goes with draining)");
        }
        boolean hasDeadline = body.hasNonNull("deadline");
        if (hasDeadline && !MediaNodeStatus.DRAINING.wireName().equals(status)) {
            throw ApiError.badRequest("'deadline' applies only to status draining");
        }
        long deadline = MediaNodeStatus.DRAINING.wireName().equals(status)
                ? deadlineMillis(body, "deadline", System.currentTimeMillis() + defaultDrainMillis) : 0;
        return new StatusChange(status, deadline);
    }

    /**
     * A deadline as an ISO-8601 instant ({@code "2026-11-24T10:00:00Z"}) or a whole number of seconds from now, at most
     * a week ahead; absent gives {@code fallback}. One rule for the past, whatever the form: a deadline at or before
     * now (an instant already gone, {@code 0} or negative seconds) means at once. That keeps a retried request with
     * an absolute deadline (the scale-in handler's) valid after the deadline passed.
     */
    static long deadlineMillis(ObjectNode body, String field, long fallback) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        long now = System.currentTimeMillis();
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            long seconds = value.longValue();
            if (seconds > MAX_DEADLINE_SECONDS) {
                throw ApiError.badRequest("'" + field + "' is more than a week ahead (at most " + MAX_DEADLINE_SECONDS
                        + " seconds)");
            }
            return seconds <= 0 ? now : now + seconds * 1000;
        }
        if (!value.isTextual()) {
            throw ApiError.badRequest("'" + field + "' must be an ISO-8601 instant or a whole number of seconds from now");
        }
        java.time.Instant instant;
        try {
            instant = java.time.Instant.parse(value.asText());
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiError.badRequest("'" + field + "' must be an ISO-8601 instant or a whole number of seconds from now");
        }
        // Compared as instants: toEpochMilli overflows for years like +999999999.
        if (instant.isAfter(java.time.Instant.ofEpochMilli(now + MAX_DEADLINE_SECONDS * 1000))) {
            throw ApiError.badRequest("'" + field + "' is more than a week ahead");
        }
        return instant.isBefore(java.time.Instant.ofEpochMilli(now)) ? now : instant.toEpochMilli();
    }
}
