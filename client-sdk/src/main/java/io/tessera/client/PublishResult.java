package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The result of {@code publishVideo}.
 *
 * @param streamId  the new stream's id ({@code str_...}), what subscribers pass to {@code receiveVideoFrom}
 * @param createdAt when the stream was created (epoch ms)
 * @param sdpAnswer the media node's SDP answer (for plain RTP: where to send RTP and RTCP)
 * @param raw       the whole result, for fields this record does not map
 */
public record PublishResult(String streamId, long createdAt, String sdpAnswer, JsonNode raw) {
}
