package io.tessera.loadtest.harness.report;

import io.tessera.loadtest.harness.measure.FaultLog;
import io.tessera.loadtest.harness.measure.LatencyMeter;
import io.tessera.loadtest.harness.measure.Percentiles;
import io.tessera.loadtest.harness.measure.ProcessSampler;
import java.util.List;
import java.util.Map;

/**
 * The result of one run, written as JSON so that a later run can be compared with it ({@code --baseline}).
 * Never holds the secret or a token. Times are milliseconds unless a name says otherwise.
 */
public record RunResult(int formatVersion, String runName, String startedAt, String loadAverage, Plan plan,
                        Counts counts, Map<String, Percentiles> latencies, Throughput throughput, Media media,
                        List<FaultLog.Fault> faults, Map<String, Long> errors, Map<String, String> errorExamples,
                        List<ProcessSampler.NodeUsage> processes, Timeline timeline, BrowserResult browsers) {
    public static final int FORMAT_VERSION = 1;

    public RunResult {
        browsers = browsers == null ? BrowserResult.NONE : browsers; // a result written before browsers existed
    }

    /** What was asked for. */
    public record Plan(int sessions, int participants, int publishers, String topology, int bitrateKbps,
                       int packetSize, int packetsPerSecond, double joinsPerSecond, double durationSeconds,
                       String chaos, List<String> masters, int plannedParticipants, int plannedSubscriptions) {
    }

    /** What happened, in counts. */
    public record Counts(long sessionsCreated, long joined, long published, long subscribed, long joinRetries,
                         long restFailovers, long resumes, long resumesWithoutFault, long disconnected,
                         long errors) {
    }

    /** Joins per second over the join window, in all and per master. */
    public record Throughput(double joinWindowSeconds, double joinsPerSecond, Map<String, Long> joinsPerMaster,
                             Map<String, Double> joinsPerSecondPerMaster) {
    }

    /**
     * Media at the subscribers. {@code lossPercent} is over all packets; the per-subscriber figures are
     * distributions over subscribers. Recovery: one entry per subscriber gap that began at a media-node fault.
     */
    public record Media(long subscribers, long received, long lost, double lossPercent, Percentiles lossPercentPerSubscriber,
                        Percentiles jitterMs, Percentiles oneWayLatencyMs, long withoutMedia, long gaps,
                        long gapsAtMasterFaults, Percentiles recoveryMs, long recovered, long unrecovered) {
    }

    /** Series for the charts. */
    public record Timeline(List<LatencyMeter.SecondPoint> joinLatency, List<long[]> mediaPacketsPerSecond,
                           List<long[]> participantsPerSecond, List<Double> resumeMillis, List<Double> recoveryMillis,
                           List<Double> firstPacketMillis) {
    }

    /** The figure compared run to run, by name; NaN when absent. */
    public double figure(String name) {
        return switch (name) {
            case "joinsPerSecond" -> throughput.joinsPerSecond();
            case "join.p50" -> lat("join").p50();
            case "join.p99" -> lat("join").p99();
            case "sessionCreate.p99" -> lat("sessionCreate").p99();
            case "firstPacket.p99" -> lat("firstPacket").p99();
            case "resume.p99" -> lat("resume").p99();
            case "mediaRecovery.p99" -> media.recoveryMs().p99();
            case "media.lossPercent" -> media.lossPercent();
            case "media.jitterMs.p99" -> media.jitterMs().p99();
            case "errors" -> counts.errors();
            case "browserStall.max" -> browsers.planned() == 0 ? Double.NaN : browsers.longestStallMs().max();
            default -> Double.NaN;
        };
    }

    private Percentiles lat(String name) {
        return latencies.getOrDefault(name, Percentiles.EMPTY);
    }
}
