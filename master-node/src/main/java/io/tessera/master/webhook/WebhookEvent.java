package io.tessera.master.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.views.JsonViews;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One webhook event, serialized as OpenVidu 2 sends them: a flat JSON object with the event name in {@code event},
 * the time in UTC milliseconds in {@code timestamp}, and the event's own fields beside them (written with the master's
 * one mapper, {@link JsonViews#MAPPER}), e.g.
 * {@code {"event":"sessionCreated","timestamp":1601394690713,"sessionId":"ses_Jd8","uniqueSessionId":"ses_Jd8_1601394690713"}}.
 * <p>
 * Build events with the factory methods (one per event name); they use OpenVidu's field names where OpenVidu has the
 * event, and leave out fields whose value is {@code null} (as OpenVidu does). Immutable, so safe to share.
 *
 * @param event     the event name, one of {@link #ALL}
 * @param timestamp when the event happened, UTC milliseconds
 * @param fields    the other fields in the order they are written; values are strings, numbers, booleans or lists of
 *                  strings
 */
public record WebhookEvent(String event, long timestamp, Map<String, Object> fields) {

    public static final String SESSION_CREATED = "sessionCreated";
    public static final String SESSION_DESTROYED = "sessionDestroyed";
    public static final String PARTICIPANT_JOINED = "participantJoined";
    public static final String PARTICIPANT_LEFT = "participantLeft";
    public static final String WEBRTC_CONNECTION_CREATED = "webrtcConnectionCreated";
    public static final String WEBRTC_CONNECTION_DESTROYED = "webrtcConnectionDestroyed";
    public static final String NODE_CRASHED = "nodeCrashed";
    public static final String MEDIA_NODE_STATUS_CHANGED = "mediaNodeStatusChanged";
    /** Tessera: a session was placed again on another media node. */
    public static final String SESSION_MIGRATED = "sessionMigrated";
    /** Tessera: the media nodes cannot absorb the configured number of failures at the current load. */
    public static final String HA_OVERCOMMITTED = "haOvercommitted";
    /** Tessera: a session waits for a media node with room (re-placement queue). */
    public static final String SESSION_PLACEMENT_WAITING = "sessionPlacementWaiting";

    /** Every event name this dispatcher knows; the allow-list in the configuration must use these. */
    public static final Set<String> ALL = Set.of(SESSION_CREATED, SESSION_DESTROYED, PARTICIPANT_JOINED, PARTICIPANT_LEFT,
            WEBRTC_CONNECTION_CREATED, WEBRTC_CONNECTION_DESTROYED, NODE_CRASHED, MEDIA_NODE_STATUS_CHANGED,
            SESSION_MIGRATED, HA_OVERCOMMITTED, SESSION_PLACEMENT_WAITING);

    /** Which kind of node crashed, written as OpenVidu writes {@code nodeRole}. */
    public enum NodeRole {
        MASTER("masternode"), MEDIA("medianode");

        private final String json;

        NodeRole(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }
    }

    /**
     * What a stream carries, for {@code webrtcConnectionCreated/Destroyed} (OpenVidu's media options). The video
     * fields are written only when {@code videoEnabled}, as in OpenVidu.
     *
     * @param videoSource     {@code CAMERA}, {@code SCREEN}, {@code CUSTOM} or {@code IPCAM}
     * @param videoFramerate  frames per second, or null
     * @param videoDimensions the JSON text {@code {"width":640,"height":480}} as the publisher sent it, or null
     */
    public record Media(boolean audioEnabled, boolean videoEnabled, String videoSource, Integer videoFramerate,
                        String videoDimensions) {
    }

    public WebhookEvent {
        Objects.requireNonNull(event, "event");
        if (!ALL.contains(event)) {
            throw new IllegalArgumentException("unknown webhook event " + event);
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        if (fields != null) {
            fields.forEach((k, v) -> {
                if (v != null && !"event".equals(k) && !"timestamp".equals(k)) {
                    copy.put(k, v instanceof List<?> l ? List.copyOf(l) : v);
                }
            });
        }
        fields = Collections.unmodifiableMap(copy);
    }

    /** The same event with another timestamp (tests, or an event recorded earlier). */
    public WebhookEvent at(long timestampMillis) {
        return new WebhookEvent(event, timestampMillis, fields);
    }

    /** A field's value, or null. */
    public Object get(String field) {
        return fields.get(field);
    }

    /** The JSON body POSTed to the endpoints. */
    public byte[] toJsonBytes() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("timestamp", timestamp);
        body.putAll(fields);
        try {
            return JsonViews.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write webhook event " + event, e);
        }
    }

    public String toJson() {
        return new String(toJsonBytes(), StandardCharsets.UTF_8);
    }

    // ---- OpenVidu events ------------------------------------------------------------------------------------------

    /**
     * OpenVidu's unique session id: the session id and its creation time, so a reused custom id stays apart. Null
     * (left out) when the creation time is unknown: a made-up one would name another session.
     */
    static String uniqueSessionId(String sessionId, Long sessionCreatedAt) {
        return sessionCreatedAt == null ? null : sessionId + "_" + sessionCreatedAt;
    }

    /** A session was created; {@code timestamp} is its creation time. */
    public static WebhookEvent sessionCreated(String sessionId, long sessionCreatedAt) {
        return new WebhookEvent(SESSION_CREATED, sessionCreatedAt, fields(
                "sessionId", sessionId,
                "uniqueSessionId", uniqueSessionId(sessionId, sessionCreatedAt)));
    }

    /**
     * A session ended. {@code duration} is in whole seconds, as OpenVidu. {@code sessionCreatedAt} is the session
     * record's creation time (the one {@code sessionCreated} carried); null when unknown leaves out
     * {@code uniqueSessionId}, {@code startTime} and {@code duration}.
     *
     * @param reason {@code lastParticipantLeft}, {@code sessionClosedByServer}, {@code nodeCrashed},
     *               {@code openviduServerStopped}...
     */
    public static WebhookEvent sessionDestroyed(String sessionId, Long sessionCreatedAt, String reason) {
        long now = System.currentTimeMillis();
        return new WebhookEvent(SESSION_DESTROYED, now, fields(
                "sessionId", sessionId,
                "uniqueSessionId", uniqueSessionId(sessionId, sessionCreatedAt),
                "startTime", sessionCreatedAt,
                "duration", sessionCreatedAt == null ? null : seconds(now - sessionCreatedAt),
                "reason", reason));
    }

    /**
     * A participant joined a session.
     *
     * @param clientData the metadata the client gave at join
     * @param serverData the data the application server put in the connection
     * @param location   where the client is, or null (Tessera does no geo-lookup)
     * @param ip         the client's address, or null
     * @param platform   what the client said it runs on
     */
    public static WebhookEvent participantJoined(String sessionId, Long sessionCreatedAt, String connectionId,
                                                 String clientData, String serverData, String location, String ip,
                                                 String platform) {
        return new WebhookEvent(PARTICIPANT_JOINED, System.currentTimeMillis(),
                participantFields(sessionId, sessionCreatedAt, connectionId, clientData, serverData, location, ip,
                        platform));
    }

    /**
     * A participant left. {@code startTime} is when it joined, {@code duration} whole seconds since.
     *
     * @param reason {@code disconnect}, {@code networkDisconnect}, {@code forceDisconnectByServer},
     *               {@code sessionClosedByServer}, {@code nodeCrashed}...
     */
    public static WebhookEvent participantLeft(String sessionId, Long sessionCreatedAt, String connectionId,
                                               String clientData, String serverData, String location, String ip,
                                               String platform, Long joinedAt, String reason) {
        long now = System.currentTimeMillis();
        Map<String, Object> f = participantFields(sessionId, sessionCreatedAt, connectionId, clientData, serverData,
                location, ip, platform);
        f.put("startTime", joinedAt);
        f.put("duration", joinedAt == null ? null : seconds(now - joinedAt));
        f.put("reason", reason);
        return new WebhookEvent(PARTICIPANT_LEFT, now, f);
    }

    /**
     * A participant of a session the master announces itself left ({@code sessionClosedByServer} through REST,
     * {@code nodeCrashed} when its session is closed by failover): what it joined with, from its connection record.
     */
    public static WebhookEvent participantLeft(String sessionId, Long sessionCreatedAt, ConnectionRecord c,
                                               String reason) {
        return participantLeft(sessionId, sessionCreatedAt, c.connectionId(), c.clientData(), c.serverData(), null,
                c.ip(), c.platform(), c.activeAt(), reason);
    }

    /**
     * A media connection started: a publisher's stream ({@code OUTBOUND}, {@code receivingFrom == null}) or a
     * subscription to another participant's stream ({@code INBOUND}, {@code receivingFrom} = the publisher's
     * connection id). For Tessera these are plain RTP streams; the name is OpenVidu's.
     */
    public static WebhookEvent webrtcConnectionCreated(String sessionId, Long sessionCreatedAt, String streamId,
                                                       String connectionId, String receivingFrom, Media media) {
        return new WebhookEvent(WEBRTC_CONNECTION_CREATED, System.currentTimeMillis(),
                connectionFields(sessionId, sessionCreatedAt, streamId, connectionId, receivingFrom, media));
    }

    /**
     * A media connection ended. {@code startTime} is when it started, {@code duration} whole seconds since.
     *
     * @param reason {@code unpublish}, {@code unsubscribe}, {@code disconnect}, {@code networkDisconnect},
     *               {@code sessionClosedByServer}, {@code nodeCrashed}...
     */
    public static WebhookEvent webrtcConnectionDestroyed(String sessionId, Long sessionCreatedAt, String streamId,
                                                         String connectionId, String receivingFrom, Media media,
                                                         long startTime, String reason) {
        long now = System.currentTimeMillis();
        Map<String, Object> f = connectionFields(sessionId, sessionCreatedAt, streamId, connectionId, receivingFrom,
                media);
        f.put("startTime", startTime);
        f.put("duration", seconds(now - startTime));
        f.put("reason", reason);
        return new WebhookEvent(WEBRTC_CONNECTION_DESTROYED, now, f);
    }

    /**
     * A node left the cluster without being asked to. {@code id} is OpenVidu's name for the node id; {@code nodeId}
     * carries the same value under the name Tessera's own events use.
     *
     * @param ip         the node's address, or null
     * @param sessionIds the sessions it hosted (media node), empty for a master
     */
    public static WebhookEvent nodeCrashed(String nodeId, NodeRole nodeRole, String ip, List<String> sessionIds) {
        return new WebhookEvent(NODE_CRASHED, System.currentTimeMillis(), fields(
                "id", nodeId,
                "nodeId", nodeId,
                "nodeRole", nodeRole.json(),
                "ip", ip,
                "sessionIds", sessionIds == null ? List.of() : sessionIds));
    }

    /**
     * A media node's status changed ({@code launching}, {@code running}, {@code draining}, {@code terminating},
     * {@code terminated}, {@code failed}...). {@code oldStatus} is left out when null (a new node), as in OpenVidu.
     * {@code id} (OpenVidu) and {@code nodeId} (Tessera) carry the same value.
     */
    public static WebhookEvent mediaNodeStatusChanged(String nodeId, String oldStatus, String newStatus) {
        return new WebhookEvent(MEDIA_NODE_STATUS_CHANGED, System.currentTimeMillis(), fields(
                "id", nodeId,
                "nodeId", nodeId,
                "oldStatus", oldStatus,
                "newStatus", newStatus));
    }

    // ---- Tessera events -------------------------------------------------------------------------------------------

    /**
     * A session was placed again on another media node (its node failed or is draining).
     *
     * @param priority the session's priority ({@code protected}, {@code best-effort})
     * @param reason   {@code nodeCrashed}, {@code draining}...
     */
    public static WebhookEvent sessionMigrated(String sessionId, String fromMediaNode, String toMediaNode,
                                               String priority, String reason) {
        return new WebhookEvent(SESSION_MIGRATED, System.currentTimeMillis(), fields(
                "sessionId", sessionId,
                "fromMediaNode", fromMediaNode,
                "toMediaNode", toMediaNode,
                "priority", priority,
                "reason", reason));
    }

    /**
     * The pool tolerates fewer media node failures than configured.
     *
     * @param failuresToTolerate    how many failures the cluster is configured to absorb
     * @param maxFailuresToTolerate how many it can absorb at the current load
     */
    public static WebhookEvent haOvercommitted(int failuresToTolerate, int maxFailuresToTolerate) {
        return new WebhookEvent(HA_OVERCOMMITTED, System.currentTimeMillis(), fields(
                "failuresToTolerate", failuresToTolerate,
                "maxFailuresToTolerate", maxFailuresToTolerate));
    }

    /** A session needs a media node and none has room; it waits in priority order. */
    public static WebhookEvent sessionPlacementWaiting(String sessionId, String priority) {
        return new WebhookEvent(SESSION_PLACEMENT_WAITING, System.currentTimeMillis(), fields(
                "sessionId", sessionId,
                "priority", priority));
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** The participant as both participant events show it, in OpenVidu's order. */
    private static Map<String, Object> participantFields(String sessionId, Long sessionCreatedAt, String connectionId,
                                                         String clientData, String serverData, String location,
                                                         String ip, String platform) {
        return fields(
                "sessionId", sessionId,
                "uniqueSessionId", uniqueSessionId(sessionId, sessionCreatedAt),
                "connectionId", connectionId,
                "clientData", clientData,
                "serverData", serverData,
                "location", location,
                "ip", ip,
                "platform", platform);
    }

    private static Map<String, Object> connectionFields(String sessionId, Long sessionCreatedAt, String streamId,
                                                        String connectionId, String receivingFrom, Media media) {
        Map<String, Object> f = fields(
                "sessionId", sessionId,
                "uniqueSessionId", uniqueSessionId(sessionId, sessionCreatedAt),
                "streamId", streamId,
                "connectionId", connectionId,
                "connection", receivingFrom == null ? "OUTBOUND" : "INBOUND",
                "receivingFrom", receivingFrom);
        if (media != null) {
            if (media.videoEnabled()) {
                f.put("videoSource", media.videoSource());
                f.put("videoFramerate", media.videoFramerate());
                f.put("videoDimensions", media.videoDimensions());
            }
            f.put("audioEnabled", media.audioEnabled());
            f.put("videoEnabled", media.videoEnabled());
        }
        return f;
    }

    private static Map<String, Object> fields(Object... keyValues) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            f.put((String) keyValues[i], keyValues[i + 1]);
        }
        return f;
    }

    private static long seconds(long millis) {
        return Math.max(0, millis / 1000);
    }
}
