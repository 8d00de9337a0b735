package io.tessera.master.signalling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RequestRateTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstPassesThenTheRateHolds() {
        RequestRate rate = new RequestRate(10, 20, 0);
        int passed = 0;
        for (int i = 0; i < 100; i++) {
            passed += rate.tryAcquire(0) ? 1 : 0;
        }
        assertEquals(20, passed, "the burst");
        assertFalse(rate.tryAcquire(SECOND / 20), "half a token after 50 ms");
        assertTrue(rate.tryAcquire(SECOND / 10), "one token after 100 ms");
        int inTwoSeconds = 0;
        for (long t = SECOND / 10; t <= 2 * SECOND + SECOND / 10 + SECOND / 20; t += SECOND / 1000) {
            inTwoSeconds += rate.tryAcquire(t) ? 1 : 0;
        }
        assertEquals(20, inTwoSeconds, "10 a second when flooded every millisecond");
    }

    @Test
    void idleTimeRefillsNoMoreThanTheBurst() {
        RequestRate rate = new RequestRate(10, 5, 0);
        int passed = 0;
        for (int i = 0; i < 100; i++) {
            passed += rate.tryAcquire(3600 * SECOND) ? 1 : 0;
        }
        assertEquals(5, passed);
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RequestRate(0, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> new RequestRate(5, 0, 0));
    }
}
