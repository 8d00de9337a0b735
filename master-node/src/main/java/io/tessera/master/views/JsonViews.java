package io.tessera.master.views;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeStatus;
import io.tessera.master.placement.HaPlan;
import io.tessera.master.placement.MediaNodeState;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.session.LiveMedia;
import io.tessera.master.session.Tokens;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The master's JSON views, written in one place with one mapper: the OpenVidu 2 shapes of sessions, connections and
 * media nodes (REST), field for field, and Tessera's own cluster view ({@code GET /cluster}). Signalling's views are
 * in {@link SignallingViews} (the JSON-RPC itself is the wire module's), webhooks' in {@code webhook.WebhookEvent}.
 */
public final class JsonViews {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonViews() {
    }

    /**
     * A session with its connections; their {@code publishers} and {@code subscribers} come from {@code media}, the
     * session's media node's answer. When there is none, {@code mediaUnavailable} says why (a Tessera extension).
     */
    public static ObjectNode session(SessionRecord s, List<ConnectionRecord> connections, Tokens tokens,
                                     LiveMedia.Answer media) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", s.sessionId());
        node.put("object", "session");
        node.put("sessionId", s.sessionId());
        node.put("createdAt", s.createdAt());
        node.put("mediaNodeId", s.mediaNodeId());
        node.put("priority", s.priority());
        node.put("customSessionId", s.customSessionId());
        node.put("mediaMode", s.mediaMode());
        node.put("recordingMode", s.recordingMode());
        node.put("forcedVideoCodec", s.forcedVideoCodec());
        node.put("forcedVideoCodecResolved", resolvedCodec(s.forcedVideoCodec()));
        node.put("allowTranscoding", s.allowTranscoding());
        if (s.defaultRecordingProperties() != null) {
            try {
                node.set("defaultRecordingProperties", MAPPER.readTree(s.defaultRecordingProperties()));
            } catch (Exception e) {
                // stored from a validated object; cannot happen
                node.set("defaultRecordingProperties", NullNode.getInstance());
            }
        }
        node.put("recording", false);
        node.put("broadcasting", false);
        putUnavailable(node, media);
        node.set("connections", page(connections, c -> connection(c, tokens, media)));
        return node;
    }

    private static String resolvedCodec(String forced) {
        return switch (forced) {
            case "VP9", "H264", "NONE" -> forced;
            default -> "VP8";
        };
    }

    /** A connection that holds no media yet (just created). */
    public static ObjectNode connection(ConnectionRecord c, Tokens tokens) {
        return connection(c, tokens, LiveMedia.Answer.none());
    }

    /** A connection with its streams as its session's media node described them ({@code media}). */
    public static ObjectNode connection(ConnectionRecord c, Tokens tokens, LiveMedia.Answer media) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", c.connectionId());
        node.put("object", "connection");
        node.put("type", "WEBRTC");
        node.put("status", c.status());
        node.put("sessionId", c.sessionId());
        node.put("connectionId", c.connectionId());
        node.put("createdAt", c.createdAt());
        if (c.activeAt() == null) {
            node.putNull("activeAt");
        } else {
            node.put("activeAt", c.activeAt());
        }
        node.putNull("location");
        putNullable(node, "ip", c.ip());
        putNullable(node, "platform", c.platform());
        node.put("token", tokens.url(c.sessionId(), c.token()));
        node.put("serverData", c.serverData());
        putNullable(node, "clientData", c.clientData());
        node.put("record", c.record());
        node.put("role", c.role());
        node.putNull("kurentoOptions");
        node.putNull("rtspUri");
        node.putNull("adaptativeBitrate");
        node.putNull("onlyPlayWithSubscribers");
        node.putNull("networkCache");
        node.putArray("customIceServers");
        ArrayNode publishers = node.putArray("publishers");
        ArrayNode subscribers = node.putArray("subscribers");
        media.of(c.connectionId()).ifPresent(m -> {
            m.published().forEach(stream -> publishers.add(publisher(stream)));
            m.subscriptions().forEach(sub -> subscribers.add(MAPPER.createObjectNode()
                    .put("createdAt", sub.createdAt())
                    .put("streamId", sub.streamId())
                    .put("publisher", sub.publisherConnectionId())));
        });
        putUnavailable(node, media);
        return node;
    }

    /** OpenVidu's publisher object: the stream and its {@code mediaOptions}. */
    private static ObjectNode publisher(StreamInfo stream) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("createdAt", stream.createdAt());
        node.put("streamId", stream.streamId());
        ObjectNode options = node.putObject("mediaOptions");
        options.put("hasAudio", stream.hasAudio());
        options.put("audioActive", stream.audioActive());
        options.put("hasVideo", stream.hasVideo());
        options.put("videoActive", stream.videoActive());
        putNullable(options, "typeOfVideo", stream.typeOfVideo());
        options.put("frameRate", stream.frameRate());
        putNullable(options, "videoDimensions", stream.videoDimensions());
        options.putObject("filter");
        return node;
    }

    private static void putUnavailable(ObjectNode node, LiveMedia.Answer media) {
        if (!media.known()) {
            node.put("mediaUnavailable", media.unavailable());
        }
    }

    public static ObjectNode mediaNode(MediaNodeState n) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", n.id());
        node.put("object", "mediaNode");
        node.putNull("environmentId");
        node.put("ip", n.report().publicAddress());
        node.put("uri", n.report().manager().path().address().toString());
        node.put("connected", n.reachable());
        node.put("connectionTime", n.firstSeenMillis());
        node.putNull("disconnectionTime");
        node.put("load", Math.round(n.report().cpu() * 10000) / 100.0);
        node.put("status", n.report().status());
        putDrainDeadline(node, n);
        node.put("reachable", n.reachable());
        node.put("lastReportAgeMs", Math.max(0, System.currentTimeMillis() - n.receivedAtMillis()));
        ObjectNode load = node.putObject("tesseraLoad");
        load.put("sessions", n.report().sessions());
        load.put("participants", n.report().participants());
        load.put("streams", n.report().streams());
        load.put("subscriptions", n.report().subscriptions());
        load.put("mediaPorts", n.report().mediaPorts());
        load.put("cpu", n.report().cpu());
        return node;
    }

    /** While draining: the deadline the node was given, as every master knows it from the node's load reports. */
    private static void putDrainDeadline(ObjectNode node, MediaNodeState n) {
        if (MediaNodeStatus.DRAINING.wireName().equals(n.report().status()) && n.report().drainDeadlineMillis() > 0) {
            node.put("drainDeadline", Instant.ofEpochMilli(n.report().drainDeadlineMillis()).toString());
        }
    }

    public static <T> ObjectNode page(Collection<T> items, Function<T, JsonNode> view) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("numberOfElements", items.size());
        ArrayNode content = node.putArray("content");
        items.forEach(item -> content.add(view.apply(item)));
        return node;
    }

    private static void putNullable(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    /** A media node as {@code GET /cluster} shows it: where it is, what it hosts and how full it is. */
    public static ObjectNode clusterMediaNode(MediaNodeState n, long nowMillis) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", n.id());
        node.put("status", n.report().status());
        putDrainDeadline(node, n);
        node.put("reachable", n.reachable());
        node.put("address", n.report().manager().path().address().toString());
        node.put("publicAddress", n.report().publicAddress());
        ObjectNode load = node.putObject("load");
        load.put("sessions", n.report().sessions());
        load.put("participants", n.report().participants());
        load.put("streams", n.report().streams());
        load.put("subscriptions", n.report().subscriptions());
        load.put("mediaPorts", n.report().mediaPorts());
        load.put("capacity", n.report().capacity());
        load.put("cpu", Math.round(n.report().cpu() * 1000) / 1000.0);
        node.put("lastReportAgeMs", Math.max(0, nowMillis - n.receivedAtMillis()));
        return node;
    }

    /** The HA plan as {@code GET /cluster} shows it. */
    public static ObjectNode haPlan(HaPlan.Plan plan) {
        return MAPPER.createObjectNode()
                .put("mediaNodes", plan.mediaNodes())
                .put("maxFailuresToTolerate", plan.maxFailuresToTolerate())
                .put("failuresToTolerate", plan.failuresToTolerate())
                .put("overcommitted", plan.overcommitted())
                .put("protectedSessions", plan.protectedSessions())
                .put("freeCapacity", plan.freeCapacity());
    }
}
