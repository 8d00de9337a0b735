package io.tessera.master.views;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.master.medianode.SessionStreams;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.SessionRecord;

import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The master's one mapper and the OpenVidu 2 objects it writes from the routing table's records: sessions and
 * connections as REST shows them, field for field. Signalling's views of the same objects are in
 * {@link SignallingViews} (the JSON-RPC itself is the wire module's); webhook events are written with this mapper by
 * {@code webhook.WebhookEvent}. Views that read the media nodes' state (REST's {@code mediaNode},
 * {@code GET /cluster}) are in {@code cluster}, above placement: this package depends only on the records (and
 * {@code medianode.SessionStreams}, a record of what a media node said), so that webhooks (below placement) can use
 * it without a package cycle.
 */
public final class JsonViews {
    /** The master's one JSON mapper: REST, the console, the cluster view and webhooks write with it. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** How a connection's token is handed out: the token URL of the master's public address. */
    @FunctionalInterface
    public interface TokenUrl {
        String of(String sessionId, String token);
    }

    private JsonViews() {
    }

    /**
     * A session with its connections; their {@code publishers} and {@code subscribers} come from {@code streams}, the
     * session's media node's answer. When there is none, {@code mediaUnavailable} says why (a Tessera extension).
     */
    public static ObjectNode session(SessionRecord s, List<ConnectionRecord> connections, TokenUrl tokenUrl,
                                     SessionStreams streams) {
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
        putUnavailable(node, streams);
        node.set("connections", page(connections, c -> connection(c, tokenUrl, streams)));
        return node;
    }

    private static String resolvedCodec(String forced) {
        return switch (forced) {
            case "VP9", "H264", "NONE" -> forced;
            default -> "VP8";
        };
    }

    /** A connection that holds no media yet (just created). */
    public static ObjectNode connection(ConnectionRecord c, TokenUrl tokenUrl) {
        return connection(c, tokenUrl, SessionStreams.none());
    }

    /** A connection with its streams as its session's media node described them ({@code streams}). */
    public static ObjectNode connection(ConnectionRecord c, TokenUrl tokenUrl, SessionStreams streams) {
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
        node.put("token", tokenUrl.of(c.sessionId(), c.token()));
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
        streams.of(c.connectionId()).ifPresent(m -> {
            m.published().forEach(stream -> publishers.add(publisher(stream)));
            m.subscriptions().forEach(sub -> subscribers.add(MAPPER.createObjectNode()
                    .put("createdAt", sub.createdAt())
                    .put("streamId", sub.streamId())
                    .put("publisher", sub.publisherConnectionId())));
        });
        putUnavailable(node, streams);
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

    private static void putUnavailable(ObjectNode node, SessionStreams streams) {
        if (!streams.known()) {
            node.put("mediaUnavailable", streams.unavailable());
        }
    }

    /** The token object of OpenVidu's legacy {@code POST /api/tokens}: a connection seen as its token. */
    public static ObjectNode legacyToken(ConnectionRecord c, TokenUrl tokenUrl) {
        ObjectNode node = MAPPER.createObjectNode();
        String token = tokenUrl.of(c.sessionId(), c.token());
        node.put("id", token);
        node.put("token", token);
        node.put("connectionId", c.connectionId());
        node.put("createdAt", c.createdAt());
        node.put("session", c.sessionId());
        node.put("role", c.role());
        node.put("data", c.serverData());
        node.put("record", c.record());
        node.putNull("kurentoOptions");
        return node;
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
}
