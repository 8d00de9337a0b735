package io.tessera.it;

import io.tessera.wire.sdp.PlainRtpAnswer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.JsonRpcException;
import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.ServerEvent;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The media plane with real processes: two masters and one media node, ffmpeg as a real RTP peer, and
 * the SDK's synthetic streams. Publisher and subscribers use different masters; media goes through the
 * media node only.
 */
class MediaPlaneTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final String CLIENT_HOST = "127.0.0.1";
    /** A small range (16 pairs) so that running out of ports is cheap to provoke. */
    private static final int PORT_MIN = 40000;
    private static final int PORT_MAX = 40031;

    private static ClusterProcesses cluster;
    private static ClusterProcesses.Node a;
    private static ClusterProcesses.Node b;
    private static Path workDir;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterProcesses.start("MediaPlaneTest", 2, 1, Map.of(
                "TESSERA_RTP_PORT_MIN", Integer.toString(PORT_MIN),
                "TESSERA_RTP_PORT_MAX", Integer.toString(PORT_MAX),
                // A participant whose socket closed keeps its ports this long; short, so that a failed test
                // cannot starve the next one of ports.
                "TESSERA_GRACE_WINDOW", "3s"));
        cluster.awaitReady(STARTUP);
        a = cluster.masters().get(0);
        b = cluster.masters().get(1);
        workDir = Paths.get("target", "media-plane");
        Files.createDirectories(workDir);
    }

    @BeforeEach
    void startFromAnIdleMediaNode() {
        awaitNoMediaPorts();
    }

    @AfterEach
    void noNodeCrashed() {
        cluster.assertAllAlive();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Two participants of one session, one per master. */
    private record Pair(String sessionId, Participant publisher, Participant subscriber) implements AutoCloseable {
        @Override
        public void close() {
            publisher.close();
            subscriber.close();
        }
    }

    private static Pair pair(String name) throws Exception {
        String sid = name + "-" + RUN;
        TestSessions.createSession(cluster.rest(a), sid);
        Rest.Response pub = TestSessions.createConnection(cluster.rest(a), sid, "publisher");
        Rest.Response sub = TestSessions.createConnection(cluster.rest(a), sid, "subscriber");
        TestSessions.awaitConnectionVisible(cluster.rest(b), sid, sub.body().path("connectionId").asText());
        Participant publisher = Participant.connect("publisher", a.webSocketUri());
        Participant subscriber = Participant.connect("subscriber", b.webSocketUri());
        publisher.join(pub.body().path("token").asText(), "{}");
        subscriber.join(sub.body().path("token").asText(), "{}");
        return new Pair(sid, publisher, subscriber);
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(Participant.WAIT.toSeconds(), TimeUnit.SECONDS);
    }


    private static JsonNode mediaLoad() {
        Rest.Response r = cluster.rest(a).get("/openvidu/api/cluster");
        assertEquals(200, r.status(), r::toString);
        return r.body().path("mediaNodes").get(0).path("load");
    }

    // ------------------------------------------------------------------------------------------------------

    @Test
    void ffmpegVideoReachesASubscriberOnAnotherMasterThroughTheMediaNode() throws Exception {
        assumeTrue(Ffmpeg.available(), "ffmpeg is not installed (.ci/run installs it)");
        Process receiver = null;
        Process sender = null;
        try (Pair p = pair("media-ffmpeg")) {
            int publisherPort = Ffmpeg.freeUdpPair(CLIENT_HOST);
            PublishResult published = get(p.publisher().client.publishVideo(
                    PublishOptions.camera(Ffmpeg.publisherOffer(CLIENT_HOST, publisherPort))));
            assertTrue(published.streamId().startsWith("str_CAM_"), published.raw().toString());
            PlainRtpAnswer toNode = PlainRtpAnswer.parse(published.sdpAnswer());
            assertEquals(cluster.mediaNodes().get(0).host(), toNode.address(), "the answer names the media node");
            assertTrue(toNode.rtpPort() >= PORT_MIN && toNode.rtpPort() <= PORT_MAX, published.sdpAnswer());

            ServerEvent announced = p.subscriber().awaitEvent("participantPublished",
                    e -> true, "the publisher's stream (through the other master)");
            JsonNode stream = announced.params().path("streams").get(0);
            assertEquals(published.streamId(), stream.path("id").asText(), announced.params().toString());

            int subscriberPort = Ffmpeg.freeUdpPair(CLIENT_HOST);
            receiver = Ffmpeg.receive(CLIENT_HOST, subscriberPort, 50, workDir);
            String answer = get(p.subscriber().client.receiveVideoFrom(published.streamId(),
                    Ffmpeg.subscriberOffer(CLIENT_HOST, subscriberPort)));
            assertTrue(answer.contains("a=rtpmap:96 VP8/90000"), answer);

            sender = Ffmpeg.publish(toNode.address(), toNode.rtpPort(), publisherPort, Duration.ofSeconds(20),
                    workDir.resolve("ffmpeg-publisher.log"));
            Process decoding = receiver;
            await("ffmpeg decodes 50 frames that went through the media node").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> !decoding.isAlive());
            assertEquals(0, receiver.exitValue(), () -> "ffmpeg receiver failed; see " + workDir);
            assertEquals(50, Ffmpeg.decodedFrames(workDir, subscriberPort));
            JsonNode load = mediaLoad();
            assertEquals(1, load.path("streams").asInt(), load.toString());
            assertEquals(1, load.path("subscriptions").asInt(), load.toString());

            get(p.publisher().client.unpublishVideo());
            ServerEvent unpublished = p.subscriber().awaitEvent("participantUnpublished", e -> true, "unpublish");
            assertEquals("unpublish", unpublished.param("reason"));
            get(p.publisher().client.leaveRoom());
            get(p.subscriber().client.leaveRoom());
        } finally {
            Ffmpeg.stop(sender);
            Ffmpeg.stop(receiver);
        }
        awaitNoMediaPorts();
    }

    @Test
    void syntheticStreamArrivesWholeAndInOrderLateSubscribersStartThenAndPliReachesThePublisher() throws Exception {
        InetAddress local = InetAddress.getByName(CLIENT_HOST);
        try (Pair p = pair("media-synthetic");
             RtpReactor reactor = new RtpReactor("test-rtp");
             SyntheticPublisher source = SyntheticPublisher.builder(reactor).localAddress(local)
                     .packetsPerSecond(500).packetSize(1200).startSequence(65000).packetLimit(3000).bind();
             RtpReceiver early = RtpReceiver.builder(reactor).localAddress(local).bind();
             RtpReceiver late = RtpReceiver.builder(reactor).localAddress(local).bind()) {
            PublishResult published = get(p.publisher().client.publishVideo(PublishOptions.camera(source.sdpOffer())));
            String answer = get(p.subscriber().client.receiveVideoFrom(published.streamId(), early.sdpOffer(96, "VP8")));
            early.remote(PlainRtpAnswer.parse(answer));
            source.start(PlainRtpAnswer.parse(published.sdpAnswer()));

            // A third participant, through the other master, subscribes once the stream is under way.
            await("stream under way").atMost(Duration.ofSeconds(10)).until(() -> early.stats().received() >= 500);
            Rest.Response con = TestSessions.createConnection(cluster.rest(a), p.sessionId(), "late");
            try (Participant third = Participant.connect("late", a.webSocketUri())) {
                third.join(con.body().path("token").asText(), "{}");
                String lateAnswer = get(third.client.receiveVideoFrom(published.streamId(), late.sdpOffer(96, "VP8")));
                late.remote(PlainRtpAnswer.parse(lateAnswer));

                await("every packet sent arrives").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> source.finished() && early.stats().received() == source.sent());
                RtpReceiver.StreamStats whole = early.stats().stream(source.ssrc()).orElseThrow();
                assertEquals(3000, whole.received(), whole.toString());
                assertEquals(0, whole.lost(), whole.toString());
                assertEquals(0, whole.outOfOrder(), whole.toString());
                assertEquals(0, whole.duplicates(), whole.toString());

                RtpReceiver.StreamStats joinedLate = late.stats().stream(source.ssrc()).orElseThrow();
                assertTrue(joinedLate.received() > 0 && joinedLate.received() < 3000, joinedLate.toString());
                assertEquals(0, joinedLate.lost(), "from its first packet on, nothing is missing: " + joinedLate);
                assertEquals(0, joinedLate.outOfOrder(), joinedLate.toString());

                assertTrue(late.sendPli());
                await("the PLI travels back to the publisher").atMost(Duration.ofSeconds(10))
                        .until(() -> source.plisReceived() == 1);
                get(third.client.leaveRoom());
            }
            get(p.publisher().client.leaveRoom());
            get(p.subscriber().client.leaveRoom());
        }
        awaitNoMediaPorts();
    }

    @Test
    void badMediaRequestsGetClearErrorsAndLeakNothing() throws Exception {
        try (Pair p = pair("media-bad")) {
            var pub = p.publisher().client;
            JsonRpcException malformed = Participant.rpcError(pub.publishVideo(PublishOptions.camera("v=0\r\nthis is not sdp")));
            assertEquals(400, malformed.code(), malformed.getMessage());
            assertTrue(malformed.getMessage().contains("malformed SDP line"), malformed.getMessage());

            String webrtc = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n";
            JsonRpcException unsupported = Participant.rpcError(pub.publishVideo(PublishOptions.camera(webrtc)));
            assertEquals(415, unsupported.code(), unsupported.getMessage());
            assertTrue(unsupported.getMessage().contains("RTP/AVP"), unsupported.getMessage());

            JsonRpcException unknown = Participant.rpcError(p.subscriber().client.receiveVideoFrom("str_CAM_Nope_con_x",
                    Ffmpeg.subscriberOffer(CLIENT_HOST, 30000)));
            assertEquals(404, unknown.code(), unknown.getMessage());

            JsonRpcException huge = Participant.rpcError(pub.publishVideo(PublishOptions.camera("v=0\r\n" + "a=x\r\n".repeat(5000))));
            assertEquals(-32602, huge.code(), huge.getMessage());

            get(pub.leaveRoom());
            get(p.subscriber().client.leaveRoom());
        }
        awaitNoMediaPorts();
    }

    @Test
    void runningOutOfPortsIsAClearErrorAndPortsComeBack() throws Exception {
        String sid = "media-ports-" + RUN;
        TestSessions.createSession(cluster.rest(a), sid);
        int pairs = (PORT_MAX - PORT_MIN + 1) / 2;
        List<Participant> participants = new ArrayList<>();
        try {
            for (int i = 0; i <= pairs; i++) {
                Rest.Response con = TestSessions.createConnection(cluster.rest(a), sid, "p" + i);
                Participant participant = Participant.connect("p" + i, a.webSocketUri());
                participants.add(participant);
                participant.join(con.body().path("token").asText(), "{}");
            }
            // Each participant publishes one stream, one port pair each: the last one finds none left.
            for (int i = 0; i < pairs; i++) {
                get(participants.get(i).client.publishVideo(
                        PublishOptions.camera(Ffmpeg.publisherOffer(CLIENT_HOST, 30000 + 2 * i))));
            }
            Participant last = participants.get(pairs);
            String offer = Ffmpeg.publisherOffer(CLIENT_HOST, 30000 + 2 * pairs);
            JsonRpcException full = Participant.rpcError(last.client.publishVideo(PublishOptions.camera(offer)));
            assertEquals(503, full.code(), full.getMessage());
            assertTrue(full.getMessage().contains("no free RTP port pair"), full.getMessage());

            get(participants.get(0).client.unpublishVideo());
            await("a released pair is handed out again").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> get(last.client.publishVideo(PublishOptions.camera(offer))) != null);
            for (Participant participant : participants) {
                get(participant.client.leaveRoom());
            }
        } finally {
            participants.forEach(Participant::close);
        }
        awaitNoMediaPorts();
    }

    private static void awaitNoMediaPorts() {
        await("every media port released").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> mediaLoad().path("mediaPorts").asInt() == 0 && mediaLoad().path("streams").asInt() == 0);
    }
}
