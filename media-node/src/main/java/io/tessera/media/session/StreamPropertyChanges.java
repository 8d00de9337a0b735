package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.ChangeStreamProperty;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.StreamPropertyChanged;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.wire.jsonrpc.StreamProperty;

import java.util.Optional;

/**
 * {@code streamPropertyChanged} in one {@link Session}, run on its actor: a publisher turned its audio or video on or
 * off, its video size changed, or it replaced a track. As openvidu-server 2.32: the stream's description is updated
 * (what REST's {@code mediaOptions}, later joiners' {@code value[]} and {@code participantPublished} show) and every
 * other participant is told; the publisher itself gets only the answer. A track change is relayed, nothing is kept.
 *
 * <p>A WebRTC stream the others do not know of yet (its PeerConnection is not up) is updated silently: they will see
 * the new values when it is announced, and openvidu-browser logs an error for an event about a stream it does not
 * know.
 */
final class StreamPropertyChanges {
    private final String sessionId;
    private final SessionMedia.Room room;

    StreamPropertyChanges(String sessionId, SessionMedia.Room room) {
        this.sessionId = sessionId;
        this.room = room;
    }

    void onChange(ChangeStreamProperty change) {
        Participant p = room.participants().get(change.connectionId());
        if (p == null) {
            change.replyTo().tell(Ack.failure(ErrorCode.NOT_JOINED, "connection " + change.connectionId()
                    + " is not in session " + sessionId));
            return;
        }
        if (p.published == null || !p.published.streamId().equals(change.streamId())) {
            change.replyTo().tell(Ack.failure(ErrorCode.NOT_FOUND, "connection " + change.connectionId()
                    + " does not publish stream " + change.streamId() + (p.published == null ? ""
                    : " (its stream is " + p.published.streamId() + ")")));
            return;
        }
        Optional<StreamProperty> property = StreamProperty.byWireName(change.property());
        if (property.isEmpty()) { // the master reads the property; only a newer master could send another
            change.replyTo().tell(Ack.failure(ErrorCode.BAD_REQUEST, "unknown stream property '"
                    + change.property() + "'"));
            return;
        }
        StreamInfo s = p.published;
        p.published = switch (property.get()) {
            case AUDIO_ACTIVE -> s.withActive(Boolean.parseBoolean(change.newValue()), s.videoActive(),
                    s.videoDimensions());
            case VIDEO_ACTIVE -> s.withActive(s.audioActive(), Boolean.parseBoolean(change.newValue()),
                    s.videoDimensions());
            case VIDEO_DIMENSIONS -> s.withActive(s.audioActive(), s.videoActive(), change.newValue());
            case AUDIO_TRACK, VIDEO_TRACK -> s;
        };
        change.replyTo().tell(Ack.success());
        if (p.live) {
            StreamPropertyChanged event = new StreamPropertyChanged(p.connectionId(), s.streamId(),
                    change.property(), change.newValue(), change.reason());
            for (Participant other : room.participants().values()) {
                if (other != p) {
                    room.deliver(other, event);
                }
            }
        }
    }
}
