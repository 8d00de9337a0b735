package io.tessera.common.cluster;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The downer's pause rule: a stable timer that fires late by more than the limit ended while the JVM was paused, and
 * is not a stable period. Frozen and thawed masters in a cluster are AllMastersLostTest's (cluster-it).
 */
class MasterQuorumDownerTest {
    private static final long DUE = 5_000_000_000L;

    @Test
    void aTimerOnTimeOrSlightlyLateIsAStablePeriod() {
        assertFalse(MasterQuorumDowner.pausedMeanwhile(DUE, DUE));
        assertFalse(MasterQuorumDowner.pausedMeanwhile(DUE, DUE + 300_000_000L), "300 ms late: a busy dispatcher");
        assertFalse(MasterQuorumDowner.pausedMeanwhile(DUE, DUE + MasterQuorumDowner.PAUSE_LIMIT.toNanos()));
    }

    @Test
    void aTimerFiringSecondsLateEndedDuringAPause() {
        assertTrue(MasterQuorumDowner.pausedMeanwhile(DUE, DUE + MasterQuorumDowner.PAUSE_LIMIT.toNanos() + 1));
        assertTrue(MasterQuorumDowner.pausedMeanwhile(DUE, DUE + 5_000_000_000L), "a 5 s freeze");
    }
}
