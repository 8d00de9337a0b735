package io.tessera.master.signalling;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A socket's place in a session once joined: the session's media node (which changes when the session moves) and the
 * participant as that node knows it, to join it again where its session moves.
 */
record Participation(String sessionId, String connectionId, String mediaNodeId,
                     ActorRef<MediaNodeProtocol.Command> mediaNode, long attachment, ParticipantInfo self,
                     Sequence sequence) {

    /** Joining the new node gives a first attachment there; its answer confirms it ({@link #attachedAs}). */
    Participation movedTo(String newMediaNodeId, ActorRef<MediaNodeProtocol.Command> newMediaNode) {
        return new Participation(sessionId, connectionId, newMediaNodeId, newMediaNode,
                MediaNodeProtocol.FIRST_ATTACHMENT, self, sequence);
    }

    Participation attachedAs(long newAttachment) {
        return new Participation(sessionId, connectionId, mediaNodeId, mediaNode, newAttachment, self, sequence);
    }
}
