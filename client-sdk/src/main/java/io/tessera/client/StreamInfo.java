package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A published stream as listed in {@code joinRoom}'s {@code value[].streams} and in {@code participantPublished}.
 *
 * @param streamId    the stream id ({@code str_...}), the {@code sender} of {@code receiveVideoFrom}
 * @param createdAt   when the stream was published (epoch ms)
 * @param hasAudio    whether the stream carries audio
 * @param hasVideo    whether the stream carries video
 * @param typeOfVideo CAMERA, SCREEN, CUSTOM or IPCAM; null when absent
 * @param raw         the whole stream object, for fields this record does not map
 */
public record StreamInfo(String streamId, long createdAt, boolean hasAudio, boolean hasVideo, String typeOfVideo,
                         JsonNode raw) {

    /** Maps a JSON array of stream objects; anything that is not an array gives an empty list. */
    public static List<StreamInfo> listOf(JsonNode streams) {
        if (streams == null || !streams.isArray()) {
            return List.of();
        }
        List<StreamInfo> result = new ArrayList<>(streams.size());
        for (JsonNode s : streams) {
            result.add(of(s));
        }
        return List.copyOf(result);
    }

    /** Maps one stream object. */
    public static StreamInfo of(JsonNode s) {
        return new StreamInfo(s.path("id").asText(null), s.path("createdAt").asLong(0),
                s.path("hasAudio").asBoolean(false), s.path("hasVideo").asBoolean(false),
                s.path("typeOfVideo").asText(null), s);
    }
}
