package io.tessera.common.cluster;

import org.apache.pekko.remote.FailureDetector;
import org.apache.pekko.remote.PhiAccrualFailureDetector;
import org.junit.jupiter.api.Test;
import scala.concurrent.duration.FiniteDuration;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the self-fencing times rest on (docs/ARCHITECTURE.md "Fencing and partitions"): Pekko's phi accrual failure
 * detector, with the cluster's settings (tessera-node.conf: heartbeat 500 ms, acceptable pause 2 s, threshold 8; Pekko's
 * min std deviation 100 ms and 1000 samples), driven by a fake clock. It learns from the gaps it saw while it still
 * judged the peer available: a flapping link (cuts shorter than its give-up time) teaches it long gaps, and it then
 * gives up on a silent peer much later; a long cut (it gave up) teaches it nothing. This is why master-3 fenced itself
 * 10.6-10.9 s after UnstableLinkTest's one-way cut (which follows 30 s of flapping) against ~5 s on a fresh cluster.
 */
class FailureDetectorHistoryTest {
    private long now;

    @Test
    void aCleanHistoryGivesUpAboutThreeSecondsAfterTheLastHeartbeat() {
        long giveUp = silenceUntilGivenUp(history(120, 0, 0));
        assertTrue(giveUp >= 2_800 && giveUp <= 3_300, "gave up after " + giveUp + " ms");
    }

    @Test
    void aLongCutItGaveUpOnTeachesItNothing() {
        assertTrue(silenceUntilGivenUp(history(120, 1, 5_500)) <= 3_300);
    }

    @Test
    void gapsShorterThanItsPatienceMakeItGiveUpMuchLater() {
        long afterFlapping = silenceUntilGivenUp(history(40, 8, 2_500)); // 20 s up, then a link cut 2 s in 4 s
        assertTrue(afterFlapping >= 5_000, "gave up after " + afterFlapping + " ms");
        long growingGaps = silenceUntilGivenUp(history(40, 8, -1)); // gaps of 3 s, 3.5 s, 4 s ...
        assertTrue(growingGaps >= 8_000, "gave up after " + growingGaps + " ms");
    }

    /**
     * A detector that heard {@code beats} heartbeats 500 ms apart, then {@code gaps} silences of {@code gapMs} each
     * (-1: 3 s, then 500 ms longer each time) followed by 4 heartbeats; its clock stands at the last heartbeat.
     */
    private PhiAccrualFailureDetector history(int beats, int gaps, long gapMs) {
        now = 0;
        FailureDetector.Clock clock = new FailureDetector.Clock() {
            @Override
            public Object apply() {
                return now;
            }

            @Override
            public long apply$mcJ$sp() {
                return now;
            }
        };
        PhiAccrualFailureDetector detector = new PhiAccrualFailureDetector(8.0, 1000, millis(100), millis(2_000),
                millis(500), scala.Option.empty(), clock);
        for (int i = 0; i < beats; i++) {
            detector.heartbeat();
            now += 500;
        }
        for (int g = 0; g < gaps; g++) {
            now += (gapMs > 0 ? gapMs : 3_000 + 500L * g) - 500;
            for (int i = 0; i < 4; i++) {
                detector.heartbeat();
                now += 500;
            }
        }
        now -= 500;
        return detector;
    }

    /** How long after the last heartbeat the detector says the peer is not available. */
    private long silenceUntilGivenUp(PhiAccrualFailureDetector detector) {
        long last = now;
        while (detector.isAvailable()) {
            now += 10;
        }
        return now - last;
    }

    private static FiniteDuration millis(long ms) {
        return new FiniteDuration(ms, TimeUnit.MILLISECONDS);
    }
}
