package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The result of {@code joinRoom}.
 *
 * @param connectionId our connection id ({@code con_...})
 * @param sessionId    the session joined
 * @param mediaNodeId  the media node hosting the session
 * @param role         PUBLISHER, SUBSCRIBER or MODERATOR
 * @param participants the participants already in the session
 * @param seq          the event sequence number at join time; the next event carries {@code seq + 1}
 * @param raw          the whole result, for fields this record does not map
 */
public record JoinResult(String connectionId, String sessionId, String mediaNodeId, String role,
                         List<RemoteParticipant> participants, long seq, JsonNode raw) {

    public JoinResult {
        participants = List.copyOf(participants);
    }
}
