package io.tessera.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.client.EventSequence.Verdict;
import org.junit.jupiter.api.Test;

class EventSequenceTest {

    @Test
    void duplicatesAreDroppedAndGapsCountedButDelivered() {
        EventSequence s = new EventSequence();
        s.restartAt(2);
        assertEquals(Verdict.DUPLICATE, s.offer(2));
        assertEquals(Verdict.DELIVER, s.offer(3));
        assertEquals(Verdict.DUPLICATE, s.offer(1));
        assertEquals(Verdict.DELIVER, s.offer(6));
        assertEquals(Verdict.DUPLICATE, s.offer(5), "behind the jump");
        assertEquals(Verdict.DELIVER, s.offer(-1), "events without seq always pass");
        assertEquals(6, s.last());
        assertEquals(1, s.gaps());
        assertEquals(3, s.duplicates());
    }

    @Test
    void aNewJoinRestartsTheSequence() {
        EventSequence s = new EventSequence();
        s.offer(1);
        s.offer(2);
        s.restartAt(0); // left and joined again on the same socket: a new participant counts from 1
        assertEquals(EventSequence.Verdict.DELIVER, s.offer(1));
        assertEquals(1, s.last());
    }
}
