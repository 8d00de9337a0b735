package io.tessera.loadtest.harness.measure;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client stage of a media node's failure, step by step: when each participant heard {@code mediaNodeFailed},
 * when a publisher's new publish was answered, when a subscriber heard the publisher's stream again and when its new
 * subscription was answered. Each is the first such moment after the first fault, per participant, in run-clock
 * milliseconds; {@link #summary} puts them next to the media gaps' ends (the first packet again). Bounded: at most
 * {@link #MAX_PARTICIPANTS} participants are followed.
 */
public final class RecoveryStages {
    public static final int MAX_PARTICIPANTS = 100_000;

    /** The steps, in the order a subscriber goes through them. */
    public enum Step {
        /** {@code mediaNodeFailed} (or, without a move, nothing) reached the participant. */
        FAILED,
        /** The publisher's publish again was answered by the new node. */
        REPUBLISHED,
        /** The subscriber heard {@code participantPublished} (or any stream-again event) after its failure. */
        STREAM_AGAIN,
        /** The subscriber's new subscription was answered, or the node restored it. */
        RESUBSCRIBED
    }

    private final RunClock clock;
    private final Map<String, EnumMap<Step, Long>> byParticipant = new ConcurrentHashMap<>();

    public RecoveryStages(RunClock clock) {
        this.clock = clock;
    }

    /** Notes {@code step} for {@code participant} now, unless it was noted already or it comes before any failure. */
    public void note(String participant, Step step) {
        note(participant, step, clock.millisNow());
    }

    /** {@link #note(String, Step)} at run-clock instant {@code now}. */
    void note(String participant, Step step, long now) {
        if (step != Step.FAILED && !byParticipant.containsKey(participant)) {
            return; // before the failure: the first publish and subscribe
        }
        if (byParticipant.size() >= MAX_PARTICIPANTS && !byParticipant.containsKey(participant)) {
            return;
        }
        EnumMap<Step, Long> steps = byParticipant.computeIfAbsent(participant, k -> new EnumMap<>(Step.class));
        synchronized (steps) {
            steps.putIfAbsent(step, now);
        }
    }

    /**
     * One line per step: how many participants reached it and the p50/p99/max of its instant after {@code faultMillis},
     * then the same for the media gaps that began within the window around the fault and ended (first packet again), and per subscriber
     * the time between consecutive steps.
     */
    public String summary(long faultMillis, List<MediaWatch.Gap> gaps, long windowBeforeMillis, long windowAfterMillis) {
        StringBuilder out = new StringBuilder("client stage after the fault at ")
                .append(String.format(Locale.ROOT, "%.1f s", faultMillis / 1000.0))
                .append(" (seconds after it: n, p50 / p99 / max)\n");
        Map<Step, List<Long>> at = new EnumMap<>(Step.class);
        Map<String, List<Long>> between = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, EnumMap<Step, Long>> e : byParticipant.entrySet()) {
            EnumMap<Step, Long> steps;
            synchronized (e.getValue()) {
                steps = new EnumMap<>(e.getValue());
            }
            steps.forEach((step, millis) -> at.computeIfAbsent(step, k -> new ArrayList<>()).add(millis - faultMillis));
            addDelta(between, "failed -> republished (publisher)", steps, Step.FAILED, Step.REPUBLISHED);
            addDelta(between, "failed -> stream again (subscriber)", steps, Step.FAILED, Step.STREAM_AGAIN);
            addDelta(between, "stream again -> resubscribed", steps, Step.STREAM_AGAIN, Step.RESUBSCRIBED);
        }
        for (Step step : Step.values()) {
            out.append(line(step.name().toLowerCase(Locale.ROOT), at.getOrDefault(step, List.of())));
        }
        List<Long> firstPacket = new ArrayList<>();
        List<Long> failedToFirstPacket = new ArrayList<>();
        for (MediaWatch.Gap g : gaps) {
            if (!g.open() && g.startMillis() >= faultMillis - windowBeforeMillis
                    && g.startMillis() <= faultMillis + windowAfterMillis) {
                firstPacket.add(g.endMillis() - faultMillis);
                // a gap is named "<subscriber>" or "<subscriber><<publisher index>"
                int cut = g.subscriber().indexOf('<');
                EnumMap<Step, Long> steps = byParticipant.get(cut < 0 ? g.subscriber() : g.subscriber().substring(0, cut));
                Long failed = null;
                if (steps != null) {
                    synchronized (steps) {
                        failed = steps.get(Step.FAILED);
                    }
                }
                if (failed != null) {
                    failedToFirstPacket.add(g.endMillis() - failed);
                }
            }
        }
        out.append(line("first packet again", firstPacket));
        between.put("failed -> first packet again (subscriber)", failedToFirstPacket);
        between.forEach((name, values) -> out.append(line(name, values)));
        return out.toString();
    }

    private static void addDelta(Map<String, List<Long>> into, String name, EnumMap<Step, Long> steps, Step from,
                                 Step to) {
        if (steps.containsKey(from) && steps.containsKey(to)) {
            into.computeIfAbsent(name, k -> new ArrayList<>()).add(steps.get(to) - steps.get(from));
        }
    }

    static String line(String name, List<Long> millis) {
        if (millis.isEmpty()) {
            return String.format(Locale.ROOT, "  %-40s n=0%n", name);
        }
        List<Long> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        return String.format(Locale.ROOT, "  %-40s n=%d  %.2f / %.2f / %.2f%n", name, sorted.size(),
                rank(sorted, 0.50) / 1000.0, rank(sorted, 0.99) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0);
    }

    /** Nearest-rank percentile of a sorted list. */
    static long rank(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
