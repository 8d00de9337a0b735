package io.tessera.master.views;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.PeerInfo;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.wire.jsonrpc.OpenViduEvent;
import io.tessera.wire.jsonrpc.ParticipantView;
import io.tessera.wire.jsonrpc.StreamProperty;
import io.tessera.wire.jsonrpc.StreamView;

import java.util.List;

/**
 * The media node's view of participants, streams and events, as the OpenVidu JSON-RPC shows them to a client (the
 * JSON itself is written by the wire module's records).
 */
public final class SignallingViews {

    private SignallingViews() {
    }

    /** A participant without streams, as {@code participantJoined} announces it. */
    public static ParticipantView participant(ParticipantInfo p) {
        return new ParticipantView(p.connectionId(), p.createdAt(), p.metadata(), List.of());
    }

    /** A participant already in the session with what it publishes, as a joiner sees it. */
    public static ParticipantView peer(PeerInfo peer) {
        ParticipantInfo p = peer.participant();
        return new ParticipantView(p.connectionId(), p.createdAt(), p.metadata(),
                peer.streams().stream().map(SignallingViews::stream).toList());
    }

    public static StreamView stream(StreamInfo s) {
        return new StreamView(s.streamId(), s.createdAt(), s.hasAudio(), s.hasVideo(), s.audioActive(), s.videoActive(),
                s.typeOfVideo(), s.frameRate(), s.videoDimensions());
    }

    /** The notification for a session event of session {@code sessionId}. */
    public static OpenViduEvent event(String sessionId, MediaNodeProtocol.Event event) {
        if (event instanceof MediaNodeProtocol.ParticipantJoined joined) {
            return new OpenViduEvent.ParticipantJoined(participant(joined.participant()));
        } else if (event instanceof MediaNodeProtocol.ParticipantLeft left) {
            return new OpenViduEvent.ParticipantLeft(left.connectionId(), left.reason());
        } else if (event instanceof MediaNodeProtocol.ParticipantEvicted evicted) {
            return new OpenViduEvent.ParticipantEvicted(evicted.connectionId(), evicted.reason());
        } else if (event instanceof MediaNodeProtocol.ParticipantPublished published) {
            return new OpenViduEvent.ParticipantPublished(published.connectionId(), stream(published.stream()));
        } else if (event instanceof MediaNodeProtocol.ParticipantUnpublished unpublished) {
            return new OpenViduEvent.ParticipantUnpublished(unpublished.connectionId(), unpublished.streamId(),
                    unpublished.reason());
        } else if (event instanceof MediaNodeProtocol.StreamPropertyChanged changed) {
            StreamProperty property = StreamProperty.byWireName(changed.property()).orElseThrow(() ->
                    new IllegalArgumentException("unknown stream property " + changed.property()));
            return new OpenViduEvent.StreamPropertyChanged(changed.connectionId(), changed.streamId(), property,
                    changed.newValue(), changed.reason());
        } else if (event instanceof MediaNodeProtocol.MediaNodeFailed failed) {
            // A resume needs the new node's secret from now on.
            return new OpenViduEvent.MediaNodeFailed(sessionId, failed.failedMediaNodeId(), failed.mediaNodeId(),
                    failed.reason(), failed.resumeSecret());
        } else if (event instanceof MediaNodeProtocol.ForciblyReconnectSubscriber reconnect) {
            return new OpenViduEvent.ForciblyReconnectSubscriber(reconnect.connectionId(), reconnect.streamId(),
                    reconnect.sdpOffer());
        } else if (event instanceof MediaNodeProtocol.MessageReceived message) {
            return new OpenViduEvent.MessageReceived(message.from(), message.type(), message.data());
        }
        throw new IllegalArgumentException("no notification for " + event.getClass().getSimpleName());
    }
}
