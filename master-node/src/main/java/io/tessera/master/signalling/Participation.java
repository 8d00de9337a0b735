package io.tessera.master.signalling;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A socket's place in a session once joined: the session's media node (which changes when the session moves) and the
 * participant as that node knows it, to join it again where its session moves.
 */
record Participation(String sessionId, String connectionId, String mediaNodeId,
                     ActorRef<MediaNodeProtocol.Command> mediaNode, ParticipantInfo self, Sequence sequence) {

    Participation movedTo(String newMediaNodeId, ActorRef<MediaNodeProtocol.Command> newMediaNode) {
        return new Participation(sessionId, connectionId, newMediaNodeId, newMediaNode, self, sequence);
    }
}
