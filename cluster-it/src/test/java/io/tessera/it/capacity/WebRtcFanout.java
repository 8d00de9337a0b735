package io.tessera.it.capacity;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.it.ClusterProcesses;
import io.tessera.loadtest.browser.Browser;
import io.tessera.loadtest.browser.PageServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The WebRTC side of the capacity benchmark, driving {@code capacity-test.js} in one Chromium page: the publisher
 * and every subscriber are participants of that page (one WebSocket and one RTCPeerConnection each).
 */
final class WebRtcFanout implements AutoCloseable {
    /** Where Janus gathers inside the browser tests' network namespace (see src/test/netns/bin/java). */
    /** Subscribers added per page call: each call must end within the driver's 30 s script timeout. */
    private static final int BATCH = 5;
    private static final Duration MEDIA = Duration.ofSeconds(60);
    static final int FPS = 15;

    private final Browser browser;
    private final String webSocket;
    private final MasterRestClient rest;
    private final String sessionId;
    private String streamId;
    private int subscribers;

    WebRtcFanout(Browser browser, PageServer pages, ClusterProcesses.Node master, MasterRestClient rest,
                 String sessionId) {
        this.browser = browser;
        this.webSocket = master.webSocketUri().toString();
        this.rest = rest;
        this.sessionId = sessionId;
        browser.open(pages.uri("capacity-test.html"));
    }

    /**
     * Publishes 320x240 at 15 fps, VP8, capped at {@code maxBitrate}, {@code noiseShare} of each frame noise (the
     * rest flat: the share sets how many bits the encoder wants); waits until it is sending.
     */
    void publish(int maxBitrate, double noiseShare) throws Exception {
        JsonNode published = browser.call("capacity.publish", webSocket, token("publisher"), sessionId, maxBitrate,
                320, 240, FPS, noiseShare);
        streamId = published.path("streamId").asText();
        await("the publisher sends").atMost(MEDIA).pollInterval(Duration.ofMillis(250))
                .until(() -> sample().path("publisher").path("packetsSent").asLong() > 0);
    }

    /** Adds subscribers until there are {@code total}, and waits until every one decodes video. */
    void growTo(int total) throws Exception {
        while (subscribers < total) {
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < Math.min(BATCH, total - subscribers); i++) {
                tokens.add(token("subscriber-" + (subscribers + i)));
            }
            subscribers = browser.call("capacity.subscribe", webSocket, tokens, sessionId, streamId, BATCH).asInt();
        }
        await(total + " subscribers decode video").atMost(MEDIA).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (JsonNode s : sample().path("subscribers")) {
                if (s.path("framesDecoded").asLong() == 0) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Measures one window: loss, bitrates, frames, and everyone's CPU. */
    Map<String, Object> measure(Duration window, WebRtcCapacityBenchmark.Probe probe) throws Exception {
        String load = CpuTimes.loadAverage();
        JsonNode before = sample();
        CpuSnapshot cpuBefore = probe.take();
        Thread.sleep(window.toMillis()); // the measurement window
        CpuSnapshot cpuAfter = probe.take();
        JsonNode after = sample();
        double seconds = (after.path("at").asDouble() - before.path("at").asDouble()) / 1000;
        JsonNode pubBefore = before.path("publisher");
        JsonNode pubAfter = after.path("publisher");
        long framesEncoded = delta(pubAfter, pubBefore, "framesEncoded");
        long received = 0;
        long lost = 0;
        long bytes = 0;
        long frames = 0;
        long nacks = 0;
        int n = after.path("subscribers").size();
        for (int i = 0; i < n; i++) {
            JsonNode a = after.path("subscribers").get(i);
            JsonNode b = before.path("subscribers").get(i);
            received += delta(a, b, "packetsReceived");
            lost += delta(a, b, "packetsLost");
            bytes += delta(a, b, "bytesReceived");
            frames += delta(a, b, "framesDecoded");
            nacks += delta(a, b, "nackCount");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("n", n);
        row.put("publisherKbps", delta(pubAfter, pubBefore, "bytesSent") * 8 / seconds / 1000);
        row.put("publisherFps", framesEncoded / seconds);
        row.put("publisherFrame", pubAfter.path("width").asInt() + "x" + pubAfter.path("height").asInt());
        row.put("publisherLimitation", pubAfter.path("limitation").asText());
        row.put("receivedKbpsPerSubscriber", n == 0 ? 0.0 : bytes * 8 / seconds / 1000 / n);
        row.put("lossPct", n == 0 ? 0.0 : received + lost == 0 ? 100.0 : 100.0 * lost / (received + lost));
        // frames decoded by the subscribers over frames the publisher encoded: below 100 % the subscribers fall behind
        row.put("deliveredPct", n == 0 ? 100.0 : framesEncoded == 0 ? 0.0 : 100.0 * frames / ((double) framesEncoded * n));
        // frames decoded per subscriber over the nominal frame rate: the publisher shares the page and the machine
        // with the subscribers, so a saturated CPU also shows as a publisher that encodes fewer frames
        row.put("nominalPct", 100.0 * (n == 0 ? framesEncoded : frames / (double) n) / seconds / FPS);
        row.put("nacksPerSecond", nacks / seconds);
        CapacityTable.putCpu(row, cpuAfter.since(cpuBefore), n);
        row.put("loadAverage", load);
        return row;
    }

    private JsonNode sample() {
        return browser.call("capacity.sample");
    }

    private static long delta(JsonNode after, JsonNode before, String field) {
        return after.path(field).asLong() - (before == null ? 0 : before.path(field).asLong());
    }

    private String token(String name) throws Exception {
        return rest.createConnection(sessionId, ConnectionProperties.publisher(name)).token();
    }

    @Override
    public void close() {
        browser.call("capacity.closeAll");
    }
}
