package io.tessera.it.capacity;

import io.tessera.client.rest.MasterRestClient;
import io.tessera.it.ClusterProcesses;
import io.tessera.it.JanusEnvironment;
import io.tessera.loadtest.browser.Browsers;
import io.tessera.loadtest.browser.PageServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Issue 13 part 5: how many 1:N subscriber streams of one 500 kbit/s publisher one media node carries before loss
 * rises above 1 % or the CPU saturates, for the WebRTC engine (Janus) and the plain RTP engine, in one run on one
 * cluster (1 master, 1 media node running both engines).
 *
 * <ul>
 *   <li><b>WebRTC</b>: one headless Chromium page ({@code capacity-test.js}) holds the publisher (a canvas of noise,
 *   VP8 capped at 500 kbit/s by {@code RTCRtpSender.setParameters} maxBitrate) and every subscriber, each its own
 *   participant and WebSocket speaking the OpenVidu JSON-RPC to the master, each its own RTCPeerConnection to Janus;
 *   nothing is rendered. Loss: {@code inbound-rtp} video {@code packetsLost} / (lost + received), after NACK.</li>
 *   <li><b>Plain RTP</b>: the Java SDK's synthetic publisher (52 packets/s of 1200 bytes = 499 kbit/s) and N SDK
 *   participants with {@code RtpReceiver}s in this JVM; loss from the RTP sequence numbers.</li>
 * </ul>
 * The subscribers grow through {@code -Dtessera.capacity.steps} (default {@code 0,1,5,10,20,40,80,160,320}); at each step,
 * after {@code settle} seconds, a window of {@code -Dtessera.capacity.window} seconds (default 15) is measured: loss,
 * received bitrate, and the CPU of the media node's JVM, its Janus, the masters, Chromium and this JVM (from /proc),
 * and the whole machine's. Step 0 is the publisher alone, the base the per-stream CPU is counted from. An engine
 * stops growing at the first step whose loss is above 1 % or that delivered less than 95 % of the nominal rate (see
 * {@link #beyondKnee}). The WebRTC phase runs first, then (Chromium closed) the plain RTP phase.
 *
 * <p>A benchmark (tags {@code browser}, for the network namespace where Janus gathers on 127.0.0.2, and
 * {@code benchmark}, so that no default run starts it):
 * <pre>{@code
 * flock /tmp/tessera-it.lock mvn -B -ntp -pl cluster-it -am verify -Dtest=WebRtcCapacityBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dit.browserExcludedGroups=none
 * }</pre>
 * Results: {@code cluster-it/target/benchmarks/webrtc-capacity.json} and the table in the test's log.
 */
@Tag("browser")
@Tag("benchmark")
class WebRtcCapacityBenchmark {
    private static final Logger log = LoggerFactory.getLogger(WebRtcCapacityBenchmark.class);
    static final int BITRATE_BPS = 500_000;
    static final int RTP_PACKETS_PER_SECOND = 52;
    static final int RTP_PACKET_BYTES = 1200;
    static final double LOSS_LIMIT = 0.01;
    /**
     * Frames (WebRTC) or packets (plain RTP) reaching each subscriber per second over the publisher's nominal rate
     * (15 fps, 52 packets/s), below which the clients or the node are falling behind.
     */
    static final double DELIVERED_LIMIT = 0.95;

    private final int[] steps = Arrays.stream(System.getProperty("tessera.capacity.steps", "0,1,5,10,20,40,80,160,320")
            .split(",")).mapToInt(s -> Integer.parseInt(s.trim())).sorted().toArray();
    private final Duration window = Duration.ofSeconds(Integer.getInteger("tessera.capacity.window", 15));
    private final Duration settle = Duration.ofSeconds(Integer.getInteger("tessera.capacity.settle", 5));
    private final double noiseShare = Double.parseDouble(System.getProperty("tessera.capacity.noise", "0.3"));

    @Test
    void subscribersOfOnePublisherPerMediaNode() throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("steps", steps);
        report.put("windowSeconds", window.toSeconds());
        report.put("loadAverageBefore", CpuTimes.loadAverage());
        try (ClusterProcesses cluster = ClusterProcesses.start("WebRtcCapacityBenchmark", 1, 1,
                JanusEnvironment.of(20100, 20599, Map.of(
                        // the publisher and every subscriber of the largest step in one session (default 200)
                        "TESSERA_MAX_PARTICIPANTS_PER_SESSION", Integer.toString(steps[steps.length - 1] + 1))))) {
            cluster.awaitReady(Duration.ofSeconds(120));
            ClusterProcesses.Node master = cluster.masters().get(0);
            long mediaPid = cluster.pid(cluster.mediaNodes().get(0));
            long janusPid = ProcessHandle.of(mediaPid).orElseThrow().descendants()
                    .filter(h -> h.info().command().map(c -> c.endsWith("/janus")).orElse(false))
                    .findFirst().orElseThrow(() -> new AssertionError("the media node runs no Janus")).pid();
            long[] masterPids = {cluster.pid(master)};
            Probe probe = () -> CpuSnapshot.take(mediaPid, janusPid, masterPids);
            MasterRestClient rest = cluster.rest(master);

            List<Map<String, Object>> webrtc = new ArrayList<>();
            String webrtcSession = "capacity-webrtc-" + System.nanoTime();
            rest.createSession(webrtcSession);
            try (PageServer pages = new PageServer(); Browsers browsers = new Browsers(1);
                 WebRtcFanout fanout = new WebRtcFanout(browsers.open("capacity"), pages, master, rest,
                         webrtcSession)) {
                fanout.publish(BITRATE_BPS, noiseShare);
                Thread.sleep(settle.toMillis() * 2); // the publisher's bandwidth estimate ramps up to the cap
                for (int n : steps) {
                    fanout.growTo(n);
                    Thread.sleep(settle.toMillis());
                    Map<String, Object> row = fanout.measure(window, probe);
                    webrtc.add(row);
                    log.info("BENCH webrtc {}", row);
                    if (beyondKnee(row)) {
                        break;
                    }
                }
            }
            CapacityTable.putMarginalCpu(webrtc);
            report.put("webrtc", webrtc);

            List<Map<String, Object>> plain = new ArrayList<>();
            String rtpSession = "capacity-rtp-" + System.nanoTime();
            rest.createSession(rtpSession);
            try (PlainRtpFanout fanout = new PlainRtpFanout(master.webSocketUri(), rest, rtpSession)) {
                fanout.publish(RTP_PACKETS_PER_SECOND, RTP_PACKET_BYTES, 4);
                Thread.sleep(settle.toMillis());
                for (int n : steps) {
                    fanout.growTo(n);
                    Thread.sleep(settle.toMillis());
                    Map<String, Object> row = measure(fanout, probe);
                    plain.add(row);
                    log.info("BENCH plain-rtp {}", row);
                    if (beyondKnee(row)) {
                        break;
                    }
                }
            }
            CapacityTable.putMarginalCpu(plain);
            report.put("plainRtp", plain);
            report.put("loadAverageAfter", CpuTimes.loadAverage());
            cluster.assertAllAlive();
            String table = CapacityTable.markdown(webrtc, plain);
            log.info("BENCH results\n{}", table);
            Path out = Path.of("target", "benchmarks");
            Files.createDirectories(out);
            Files.writeString(out.resolve("webrtc-capacity.md"), table);
            CapacityTable.writeJson(out.resolve("webrtc-capacity.json"), report);
            assertFalse(webrtc.isEmpty() || plain.isEmpty(), "both engines measured");
        }
    }

    /** Reads every party's CPU time at one instant. */
    interface Probe {
        CpuSnapshot take();
    }

    /**
     * Loss above 1 %, or less than 95 % of the nominal rate delivered to each subscriber (a saturated CPU shows so: a
     * publisher, client or forwarder that cannot keep up): the engine's figure is the step before. The machine's own busy share is reported, not used: on a machine
     * shared with other engineers' builds it says more about them than about us.
     */
    static boolean beyondKnee(Map<String, Object> row) {
        return (double) row.get("lossPct") > LOSS_LIMIT * 100 || (double) row.get("nominalPct") < DELIVERED_LIMIT * 100;
    }

    private Map<String, Object> measure(PlainRtpFanout fanout, Probe probe) throws InterruptedException {
        long sentBefore = fanout.sent();
        long[] receivedBefore = fanout.received();
        long[] lostBefore = fanout.lost();
        String load = CpuTimes.loadAverage();
        CpuSnapshot cpuBefore = probe.take();
        Thread.sleep(window.toMillis()); // the measurement window
        CpuSnapshot cpuAfter = probe.take();
        long[] receivedAfter = fanout.received();
        long[] lostAfter = fanout.lost();
        long sent = fanout.sent() - sentBefore;
        double seconds = (cpuAfter.nanos() - cpuBefore.nanos()) / 1e9;
        long received = 0;
        long lost = 0;
        for (int i = 0; i < receivedAfter.length; i++) {
            received += receivedAfter[i] - (i < receivedBefore.length ? receivedBefore[i] : 0);
            lost += lostAfter[i] - (i < lostBefore.length ? lostBefore[i] : 0);
        }
        int n = fanout.subscribers();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("n", n);
        row.put("publisherKbps", sent * RTP_PACKET_BYTES * 8 / seconds / 1000);
        row.put("receivedKbpsPerSubscriber", n == 0 ? 0.0 : received * RTP_PACKET_BYTES * 8 / seconds / 1000 / n);
        // the sequence numbers show a gap as lost; a receiver that fell behind the sender shows as received < sent
        row.put("lossPct", n == 0 ? 0.0 : received + lost == 0 ? 100.0 : 100.0 * lost / (received + lost));
        row.put("deliveredPct", n == 0 ? 100.0 : sent == 0 ? 0.0 : 100.0 * received / ((double) sent * n));
        row.put("nominalPct", 100.0 * (n == 0 ? sent : received / (double) n) / seconds / RTP_PACKETS_PER_SECOND);
        CapacityTable.putCpu(row, cpuAfter.since(cpuBefore), n);
        row.put("loadAverage", load);
        return row;
    }
}
