package io.tessera.loadtest.harness.report;

import io.tessera.client.rtp.RtpReceiver;
import io.tessera.loadtest.harness.measure.FaultLog;
import io.tessera.loadtest.harness.measure.MediaWatch;
import io.tessera.loadtest.harness.measure.Measurements;
import io.tessera.loadtest.harness.measure.Percentiles;
import io.tessera.loadtest.harness.measure.ProcessSampler;
import io.tessera.loadtest.harness.scenario.HarnessConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Turns what a run measured into its {@link RunResult}. */
public final class ResultBuilder {
    /** A gap at a subscriber belongs to a media fault when it began this close to the fault instant. */
    public static final long FAULT_WINDOW_BEFORE_MS = 1_000;
    public static final long FAULT_WINDOW_AFTER_MS = 5_000;

    private ResultBuilder() {
    }

    public static RunResult build(HarnessConfig cfg, Measurements m, MediaWatch media, ProcessSampler processes,
                                  List<long[]> mediaRate, List<long[]> participants, String startedAt,
                                  String loadAverage, BrowserResult browsers) {
        RunResult.Plan plan = new RunResult.Plan(cfg.sessions(), cfg.participants(), cfg.publishers(),
                cfg.topology().label(), cfg.media().bitrateKbps(), cfg.media().packetSize(),
                cfg.media().packetsPerSecond(), cfg.joinsPerSecond(), cfg.duration().toMillis() / 1000.0,
                cfg.chaos().toString(), cfg.masters().stream().map(URI::toString).toList(),
                cfg.plannedParticipants(), cfg.plannedSubscriptions());
        RunResult.Counts counts = new RunResult.Counts(m.sessionsCreated.get(), m.joined.get(), m.published.get(),
                m.subscribed.get(), m.joinRetries.get(), m.restFailovers.get(), m.resume.count(),
                m.resumesWithoutFault.get(), m.disconnected.get(), m.errors.total());

        List<FaultLog.Fault> faults = m.faults.all();
        List<MediaWatch.Gap> gaps = media.gaps();
        List<Double> recoveries = new ArrayList<>();
        long unrecovered = 0;
        long atMasterFaults = 0;
        for (MediaWatch.Gap g : gaps) {
            FaultLog.Fault cause = faultNear(faults, g.startMillis());
            if (cause == null) {
                continue;
            }
            if (cause.isMaster()) {
                atMasterFaults++; // media must not notice a master fault: these are worth a look
            } else if (g.open()) {
                unrecovered++;
            } else {
                recoveries.add((double) (g.endMillis() - cause.atMillis()));
            }
        }
        List<Double> lossPerSubscriber = new ArrayList<>();
        List<Double> jitter = new ArrayList<>();
        Histogram oneWay = new Histogram(60_000_000L, 1);
        long received = 0;
        long lost = 0;
        List<RtpReceiver.Stats> finals = media.finalStats();
        for (RtpReceiver.Stats s : finals) {
            received += s.received();
            lost += s.lost();
            long expected = s.received() + s.lost();
            lossPerSubscriber.add(expected == 0 ? 0 : 100.0 * s.lost() / expected);
            for (RtpReceiver.StreamStats st : s.streams()) {
                jitter.add(st.jitterMs());
                oneWay.add(st.latencyMicros());
            }
        }
        double lossPercent = received + lost == 0 ? 0 : Math.round(1e6 * lost / (double) (received + lost)) / 1e4;
        RunResult.Media mediaResult = new RunResult.Media(finals.size(), received, lost, lossPercent,
                ofValues(lossPerSubscriber), ofValues(jitter), Percentiles.ofMicros(oneWay), media.withoutMedia(),
                gaps.size() + media.gapsDropped(), atMasterFaults, ofValues(recoveries), recoveries.size(), unrecovered);

        Map<String, Percentiles> latencies = new LinkedHashMap<>();
        latencies.put("sessionCreate", m.sessionCreate.summary());
        latencies.put("connectionCreate", m.connectionCreate.summary());
        latencies.put("join", m.join.summary());
        latencies.put("publish", m.publish.summary());
        latencies.put("subscribe", m.subscribe.summary());
        latencies.put("firstPacket", m.firstPacket.summary());
        latencies.put("resume", m.resume.summary());

        double window = m.joinWindowSeconds();
        Map<String, Long> perMaster = m.joinsPerMaster();
        Map<String, Double> ratePerMaster = new LinkedHashMap<>();
        perMaster.forEach((k, v) -> ratePerMaster.put(k, window == 0 ? 0 : round2(v / window)));
        RunResult.Throughput throughput = new RunResult.Throughput(round2(window),
                window == 0 ? 0 : round2(m.joined.get() / window), perMaster, ratePerMaster);

        RunResult.Timeline timeline = new RunResult.Timeline(m.join.timeline(), List.copyOf(mediaRate),
                List.copyOf(participants), values(m.resume.histogram()), recoveries,
                values(m.firstPacket.histogram()));
        return new RunResult(RunResult.FORMAT_VERSION, cfg.runName(), startedAt, loadAverage, plan, counts,
                latencies, throughput, mediaResult, faults, m.errors.counts(), m.errors.examples(),
                processes == null ? List.of() : processes.usage(), timeline, browsers);
    }

    /** The interrupting fault a gap starting at {@code startMillis} is attributed to, or null. */
    public static FaultLog.Fault faultNear(List<FaultLog.Fault> faults, long startMillis) {
        FaultLog.Fault best = null;
        for (FaultLog.Fault f : faults) {
            if (f.interrupts() && startMillis >= f.atMillis() - FAULT_WINDOW_BEFORE_MS
                    && startMillis <= f.atMillis() + FAULT_WINDOW_AFTER_MS) {
                best = f;
            }
        }
        return best;
    }

    /** Percentiles of plain values (already in their unit), exact: sorted, nearest rank. */
    public static Percentiles ofValues(List<Double> values) {
        if (values.isEmpty()) {
            return Percentiles.EMPTY;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double mean = java.util.Arrays.stream(v).average().orElse(0);
        return new Percentiles(v.length, round2(rank(v, 50)), round2(rank(v, 95)), round2(rank(v, 99)),
                round2(v[v.length - 1]), round2(mean));
    }

    private static double rank(double[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** The values of a histogram of microseconds, in milliseconds, at most 10 000 (bounded for the report). */
    static List<Double> values(Histogram h) {
        List<Double> out = new ArrayList<>();
        for (var v : h.recordedValues()) {
            for (long i = 0; i < v.getCountAtValueIteratedTo() && out.size() < 10_000; i++) {
                out.add(round2(h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0));
            }
        }
        return out;
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
