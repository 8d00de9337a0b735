package io.tessera.master.routing;

import io.tessera.common.protocol.ClusterSerializable;
import io.tessera.common.protocol.MediaNodeProtocol.SessionDescriptor;

/**
 * A session as replicated between masters: its route (media node, epoch) and the properties it was
 * created with. {@code defaultRecordingProperties} is kept as the JSON text the client sent, echoed back.
 */
public record SessionRecord(String sessionId, long createdAt, String mediaNodeId, long epoch, String priority,
                            String customSessionId, String mediaMode, String recordingMode,
                            String forcedVideoCodec, boolean allowTranscoding,
                            String defaultRecordingProperties) implements ClusterSerializable {

    /** What the media node keeps of this record when it hosts the session with route epoch {@code atEpoch}. */
    public SessionDescriptor descriptor(long atEpoch) {
        return new SessionDescriptor(createdAt, atEpoch, priority, customSessionId, mediaMode, recordingMode,
                forcedVideoCodec, allowTranscoding, defaultRecordingProperties);
    }

    /** The record a media node's descriptor describes: the route to that node (rebuilding a lost routing table). */
    public static SessionRecord of(String sessionId, String mediaNodeId, SessionDescriptor d) {
        return new SessionRecord(sessionId, d.createdAt(), mediaNodeId, d.epoch(), d.priority(), d.customSessionId(),
                d.mediaMode(), d.recordingMode(), d.forcedVideoCodec(), d.allowTranscoding(),
                d.defaultRecordingProperties());
    }
}
