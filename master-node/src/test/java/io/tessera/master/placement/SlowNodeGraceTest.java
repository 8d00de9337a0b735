package io.tessera.master.placement;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlowNodeGraceTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void holdsOffFromTheFirstAnswerUntilTheGraceIsOver() {
        SlowNodeGrace<String> grace = new SlowNodeGrace<>(Duration.ofSeconds(5));
        assertTrue(grace.holdsOff("media-2", 100 * SECOND));
        assertTrue(grace.holdsOff("media-2", 104 * SECOND)); // counted from the first answer, not the last
        assertFalse(grace.holdsOff("media-2", 105 * SECOND));
        assertTrue(grace.holdsOff("media-1", 105 * SECOND), "each incarnation has its own");
    }

    @Test
    void aNodeFoundReachableAgainGetsAFreshGraceNextTime() {
        SlowNodeGrace<String> grace = new SlowNodeGrace<>(Duration.ofSeconds(5));
        assertTrue(grace.holdsOff("media-2", 0));
        grace.forget("media-2");
        assertTrue(grace.holdsOff("media-2", 10 * SECOND));
        assertTrue(grace.holdsOff("media-2", 14 * SECOND));
    }

    @Test
    void zeroTurnsItOff() {
        assertFalse(new SlowNodeGrace<String>(Duration.ZERO).holdsOff("media-2", 0));
    }

    @Test
    void staysBounded() {
        SlowNodeGrace<Integer> grace = new SlowNodeGrace<>(Duration.ofSeconds(5));
        for (int i = 0; i < SlowNodeGrace.MAX_TRACKED + 10; i++) {
            grace.holdsOff(i, 0);
        }
        // the table was emptied once it was full: node 0 starts a new grace rather than the table growing without end
        assertTrue(grace.holdsOff(0, 6 * SECOND));
    }
}
