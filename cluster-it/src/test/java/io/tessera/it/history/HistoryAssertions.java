package io.tessera.it.history;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/** Ends a test with its history's check. */
public final class HistoryAssertions {
    /** How long an acknowledged message may still be on its way to a recipient when the test ends. */
    public static final Duration SETTLE = Duration.ofSeconds(5);

    private HistoryAssertions() {
    }

    /**
     * Fails with every violation and its evidence unless the history is clean. Events still in flight when the test
     * ends (an acknowledged message not yet delivered) get up to {@link #SETTLE} to arrive.
     */
    public static void assertNoViolations(History history, HistoryChecker checker) {
        AtomicReference<List<Violation>> last = new AtomicReference<>(List.of());
        try {
            await("a history without violations").atMost(SETTLE).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        last.set(checker.check(history));
                        return last.get().isEmpty();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(HistoryChecker.describe(history, last.get()));
        }
    }

    public static void assertNoViolations(History history) {
        assertNoViolations(history, new HistoryChecker());
    }
}
