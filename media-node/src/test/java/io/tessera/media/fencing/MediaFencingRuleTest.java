package io.tessera.media.fencing;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a media node takes itself for cut off, from what its own failure detector hears. */
class MediaFencingRuleTest {

    @Test
    void hearingTheMastersMajorityIsNeverIsolatedWhateverTheMediaNodes() {
        assertFalse(MediaFencingRule.isolated(List.of(true, true, true), 1, 0));
        assertFalse(MediaFencingRule.isolated(List.of(true, false, true), 1, 0));
        assertFalse(MediaFencingRule.isolated(List.of(true, false), 2, 0), "half, with the lowest address, is kept");
    }

    @Test
    void hearingNeitherTheMastersMajorityNorAnyOtherMediaNodeIsIsolated() {
        assertTrue(MediaFencingRule.isolated(List.of(false, false, false), 1, 0), "cut off from everyone");
        assertTrue(MediaFencingRule.isolated(List.of(false, false, true), 2, 0), "with a minority master only");
        assertTrue(MediaFencingRule.isolated(List.of(false, true), 1, 0), "half, without the lowest address");
    }

    @Test
    void mediaNodesThatStillHearEachOtherWaitForTheMastersInsteadOfStopping() {
        // Every master lost at once (issue 16): media goes on until masters come back.
        assertFalse(MediaFencingRule.isolated(List.of(false, false, false), 1, 1));
        assertFalse(MediaFencingRule.isolated(List.of(false, false, false), 3, 1));
    }

    @Test
    void theOnlyMediaNodeIsNeverIsolatedSinceItsSessionsCannotGoElsewhere() {
        assertFalse(MediaFencingRule.isolated(List.of(false, false, false), 0, 0));
    }

    @Test
    void aNodeThatCountsNoMasterIsNotIsolated() {
        assertFalse(MediaFencingRule.isolated(List.of(), 1, 0));
    }
}
