package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol.ConnectionMedia;
import io.tessera.common.protocol.MediaNodeProtocol.SessionMedia;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Subscription;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A session's participants and their media as they are now: what the masters' REST view asks a media node for. */
final class MediaDescription {
    private MediaDescription() {
    }

    /** Only streams the others may see (a WebRTC stream once its PeerConnection is up), as the signalling shows. */
    static SessionMedia of(String sessionId, Collection<Participant> participants) {
        Map<String, StreamInfo> streams = new HashMap<>(); // stream id -> stream, one pass instead of one per receiver
        Map<String, String> publishers = new HashMap<>(); // stream id -> publishing connection
        for (Participant p : participants) {
            StreamInfo visible = p.visibleStream();
            if (visible != null) {
                streams.put(visible.streamId(), visible);
                publishers.put(visible.streamId(), p.connectionId());
            }
        }
        List<ConnectionMedia> connections = new ArrayList<>(participants.size());
        for (Participant p : participants) {
            List<Subscription> receives = new ArrayList<>(p.subscriptions.size());
            for (String streamId : p.subscriptions) {
                StreamInfo stream = streams.get(streamId);
                if (stream != null) {
                    receives.add(new Subscription(streamId, publishers.get(streamId),
                            p.subscribedAt.getOrDefault(streamId, stream.createdAt())));
                }
            }
            StreamInfo visible = p.visibleStream();
            connections.add(new ConnectionMedia(p.connectionId(), visible == null ? List.of() : List.of(visible), receives));
        }
        return new SessionMedia(sessionId, true, connections);
    }
}
