package io.tessera.loadtest.harness.measure;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryStagesTest {

    @Test
    void stepsBeforeAnyFailureAreNotNotedAndOnlyTheFirstOfEachCounts() {
        RecoveryStages stages = new RecoveryStages(new RunClock());
        stages.note("s-p1", RecoveryStages.Step.RESUBSCRIBED); // the first subscription, before the failure
        stages.note("s-p1", RecoveryStages.Step.FAILED);
        stages.note("s-p1", RecoveryStages.Step.FAILED);
        String summary = stages.summary(0, List.of(), 1_000, 5_000);
        assertTrue(summary.contains("failed                                   n=1 "), summary);
        assertTrue(summary.contains("resubscribed                             n=0"), summary);
    }

    @Test
    void aGapIsMatchedToItsSubscribersFailure() {
        RecoveryStages stages = new RecoveryStages(new RunClock());
        stages.note("s-p1", RecoveryStages.Step.FAILED, 5_000);
        List<MediaWatch.Gap> gaps = List.of(new MediaWatch.Gap("s-p1<0", 100, 5_700),
                new MediaWatch.Gap("other<0", 9_000, 9_500)); // out of the fault's window
        String summary = stages.summary(0, gaps, 1_000, 5_000);
        assertTrue(summary.contains("first packet again                       n=1  5.70 / 5.70 / 5.70"), summary);
        assertTrue(summary.contains("failed -> first packet again (subscriber) n=1  0.70 / 0.70 / 0.70"), summary);
    }

    @Test
    void nearestRankPercentiles() {
        List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertEquals(5, RecoveryStages.rank(sorted, 0.50));
        assertEquals(10, RecoveryStages.rank(sorted, 0.99));
        assertEquals(1, RecoveryStages.rank(List.of(1L), 0.99));
    }
}
