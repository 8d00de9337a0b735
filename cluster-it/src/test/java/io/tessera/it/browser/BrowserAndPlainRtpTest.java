package io.tessera.it.browser;

import io.tessera.loadtest.browser.Browsers;
import io.tessera.loadtest.browser.Browser;
import io.tessera.loadtest.browser.RtcStats;
import io.tessera.loadtest.browser.PageServer;

import io.tessera.client.JoinResult;
import io.tessera.client.JsonRpcException;
import io.tessera.client.RemoteParticipant;
import io.tessera.client.ServerEvent;
import io.tessera.client.SignallingClient;
import io.tessera.client.TesseraToken;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.it.ClusterProcesses;
import io.tessera.it.JanusEnvironment;
import io.tessera.it.Ffmpeg;
import io.tessera.wire.sdp.Direction;
import io.tessera.wire.sdp.PlainRtpAnswer;
import io.tessera.wire.sdp.PlainRtpOffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A browser (openvidu-browser 2.32.2 in Chromium, through Janus) and a plain RTP participant in one session, each
 * receiving the other. The plain RTP participant (the SDK's receiver) subscribes to the browser's video and audio
 * with plain RTP offers, and the media node relays them (Janus {@code rtp_forward} to relay streams of its plain RTP
 * engine); a codec the browser did not choose is refused with 415, and the relays are released on /metrics when the
 * plain subscriber unsubscribes and when the browser leaves. A plain RTP publisher (ffmpeg, VP8) is decoded by the
 * browser through a Janus remote publisher, released with the stream.
 *
 * <p>Runs in the browser execution's network namespace (tag {@code browser}): Janus gathers on 127.0.0.2 there.
 */
@Tag("browser")
class BrowserAndPlainRtpTest {
    private static final Logger log = LoggerFactory.getLogger(BrowserAndPlainRtpTest.class);
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration MEDIA = Duration.ofSeconds(45);
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static ClusterProcesses cluster;
    private static PageServer pages;
    private Browsers browsers;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterProcesses.start("BrowserAndPlainRtpTest", 2, 1, JanusEnvironment.of(20200, 20299, Map.of()));
        cluster.awaitReady(STARTUP);
        pages = new PageServer();
    }

    @AfterEach
    void closeBrowsers() {
        if (browsers != null) {
            browsers.close(); // asserts that no chromedriver or Chromium process is left
        }
        cluster.assertAllAlive();
    }

    @AfterAll
    static void stopCluster() {
        if (pages != null) {
            pages.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPlainRtpSubscriberReceivesABrowsersVideoAndAudioThroughRelays() throws Exception {
        browsers = new Browsers(1);
        String sessionId = "bridge-" + System.nanoTime();
        ClusterProcesses.Node master = cluster.masters().get(0);
        cluster.rest(master).createSession(sessionId);
        int portsBefore = metric("tessera_media_ports_in_use");
        int webrtcPublishersBefore = metric("tessera_media_webrtc_publishers");

        Browser browser = browsers.open("browser-0");
        Connection browserConnection = cluster.rest(master).createConnection(sessionId,
                ConnectionProperties.publisher("browser"));
        browser.open(URI.create(pages.uri("openvidu-test.html") + "?master="
                + URLEncoder.encode(master.httpBase().toString(), StandardCharsets.UTF_8)));
        String browserId = browser.call("page.join", throughMaster(browserConnection.token(), master)).asText();

        ClusterProcesses.Node other = cluster.masters().get(1);
        Connection plainConnection = cluster.rest(master).createConnection(sessionId,
                ConnectionProperties.publisher("plain-rtp"));
        awaitVisible(other, sessionId, plainConnection.connectionId());
        try (SignallingClient plain = SignallingClient.builder(other.webSocketUri()).connect();
             RtpReactor reactor = new RtpReactor("bridge-test-rtp");
             RtpReceiver video = RtpReceiver.builder(reactor).localAddress(InetAddress.getLoopbackAddress()).bind();
             RtpReceiver audio = RtpReceiver.builder(reactor).localAddress(InetAddress.getLoopbackAddress())
                     .clockRate(48000).bind()) {
            JoinResult joined = plain.joinRoom(TesseraToken.parse(plainConnection.token()), "{}")
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            String streamId = browserStream(plain, joined, browserId);

            JsonRpcException h264 = refusal(plain, streamId, video.sdpOffer(102, "H264"));
            assertEquals(415, h264.code(), h264.getMessage());
            assertTrue(h264.errorMessage().contains("VP8/90000"), h264.errorMessage());

            PlainRtpAnswer videoAnswer = PlainRtpAnswer.parse(plain.receiveVideoFrom(streamId,
                    video.sdpOffer(96, "VP8")).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            video.remote(videoAnswer);
            PlainRtpAnswer audioAnswer = PlainRtpAnswer.parse(plain.receiveVideoFrom(streamId,
                    audioOffer(audio)).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals("opus", audioAnswer.codec().toLowerCase(), audioAnswer.toString());
            assertEquals(2, metric("tessera_media_rtp_bridges"), "one relay for the video, one for the audio");

            RtpReceiver.StreamStats first = awaitReceived(video, videoAnswer.ssrc(), 1, "the browser's video");
            assertEquals(videoAnswer.payloadType(), first.payloadType(), "the payload type the answer named");
            video.sendPli(); // the browser answers with a keyframe (not observable here; counted by the node)
            RtpReceiver.StreamStats later = awaitReceived(video, videoAnswer.ssrc(), first.received() + 100,
                    "the browser's video keeps coming");
            RtpReceiver.StreamStats sound = awaitReceived(audio, audioAnswer.ssrc(), 100, "the browser's audio");
            log.info("plain RTP subscriber got {} video packets ({} lost) and {} audio packets of {}'s stream",
                    later.received(), later.lost(), sound.received(), browserId);
            assertTrue(metric("tessera_media_rtcp_packets_forwarded_total") > 0, "the PLI went to the forwarder");

            plain.unsubscribeFromVideo(streamId).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            awaitMetric("tessera_media_rtp_bridges", 0, "both relays go with their last subscription");
            assertEquals(2, metric("tessera_media_rtp_bridges_opened_total"));

            PlainRtpAnswer again = PlainRtpAnswer.parse(plain.receiveVideoFrom(streamId,
                    video.sdpOffer(96, "VP8")).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            long before = video.stats().stream(again.ssrc()).map(RtpReceiver.StreamStats::received).orElse(0L);
            awaitReceived(video, again.ssrc(), before + 50, "the browser's video through a new relay");
            assertEquals(1, metric("tessera_media_rtp_bridges"));

            browser.call("page.leave");
            awaitMetric("tessera_media_rtp_bridges", 0, "the relay goes with the browser's stream");
            awaitMetric("tessera_media_ports_in_use", portsBefore, "every relay's and subscription's ports released");
            awaitMetric("tessera_media_webrtc_publishers", webrtcPublishersBefore, "the browser's publisher gone");
        }
    }

    /**
     * The other way: ffmpeg publishes VP8 as a plain RTP participant, and the browser (which subscribes to every stream
     * openvidu-browser announces) decodes it: the node made the stream a Janus remote publisher. The remote publisher
     * goes with the stream.
     */
    @Test
    void aBrowserDecodesAPlainRtpPublishersVideo() throws Exception {
        assumeTrue(Ffmpeg.available(), "ffmpeg is not installed (.ci/run installs it)");
        browsers = new Browsers(1);
        String sessionId = "feed-" + System.nanoTime();
        ClusterProcesses.Node master = cluster.masters().get(0);
        cluster.rest(master).createSession(sessionId);
        Connection plainConnection = cluster.rest(master).createConnection(sessionId,
                ConnectionProperties.publisher("ffmpeg"));
        Process ffmpeg = null;
        int publishersBefore = metric("tessera_media_webrtc_publishers"); // a browser of a failed test may linger
        int subscribersBefore = metric("tessera_media_webrtc_subscribers");
        try (SignallingClient plain = SignallingClient.builder(master.webSocketUri()).connect()) {
            plain.joinRoom(TesseraToken.parse(plainConnection.token()), "{}").get(WAIT.toSeconds(), TimeUnit.SECONDS);
            int localPort = Ffmpeg.freeUdpPair("127.0.0.1");
            PublishResult published = plain.publishVideo(PublishOptions.camera(Ffmpeg.publisherOffer("127.0.0.1",
                    localPort))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            PlainRtpAnswer toNode = PlainRtpAnswer.parse(published.sdpAnswer());
            ffmpeg = Ffmpeg.publish(toNode.address(), toNode.rtpPort(), localPort, Duration.ofSeconds(120),
                    Path.of("target", "browser-and-plain-rtp", "ffmpeg-" + localPort + ".log"));

            Browser browser = browsers.open("browser-0");
            Connection browserConnection = cluster.rest(master).createConnection(sessionId,
                    ConnectionProperties.publisher("browser"));
            browser.open(URI.create(pages.uri("openvidu-test.html") + "?master="
                    + URLEncoder.encode(master.httpBase().toString(), StandardCharsets.UTF_8)));
            String browserId = browser.call("page.join", throughMaster(browserConnection.token(), master)).asText();
            String pc = "page.subscriberPc('" + plainConnection.connectionId() + "')";
            RtcStats first = awaitStats(browser, pc, browserId + " decodes ffmpeg's video",
                    stats -> stats.videoFramesDecoded() > 0);
            RtcStats later = awaitStats(browser, pc, "ffmpeg's video keeps being decoded",
                    stats -> stats.videoFramesDecoded() > first.videoFramesDecoded() + 25);
            assertTrue(later.selectedPairOnLoopback(), later.toString());
            log.info("the browser decoded {} frames of the plain RTP publisher (pair {} -> {})",
                    later.videoFramesDecoded(), later.localAddress(), later.remoteAddress());
            assertEquals(publishersBefore + 2, metric("tessera_media_webrtc_publishers"),
                    "the browser and the remote publisher");

            plain.unpublishVideo().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            awaitMetric("tessera_media_webrtc_publishers", publishersBefore + 1,
                    "the remote publisher goes with the stream");
            awaitMetric("tessera_media_webrtc_subscribers", subscribersBefore, "and the browser's subscription to it");
            JsonNode report = browser.call("page.report");
            assertEquals(0, report.path("errors").size(), "the page: " + report.path("errors"));
            browser.call("page.leave");
            awaitMetric("tessera_media_webrtc_publishers", publishersBefore, "the browser's stream gone too");
        } finally {
            Ffmpeg.stop(ffmpeg);
        }
    }

    private static RtcStats awaitStats(Browser browser, String pc, String what,
                                       java.util.function.Predicate<RtcStats> condition) {
        RtcStats[] last = new RtcStats[1];
        await(what).atMost(MEDIA).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = browser.stats(pc);
            return condition.test(last[0]);
        });
        return last[0];
    }

    /** The browser's stream id, from the plain participant's joinRoom or its participantPublished. */
    private static String browserStream(SignallingClient plain, JoinResult joined, String browserId) {
        for (RemoteParticipant other : joined.participants()) {
            if (other.connectionId().equals(browserId) && !other.streams().isEmpty()) {
                return other.streams().get(0).streamId(); // up before the plain participant joined
            }
        }
        List<ServerEvent> seen = new ArrayList<>();
        ServerEvent published = await("the browser's stream is announced").atMost(MEDIA)
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    plain.events().drainTo(seen);
                    return seen.stream().filter(e -> e.method().equals("participantPublished")
                            && browserId.equals(e.param("id"))).findFirst().orElse(null);
                }, e -> e != null);
        return published.streams().get(0).streamId();
    }

    private static RtpReceiver.StreamStats awaitReceived(RtpReceiver receiver, long ssrc, long packets, String what) {
        return await(what).atMost(MEDIA).pollInterval(Duration.ofMillis(250))
                .until(() -> receiver.stats().stream(ssrc).orElse(null), s -> s != null && s.received() >= packets);
    }

    /** An audio offer of the plain RTP dialect (the SDK writes video ones): Opus, which browsers send. */
    private static String audioOffer(RtpReceiver receiver) {
        return PlainRtpOffer.write(receiver.rtpAddress().getAddress().getHostAddress(), receiver.rtpPort(),
                receiver.rtcpPort(), 111, "opus", 48000, receiver.ssrc(), Direction.RECVONLY)
                .replace("m=video ", "m=audio ");
    }

    private static JsonRpcException refusal(SignallingClient client, String streamId, String offer) throws Exception {
        try {
            Object result = client.receiveVideoFrom(streamId, offer).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("expected a refusal, got " + result);
        } catch (ExecutionException e) {
            return assertInstanceOf(JsonRpcException.class, e.getCause(), "failure: " + e.getCause());
        }
    }

    private static String throughMaster(String token, ClusterProcesses.Node master) {
        String query = token.substring(token.indexOf('?'));
        return "ws://" + master.host() + ":" + master.httpPort() + query;
    }

    private static void awaitVisible(ClusterProcesses.Node master, String sessionId, String connectionId) {
        await(connectionId + " visible").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.rest(master).connection(sessionId, connectionId).isPresent());
    }

    private static void awaitMetric(String name, int value, String what) {
        await(what).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> metric(name) == value);
    }

    private static int metric(String name) throws Exception {
        ClusterProcesses.Node media = cluster.mediaNodes().get(0);
        String text = cluster.rest(media).withoutCredentials().send("GET", "/metrics").text();
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError(name + " is not in the media node's /metrics");
        }
        return (int) Double.parseDouble(m.group(2));
    }
}
