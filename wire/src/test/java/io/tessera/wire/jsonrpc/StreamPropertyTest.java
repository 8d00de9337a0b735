package io.tessera.wire.jsonrpc;

import io.tessera.wire.jsonrpc.OpenViduRequest.StreamPropertyChanged;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code streamPropertyChanged} both ways, byte for byte as openvidu-browser 2.32.2 sends it and as openvidu-server
 * 2.32 relays it ({@code SessionEventsHandler.onStreamPropertyChanged}: {@code newValue.toString()} of the client's
 * JSON value), so that the browser's {@code onStreamPropertyChanged} reads it back ({@code === 'true'}, one
 * {@code JSON.parse} for a track, two for the dimensions).
 */
class StreamPropertyTest {

    private static StreamPropertyChanged read(String params) throws JsonRpc.Invalid {
        return (StreamPropertyChanged) OpenViduRequest.read(JsonRpc.parse(
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"streamPropertyChanged\",\"params\":" + params + "}"));
    }

    @Test
    void whatOpenViduBrowserSendsIsReadAndRelayedAsOpenViduRelaysIt() throws Exception {
        // Publisher.publishAudio(false)
        StreamPropertyChanged audio = read("{\"streamId\":\"str_CAM_AbCd_con_a\",\"property\":\"audioActive\","
                + "\"newValue\":false,\"reason\":\"publishAudio\"}");
        assertEquals(new StreamPropertyChanged("str_CAM_AbCd_con_a", StreamProperty.AUDIO_ACTIVE, "false",
                "publishAudio"), audio);
        assertEquals("{\"connectionId\":\"con_a\",\"streamId\":\"str_CAM_AbCd_con_a\",\"property\":\"audioActive\","
                + "\"newValue\":\"false\",\"reason\":\"publishAudio\"}", relayed(audio));

        // OpenVidu.sendVideoDimensionsChangedEvent: newValue is JSON.stringify({width, height})
        StreamPropertyChanged size = read("{\"streamId\":\"s\",\"property\":\"videoDimensions\","
                + "\"newValue\":\"{\\\"width\\\":1280,\\\"height\\\":720}\",\"reason\":\"trackReplaced\"}");
        assertEquals("{\"width\":1280,\"height\":720}", size.newValue(), "kept as publishVideo's videoDimensions");
        assertEquals("{\"connectionId\":\"con_a\",\"streamId\":\"s\",\"property\":\"videoDimensions\","
                + "\"newValue\":\"\\\"{\\\\\\\"width\\\\\\\":1280,\\\\\\\"height\\\\\\\":720}\\\"\","
                + "\"reason\":\"trackReplaced\"}", relayed(size), "a JSON string inside the string: parsed twice");
        String newValue = JsonRpc.MAPPER.readTree(relayed(size)).path("newValue").asText();
        assertEquals(1280, JsonRpc.MAPPER.readTree(JsonRpc.MAPPER.readTree(newValue).asText()).path("width").asInt());

        // OpenVidu.sendTrackChangedEvent: newValue is {label}
        StreamPropertyChanged track = read("{\"streamId\":\"s\",\"property\":\"videoTrack\","
                + "\"newValue\":{\"label\":\"fake_device_0\"},\"reason\":\"trackReplaced\"}");
        assertEquals("{\"connectionId\":\"con_a\",\"streamId\":\"s\",\"property\":\"videoTrack\","
                + "\"newValue\":\"{\\\"label\\\":\\\"fake_device_0\\\"}\",\"reason\":\"trackReplaced\"}", relayed(track));
    }

    @Test
    void whatAClientWritesTheMasterReadsBack() throws Exception {
        for (StreamPropertyChanged change : new StreamPropertyChanged[] {
                new StreamPropertyChanged("s", StreamProperty.VIDEO_ACTIVE, "true", "publishVideo"),
                new StreamPropertyChanged("s", StreamProperty.VIDEO_DIMENSIONS, dimensions(480, 640), "deviceRotated"),
                new StreamPropertyChanged("s", StreamProperty.AUDIO_TRACK, "{\"label\":\"mic\"}", "trackReplaced")}) {
            assertEquals(change, OpenViduRequest.read(JsonRpc.parse(JsonRpc.request(4, change))), change.toString());
        }
        assertEquals("{\"streamId\":\"s\",\"property\":\"videoActive\",\"newValue\":true,\"reason\":\"publishVideo\"}",
                new StreamPropertyChanged("s", StreamProperty.VIDEO_ACTIVE, "true", "publishVideo").params().toString(),
                "a boolean on the way in, as openvidu-browser sends it");
    }

    @Test
    void valuesOfTheWrongShapeUnknownPropertiesAndReasonsAreRefusedNamingTheField() {
        assertRefused("{\"streamId\":\"s\",\"property\":\"filter\",\"newValue\":{},\"reason\":\"applyFilter\"}",
                "invalid params: 'property' must be one of audioActive, videoActive, videoDimensions, audioTrack, "
                        + "videoTrack");
        assertRefused("{\"streamId\":\"s\",\"property\":\"audioActive\",\"newValue\":1,\"reason\":\"publishAudio\"}",
                "invalid params: 'newValue' of 'audioActive' must be true or false");
        assertRefused("{\"streamId\":\"s\",\"property\":\"audioActive\",\"reason\":\"publishAudio\"}",
                "invalid params: 'newValue' is required");
        assertRefused("{\"streamId\":\"s\",\"property\":\"audioActive\",\"newValue\":true,\"reason\":\"because\"}",
                "invalid params: 'reason' must be one of [deviceRotated, publishAudio, publishVideo, screenResized, "
                        + "trackReplaced]");
        assertRefused("{\"property\":\"audioActive\",\"newValue\":true,\"reason\":\"publishAudio\"}",
                "invalid params: 'streamId' is required");
        String dimensions = "invalid params: 'newValue' of 'videoDimensions' must be a string holding {\"width\": W, "
                + "\"height\": H}, integers from 0 to 16384";
        for (String bad : new String[] {"{\"width\":640,\"height\":480}", "\"{\\\"width\\\":640}\"",
                "\"{\\\"width\\\":99999,\\\"height\\\":1}\"", "\"{\\\"width\\\":1.5,\\\"height\\\":1}\"", "\"{\"",
                "\"[1,2]\"", "\"" + "x".repeat(201) + "\""}) {
            assertRefused("{\"streamId\":\"s\",\"property\":\"videoDimensions\",\"newValue\":" + bad
                    + ",\"reason\":\"screenResized\"}", dimensions);
        }
        assertRefused("{\"streamId\":\"s\",\"property\":\"videoTrack\",\"newValue\":{\"label\":\"" + "x".repeat(257)
                        + "\"},\"reason\":\"trackReplaced\"}",
                "invalid params: 'newValue' of 'videoTrack' must be {\"label\": a string of at most 256 characters}");
    }

    @Test
    void itNeedsASession() {
        assertEquals(OpenViduRequest.Precondition.IN_SESSION, OpenViduRequest.precondition("streamPropertyChanged"));
    }

    private static String dimensions(int width, int height) {
        return OpenViduRequest.PublishVideo.dimensions(width, height);
    }

    private static String relayed(StreamPropertyChanged change) {
        return new OpenViduEvent.StreamPropertyChanged("con_a", change.streamId(), change.property(),
                change.newValue(), change.reason()).params().toString();
    }

    private static void assertRefused(String params, String message) {
        JsonRpc.Invalid refused = assertThrows(JsonRpc.Invalid.class, () -> read(params), params);
        assertEquals(ErrorCode.INVALID_PARAMS, refused.errorCode(), params);
        assertEquals(message, refused.getMessage(), params);
    }
}
