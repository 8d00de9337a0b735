package io.tessera.it.browser;

import io.tessera.loadtest.browser.Browsers;
import io.tessera.loadtest.browser.Browser;
import io.tessera.loadtest.browser.RtcStats;
import io.tessera.loadtest.browser.PageServer;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.media.webrtc.IceAllowList;
import io.tessera.it.JanusEnvironment;
import io.tessera.media.webrtc.janus.JanusAdminClient;
import io.tessera.media.webrtc.janus.JanusClient;
import io.tessera.media.webrtc.janus.JanusEvent;
import io.tessera.media.webrtc.janus.JanusException;
import io.tessera.media.webrtc.janus.JanusProcess;
import io.tessera.media.webrtc.janus.JanusSettings;
import io.tessera.media.webrtc.janus.VideoRoomHandle;
import io.tessera.media.webrtc.janus.VideoRoomHandle.Candidate;
import io.tessera.media.webrtc.janus.VideoRoomHandle.Jsep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WebRTC engine without OpenVidu signalling: a real Janus (started by the media node's supervisor) and two real
 * Chromium pages, with the test relaying offers, answers and trickled candidates through {@link JanusClient}, every
 * remote candidate filtered through the loopback {@link IceAllowList} first.
 *
 * <p>Runs in the browser execution's network namespace (tag {@code browser}): Janus gathers on 127.0.0.2 there.
 */
@Tag("browser")
class JanusEngineBrowserTest {
    private static final Logger log = LoggerFactory.getLogger(JanusEngineBrowserTest.class);
    /** The address the browser execution's namespace puts on a non-loopback interface (src/test/netns/bin/java). */
    private static final String JANUS_ADDRESS = JanusEnvironment.JANUS_ADDRESS;
    private static final Duration MEDIA_TIMEOUT = Duration.ofSeconds(45);

    @TempDir
    Path janusDir;
    private JanusProcess janus;
    private JanusClient client;
    private JanusAdminClient admin;
    private PageServer pages;
    private Browsers browsers;
    private final List<JanusEvent> events = new CopyOnWriteArrayList<>();
    private final IceAllowList allow = IceAllowList.loopback();
    private final AtomicInteger refusedCandidates = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        int ws = JanusEnvironment.freeLoopbackPort();
        int adminPort = JanusEnvironment.freeLoopbackPort();
        JanusSettings settings = JanusSettings.local(janusDir, ws, adminPort, 20000, 20099)
                .gatheringOnlyOn(JANUS_ADDRESS);
        janus = JanusProcess.start(settings, JanusProcess.RestartPolicy.defaults(), JanusProcess.Listener.IGNORE);
        client = JanusClient.connect(janus.apiUri(), janus.clientOptions(), JanusEvent.Listener.eventsTo(events::add)).get(10, TimeUnit.SECONDS);
        admin = JanusAdminClient.connect(janus.adminUri().orElseThrow(), janus.adminSecret(), Duration.ofSeconds(5))
                .get(10, TimeUnit.SECONDS);
        pages = new PageServer();
        browsers = new Browsers(2);
    }

    @AfterEach
    void stop() {
        try {
            if (browsers != null) {
                browsers.close(); // asserts that no chromedriver or Chromium process is left
            }
        } finally {
            if (pages != null) {
                pages.close();
            }
            if (admin != null) {
                admin.close();
            }
            if (client != null) {
                client.close();
            }
            if (janus != null) {
                janus.close();
                assertTrue(janus.pid().isEmpty(), "Janus stopped");
                assertEquals(List.of(), ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                        .filter(handle -> handle.info().command().orElse("").endsWith("/janus"))
                        .map(ProcessHandle::pid).toList(), "no janus process left");
            }
        }
    }

    @Test
    void oneBrowserPublishesAudioAndVideoAnotherReceivesBothOverLoopback() throws Exception {
        String room = "engine-test";
        Set<Long> handlesBefore = Set.copyOf(get(admin.handles(client.sessionId())));
        VideoRoomHandle manager = get(client.attachVideoRoom());
        get(manager.createRoom(room, VideoRoomHandle.RoomOptions.defaults()));

        Browser alice = browsers.open("alice");
        alice.open(pages.uri("engine-test.html"));
        String offer = alice.call("page.publish").asText();
        assertTrue(offer.contains("m=audio") && offer.contains("m=video"), "one PeerConnection, audio and video");
        String filteredOffer = allow.filterSdp(offer);
        assertTrue(filteredOffer.lines().filter(line -> line.startsWith("a=candidate:"))
                .allMatch(allow::allowsCandidate), "no refused candidate left in the offer");
        VideoRoomHandle publisher = get(client.attachVideoRoom());
        Jsep answer = get(publisher.publish(room, "alice", Jsep.offer(filteredOffer)));
        assertOnlyAddress(answer.sdp(), JANUS_ADDRESS);
        alice.call("page.acceptAnswer", answer.sdp());
        relayCandidates(alice, publisher);
        await("alice publishes").atMost(MEDIA_TIMEOUT).until(() ->
                get(manager.participants(room)).contains(new VideoRoomHandle.Participant("alice", true)));

        Browser bob = browsers.open("bob");
        bob.open(pages.uri("engine-test.html"));
        VideoRoomHandle subscriber = get(client.attachVideoRoom());
        Jsep serverOffer = get(subscriber.subscribe(room, "alice"));
        assertOnlyAddress(serverOffer.sdp(), JANUS_ADDRESS);
        String bobAnswer = bob.call("page.subscribe", serverOffer.sdp()).asText();
        get(subscriber.start(Jsep.answer(allow.filterSdp(bobAnswer))));
        relayCandidates(bob, subscriber);

        RtcStats first = awaitStats(bob, "bob receives", stats -> stats.videoFramesDecoded() > 0
                && stats.audioPacketsReceived() > 0);
        RtcStats later = awaitStats(bob, "bob's media keeps flowing", stats ->
                stats.videoFramesDecoded() > first.videoFramesDecoded() + 10
                        && stats.audioPacketsReceived() > first.audioPacketsReceived() + 20);
        RtcStats sent = alice.stats("page.pc");
        log.info("alice sent {} video / {} audio packets; bob decoded {} frames, got {} audio packets; pairs {} -> {}"
                        + " and {} -> {}; {} remote candidates refused", sent.videoPacketsSent(),
                sent.audioPacketsSent(), later.videoFramesDecoded(), later.audioPacketsReceived(),
                sent.localAddress(), sent.remoteAddress(), later.localAddress(), later.remoteAddress(),
                refusedCandidates.get());
        assertTrue(refusedCandidates.get() > 0, "the browsers offered candidates on the namespace's other "
                + "addresses (198.51.100.2, fd00:99::2), and the allow-list refused them");
        assertTrue(sent.selectedPairOnLoopback(), "alice's pair: " + sent);
        assertTrue(later.selectedPairOnLoopback(), "bob's pair: " + later);
        assertEquals(JANUS_ADDRESS, sent.remoteAddress(), "alice sends to Janus's address");
        assertEquals(JANUS_ADDRESS, later.remoteAddress(), "bob receives from Janus's address");
        assertTrue(events.stream().anyMatch(event -> event.kind() == JanusEvent.Kind.WEBRTC_UP
                && event.handleId() == subscriber.handleId()), "Janus reported bob's PeerConnection up");

        // release: the subscriber leaves, the publisher unpublishes and leaves, the room goes
        get(subscriber.leave());
        get(subscriber.detach());
        get(publisher.unpublish());
        await("alice no longer publishes").atMost(Duration.ofSeconds(10)).until(() ->
                get(manager.participants(room)).stream().noneMatch(VideoRoomHandle.Participant::publishing));
        get(publisher.leave());
        get(publisher.detach());
        get(manager.destroyRoom(room));
        get(manager.detach());
        assertEquals(handlesBefore, Set.copyOf(get(admin.handles(client.sessionId()))),
                "Janus released every handle");
        await("Janus reports the PeerConnections gone").atMost(Duration.ofSeconds(10)).until(() ->
                events.stream().filter(event -> event.kind() == JanusEvent.Kind.HANGUP
                        || event.kind() == JanusEvent.Kind.DETACHED).count() >= 2);
    }

    @Test
    void aMalformedOfferGetsJanussErrorAndLeavesTheSessionHealthy() throws Exception {
        String room = "bad-input";
        VideoRoomHandle manager = get(client.attachVideoRoom());
        get(manager.createRoom(room, VideoRoomHandle.RoomOptions.defaults()));
        VideoRoomHandle publisher = get(client.attachVideoRoom());
        JanusException malformed = failure(publisher.publish(room, "mallory",
                Jsep.offer("v=0\r\nm=video nonsense\r\n")));
        assertTrue(malformed.code() > 0, malformed.getMessage());
        assertTrue(malformed.getMessage().startsWith("Janus error " + malformed.code() + ": "), malformed.getMessage());
        log.info("malformed offer: {}", malformed.getMessage());
        // an offer whose only candidates were refused still gets an answer; ICE simply finds no pair
        JanusException noSuchRoom = failure(publisher.publish("no-such-room", "mallory",
                Jsep.offer("v=0\r\n")));
        assertTrue(noSuchRoom.code() > 0, noSuchRoom.getMessage());
        client.ping().get(5, TimeUnit.SECONDS);
        get(manager.destroyRoom(room));
        get(publisher.detach());
        get(manager.detach());
    }

    /** Relays the page's candidates to Janus until the page has gathered them all, dropping refused ones. */
    private void relayCandidates(Browser browser, VideoRoomHandle handle) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode taken = browser.call("page.takeCandidates");
            List<Candidate> allowed = new ArrayList<>();
            for (JsonNode candidate : taken.path("candidates")) {
                String line = candidate.path("candidate").asText();
                if (allow.allowsCandidate(line)) {
                    allowed.add(new Candidate(line, candidate.path("sdpMid").asText(null),
                            candidate.path("sdpMLineIndex").asInt()));
                } else {
                    refusedCandidates.incrementAndGet();
                    log.info("{}: candidate refused by the allow-list: {}", browser.name(), line);
                }
            }
            if (allowed.size() == 1) {
                get(handle.trickle(allowed.get(0)));
            } else if (!allowed.isEmpty()) {
                get(handle.trickle(allowed));
            }
            if (taken.path("done").asBoolean()) {
                get(handle.trickleCompleted());
                return;
            }
            await().pollDelay(Duration.ofMillis(100)).until(() -> true);
        }
        throw new AssertionError(browser.name() + " did not finish gathering candidates within 20 s");
    }

    private RtcStats awaitStats(Browser browser, String what, java.util.function.Predicate<RtcStats> condition) {
        RtcStats[] last = new RtcStats[1];
        await(what).atMost(MEDIA_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = browser.stats("page.pc");
            return condition.test(last[0]);
        });
        return last[0];
    }

    private static void assertOnlyAddress(String sdp, String address) {
        List<String> candidates = sdp.lines().filter(line -> line.startsWith("a=candidate:")).toList();
        assertTrue(!candidates.isEmpty(), "Janus put no candidate in its SDP");
        for (String line : candidates) {
            assertEquals(address, IceAllowList.candidateAddress(line).orElseThrow(), line);
        }
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(15, TimeUnit.SECONDS);
    }

    private static JanusException failure(CompletableFuture<?> future) {
        CompletionException error = assertThrows(CompletionException.class,
                () -> future.orTimeout(15, TimeUnit.SECONDS).join());
        return assertInstanceOf(JanusException.class, error.getCause());
    }
}
