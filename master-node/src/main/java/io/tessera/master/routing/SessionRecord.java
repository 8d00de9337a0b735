package io.tessera.master.routing;

import io.tessera.common.protocol.ClusterSerializable;

/**
 * A session as replicated between masters: its route (media node, epoch) and the properties it was
 * created with. {@code defaultRecordingProperties} is kept as the JSON text the client sent, echoed back.
 */
public record SessionRecord(String sessionId, long createdAt, String mediaNodeId, long epoch, String priority,
                            String customSessionId, String mediaMode, String recordingMode,
                            String forcedVideoCodec, boolean allowTranscoding,
                            String defaultRecordingProperties) implements ClusterSerializable {
}
