package io.tessera.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReconnectPolicyTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ReconnectPolicy p = ReconnectPolicy.defaults();
        assertEquals(Duration.ofMillis(100), p.initialBackoff());
        assertEquals(2.0, p.multiplier());
        assertEquals(Duration.ofSeconds(2), p.maxBackoff());
        assertEquals(Duration.ofSeconds(30), p.maxTotalTime());
        assertEquals(Duration.ofSeconds(2), p.attemptTimeout());
    }

    @Test
    void ceilingGrowsGeometricallyAndIsCapped() {
        ReconnectPolicy p = ReconnectPolicy.defaults();
        List<Long> ceilings = IntStream.rangeClosed(1, 8).mapToObj(n -> p.backoffCeiling(n).toMillis()).toList();
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 2000L, 2000L, 2000L), ceilings);
        assertEquals(Duration.ofSeconds(2), p.backoffCeiling(10_000), "no overflow on long outages");
    }

    @Test
    void fullJitterScalesTheCeiling() {
        ReconnectPolicy p = ReconnectPolicy.defaults();
        assertEquals(Duration.ZERO, p.delayBefore(3, 0.0));
        assertEquals(Duration.ofMillis(200), p.delayBefore(3, 0.5));
        assertEquals(Duration.ofMillis(400), p.delayBefore(3, 1.0));
        assertEquals(Duration.ofMillis(400), p.delayBefore(3, 7.0), "clamped to the ceiling");
    }

    @Test
    void invalidValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ReconnectPolicy.builder().multiplier(0.5).build());
        assertThrows(IllegalArgumentException.class, () -> ReconnectPolicy.builder().multiplier(Double.NaN).build());
        assertThrows(IllegalArgumentException.class,
                () -> ReconnectPolicy.builder().initialBackoff(Duration.ofSeconds(5)).build(), "above maxBackoff");
        assertThrows(IllegalArgumentException.class, () -> ReconnectPolicy.builder().maxTotalTime(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class, () -> ReconnectPolicy.defaults().backoffCeiling(0));
    }
}
