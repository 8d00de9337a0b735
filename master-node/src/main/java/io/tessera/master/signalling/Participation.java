package io.tessera.master.signalling;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A socket's place in a session once joined: the session's media node (which changes when the session moves) and the
 * participant as that node knows it, to join it again where its session moves, with the resume secret its client
 * holds ({@code resumeSecret}: the node it moves to keeps it, so the client's resume handle still works there).
 */
record Participation(String sessionId, String connectionId, String mediaNodeId,
                     ActorRef<MediaNodeProtocol.Command> mediaNode, long attachment, ParticipantInfo self,
                     Sequence sequence, String resumeSecret) {

    /** Joining the new node gives a first attachment there; its answer confirms it ({@link #attachedAs}). */
    Participation movedTo(String newMediaNodeId, ActorRef<MediaNodeProtocol.Command> newMediaNode) {
        return new Participation(sessionId, connectionId, newMediaNodeId, newMediaNode,
                MediaNodeProtocol.FIRST_ATTACHMENT, self, sequence, resumeSecret);
    }

    /** The new node's answer to the moved join: its attachment, and the secret it holds (the same one). */
    Participation attachedAs(long newAttachment, String secretThere) {
        return new Participation(sessionId, connectionId, mediaNodeId, mediaNode, newAttachment, self, sequence,
                secretThere == null ? resumeSecret : secretThere);
    }

    /** The secret stays out of logs. */
    @Override
    public String toString() {
        return "Participation[" + sessionId + ", " + connectionId + ", " + mediaNodeId + ", attachment=" + attachment
                + "]";
    }
}
