package io.tessera.common.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeepMajorityTest {

    @Test
    void aLoneMemberKeepsItself() {
        // A one-master cluster with no media node: nobody to lose, never fenced.
        assertTrue(KeepMajority.keeps(List.of(true)));
        assertTrue(KeepMajority.keeps(List.of()));
    }

    @Test
    void theLargerSideSurvives() {
        // 3 masters + 2 media nodes, this master cut off from the 4 others.
        assertFalse(KeepMajority.keeps(List.of(true, false, false, false, false)));
        // ... or from 2 of them: it is still with the majority.
        assertTrue(KeepMajority.keeps(List.of(true, false, true, false, true)));
        // One master and two media nodes, the master cut off from both: the resolver would down the master.
        assertFalse(KeepMajority.keeps(List.of(true, false, false)));
    }

    @Test
    void equalHalvesAreDecidedByTheLowestAddress() {
        assertTrue(KeepMajority.keeps(List.of(true, false)));
        assertFalse(KeepMajority.keeps(List.of(false, true)));
        assertTrue(KeepMajority.keeps(List.of(true, true, false, false)));
        assertFalse(KeepMajority.keeps(List.of(false, false, true, true)));
    }
}
