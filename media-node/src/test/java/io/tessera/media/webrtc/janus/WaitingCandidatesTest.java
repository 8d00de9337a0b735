package io.tessera.media.webrtc.janus;

import io.tessera.media.engine.MediaException;
import io.tessera.media.webrtc.janus.VideoRoomHandle.Candidate;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WaitingCandidatesTest {
    private static Candidate candidate(int n) {
        return new Candidate("candidate:" + n + " 1 udp 2122260223 127.0.0.1 " + (40000 + n) + " typ host", "0", 0);
    }

    @Test
    void keepsCandidatesInOrderWithTheEndAndHandsThemOverOnce() throws MediaException {
        WaitingCandidates waiting = new WaitingCandidates();
        String key = JanusEndpoint.key("room", "pub", "sub");
        waiting.add(key, candidate(1));
        waiting.add(key, candidate(2));
        waiting.add(key, null);
        assertEquals(3, waiting.count());
        assertEquals(Arrays.asList(candidate(1), candidate(2), null), waiting.take(key));
        assertNull(waiting.take(key));
        assertEquals(0, waiting.count());
    }

    @Test
    void refusesPastTheBoundPerEndpointAndKeepsWhatItHad() throws MediaException {
        WaitingCandidates waiting = new WaitingCandidates();
        String key = JanusEndpoint.key("room", "pub", null);
        for (int i = 0; i < WaitingCandidates.MAX_PER_ENDPOINT; i++) {
            waiting.add(key, candidate(i));
        }
        MediaException refused = assertThrows(MediaException.class, () -> waiting.add(key, candidate(-1)));
        assertEquals(MediaException.Kind.NO_CAPACITY, refused.kind());
        assertEquals(WaitingCandidates.MAX_PER_ENDPOINT, waiting.take(key).size());
    }

    @Test
    void refusesANewEndpointPastTheBoundButStillTakesCandidatesForOnesItKeeps() throws MediaException {
        WaitingCandidates waiting = new WaitingCandidates();
        for (int i = 0; i < WaitingCandidates.MAX_ENDPOINTS; i++) {
            waiting.add(JanusEndpoint.key("room", "pub" + i, null), candidate(i));
        }
        MediaException refused = assertThrows(MediaException.class,
                () -> waiting.add(JanusEndpoint.key("room", "one-more", null), candidate(0)));
        assertTrue(refused.getMessage().contains(String.valueOf(WaitingCandidates.MAX_ENDPOINTS)), refused.getMessage());
        waiting.add(JanusEndpoint.key("room", "pub0", null), candidate(1));
        assertEquals(WaitingCandidates.MAX_ENDPOINTS + 1, waiting.count());
    }

    @Test
    void dropsAPublishersEndpointsAndItsSubscriptionsOrAWholeRoom() throws MediaException {
        WaitingCandidates waiting = new WaitingCandidates();
        waiting.add(JanusEndpoint.key("room", "pub", null), candidate(1));
        waiting.add(JanusEndpoint.key("room", "pub", "sub"), candidate(2));
        waiting.add(JanusEndpoint.key("room", "pub2", null), candidate(3));
        waiting.add(JanusEndpoint.key("room2", "pub", null), candidate(4));
        waiting.dropAll(JanusEndpoint.publisherPrefix("room", "pub"));
        assertNull(waiting.take(JanusEndpoint.key("room", "pub", "sub")));
        assertEquals(List.of(candidate(3)), waiting.take(JanusEndpoint.key("room", "pub2", null)));
        waiting.dropAll(JanusEndpoint.roomPrefix("room2"));
        assertEquals(0, waiting.count());
    }
}
