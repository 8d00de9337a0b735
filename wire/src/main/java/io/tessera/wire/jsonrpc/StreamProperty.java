package io.tessera.wire.jsonrpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * A stream property a publisher may change with {@code streamPropertyChanged}, as openvidu-browser 2.32.2 sends it,
 * with the shape of its value both ways. The client sends {@code newValue} as a JSON value; OpenVidu relays it to the
 * others as the <em>text</em> of that value ({@code JsonElement.toString()} in openvidu-server), and openvidu-browser
 * reads it back accordingly: {@code 'true'} for a boolean, {@code JSON.parse} once for a track's object, twice for
 * the dimensions (which the client sent as a JSON string holding an object, so they arrive as a quoted string).
 *
 * <p>Each property keeps its value here in a plain form ({@link #read}): {@code "true"}/{@code "false"}, the
 * dimensions' object text {@code {"width":640,"height":480}} (as {@code publishVideo}'s {@code videoDimensions}), or a
 * track's object text {@code {"label":".."}}. {@link #relayed} turns it into what the others receive.
 */
public enum StreamProperty {
    AUDIO_ACTIVE("audioActive"),
    VIDEO_ACTIVE("videoActive"),
    VIDEO_DIMENSIONS("videoDimensions"),
    AUDIO_TRACK("audioTrack"),
    VIDEO_TRACK("videoTrack");

    /** The reasons openvidu-browser 2.32.2 gives (its {@code StreamPropertyChangedEventReason}, client side). */
    public static final Set<String> REASONS = Set.of("publishAudio", "publishVideo", "trackReplaced", "deviceRotated",
            "screenResized");
    /** Largest width or height accepted (16K video). */
    public static final int MAX_DIMENSION = 16384;
    /** Longest track label accepted (a browser's device label is well under this). */
    public static final int MAX_LABEL_CHARS = 256;

    private final String wireName;

    StreamProperty(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<StreamProperty> byWireName(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
    }

    /**
     * The value a client sent, in its plain form; a value of the wrong shape is an {@link IllegalArgumentException}
     * whose message says what was expected (the caller refuses the request with it).
     */
    public String read(JsonNode value) {
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("'newValue' is required");
        }
        return switch (this) {
            case AUDIO_ACTIVE, VIDEO_ACTIVE -> {
                if (value.isBoolean()) {
                    yield Boolean.toString(value.booleanValue());
                }
                // openvidu-server reads it with getAsBoolean, which takes the strings too
                if (value.isTextual() && (value.asText().equals("true") || value.asText().equals("false"))) {
                    yield value.asText();
                }
                throw new IllegalArgumentException("'newValue' of '" + wireName + "' must be true or false");
            }
            case VIDEO_DIMENSIONS -> dimensions(value);
            case AUDIO_TRACK, VIDEO_TRACK -> {
                JsonNode label = value.get("label");
                if (!value.isObject() || value.size() != 1 || label == null || !label.isTextual()
                        || label.asText().length() > MAX_LABEL_CHARS) {
                    throw new IllegalArgumentException("'newValue' of '" + wireName + "' must be {\"label\": a string"
                            + " of at most " + MAX_LABEL_CHARS + " characters}");
                }
                yield JsonRpc.MAPPER.createObjectNode().put("label", label.asText()).toString();
            }
        };
    }

    /** What the other participants receive as {@code newValue} for a plain value of this property. */
    public String relayed(String plainValue) {
        return this == VIDEO_DIMENSIONS ? new TextNode(plainValue).toString() : plainValue;
    }

    /** {@code "{\"width\":W,\"height\":H}"} (a string holding the object, as openvidu-browser sends it). */
    private static String dimensions(JsonNode value) {
        String expected = "'newValue' of 'videoDimensions' must be a string holding {\"width\": W, \"height\": H}, "
                + "integers from 0 to " + MAX_DIMENSION;
        if (!value.isTextual() || value.asText().length() > 200) {
            throw new IllegalArgumentException(expected);
        }
        JsonNode object;
        try {
            object = JsonRpc.MAPPER.readTree(value.asText());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(expected);
        }
        if (object == null || !object.isObject() || object.size() != 2) {
            throw new IllegalArgumentException(expected);
        }
        JsonNode width = object.get("width");
        JsonNode height = object.get("height");
        if (!isDimension(width) || !isDimension(height)) {
            throw new IllegalArgumentException(expected);
        }
        return OpenViduRequest.PublishVideo.dimensions(width.intValue(), height.intValue());
    }

    private static boolean isDimension(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= 0
                && n.intValue() <= MAX_DIMENSION;
    }
}
