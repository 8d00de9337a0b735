package io.tessera.it.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks a {@link History} against the invariants of issue 17 (a Jepsen-style checker: it judges what clients did
 * and saw, not what the servers say about themselves):
 * <ol type="a">
 *   <li>each participant's events come with seq strictly increasing by one, across resumes ({@link EventOrderCheck});
 *   <li>an acknowledged message reaches each intended recipient that stayed, a refused one nobody
 *       ({@link DeliveryCheck});
 *   <li>nothing is applied twice: no message, {@code participantJoined} or join twice ({@link AppliedOnceCheck});
 *   <li>at most one media node forwards a session's media in any sampling round, none after it said fenced
 *       ({@link OneForwarderCheck}).
 * </ol>
 * Every violation is reported, each with the entries that show it. A history that overflowed is itself a violation.
 */
public final class HistoryChecker {

    private final Duration meterAge;

    /** @param meterAge how much older a media node's RTP counters may be than its fenced flag */
    public HistoryChecker(Duration meterAge) {
        this.meterAge = meterAge;
    }

    public HistoryChecker() {
        this(Duration.ZERO);
    }

    public List<Violation> check(History history) {
        List<HistoryEntry> entries = history.entries();
        List<Violation> violations = new ArrayList<>();
        if (history.dropped() > 0) {
            violations.add(new Violation("complete history", "the history was full at " + history.capacity()
                    + " entries and dropped " + history.dropped() + ": the checks below saw only part of it", List.of()));
        }
        violations.addAll(EventOrderCheck.check(entries));
        violations.addAll(DeliveryCheck.check(entries));
        violations.addAll(AppliedOnceCheck.check(entries));
        violations.addAll(OneForwarderCheck.check(entries, meterAge));
        return violations;
    }

    /** A readable report of {@code violations}: how many, then each with its evidence. */
    public static String describe(History history, List<Violation> violations) {
        return violations.size() + " invariant violation(s) in a history of " + history.size() + " entries:\n  "
                + violations.stream().map(v -> v.describe(history)).collect(Collectors.joining("\n  "));
    }
}
