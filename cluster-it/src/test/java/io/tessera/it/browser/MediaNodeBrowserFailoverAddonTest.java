package io.tessera.it.browser;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MediaNodeBrowserFailoverTest}'s kill and drain with the optional tessera-browser add-on
 * ({@code demo/tessera-browser}) loaded in every page, as the master's demo route serves it: on {@code mediaNodeFailed}
 * each page's publisher rebuilds its stream at once instead of after its ICE timers. Besides everything the
 * unmodified run checks (video back at every subscriber, nobody left, no {@code sessionDisconnected}), every page must
 * have been told of the move with the fault's reason and have rebuilt its publisher through the add-on; after a kill,
 * every page then resumes on a new socket through the add-on (lastSeq, the new resume secret). The time from
 * the fault to each subscriber's first new frame is logged for docs/BENCHMARKS.md, not asserted.
 */
class MediaNodeBrowserFailoverAddonTest extends MediaNodeBrowserFailoverTest {
    private static final Logger log = LoggerFactory.getLogger(MediaNodeBrowserFailoverAddonTest.class);
    /** The library reconnects at once; generous for a loaded machine. */
    private static final Duration RESUME = Duration.ofSeconds(30);

    @Override
    protected boolean withAddon() {
        return true;
    }

    @Override
    protected void checkPages(List<Peer> peers, String reason, long faultAt) {
        for (Peer peer : peers) {
            JsonNode events = peer.browser().call("page.report").path("events");
            List<String> told = new ArrayList<>();
            long toldAfter = -1;
            long lostAfter = -1;
            List<String> rebuilt = new ArrayList<>();
            for (JsonNode event : events) {
                String type = event.path("type").asText();
                JsonNode detail = event.path("detail");
                switch (type) {
                    case "addon:mediaNodeFailed" -> {
                        told.add(detail.path("reason").asText());
                        toldAfter = event.path("at").asLong() - faultAt;
                    }
                    case "addon:mediaNodeLost" -> lostAfter = event.path("at").asLong() - faultAt;
                    case "addon:publisherRebuilt" -> rebuilt.add(detail.path("ms").asLong() + " ms in "
                            + detail.path("attempts").asInt() + " attempt(s)");
                    case "addon:publisherRebuildFailed" -> throw new AssertionError(peer.connectionId()
                            + "'s add-on gave up rebuilding its publisher: " + detail);
                    default -> {
                    }
                }
            }
            assertEquals(List.of(reason), told, peer.connectionId() + " was told of the move once: " + events);
            assertTrue(!rebuilt.isEmpty(), peer.connectionId() + "'s add-on rebuilt its publisher: " + events);
            // where the time goes: the cluster (fault to the page told) and the browser (told to re-published)
            // mediaNodeLost: the early word of a death (-1: none, as for a drain)
            log.info("BENCHMARK add-on {}: {} told {} ms after the fault (mediaNodeLost {} ms), rebuilt its publisher"
                    + " {}", reason, peer.connectionId(), toldAfter, lostAfter, rebuilt);
        }
        if ("nodeCrashed".equals(reason)) {
            resumeAfterTheMove(peers);
        }
    }

    /**
     * After the session moved, every page's socket is replaced (the library's own reconnection, as on a ping timeout):
     * the add-on's resume carries {@code lastSeq} and the resume secret {@code mediaNodeFailed} brought, and must be
     * accepted: {@code reconnected}, no {@code sessionDisconnected}, nothing replayed twice.
     */
    private static void resumeAfterTheMove(List<Peer> peers) {
        for (Peer peer : peers) {
            peer.browser().run("page.session.openvidu.jsonRpcClient.reconnect();");
        }
        for (Peer peer : peers) {
            await(peer.connectionId() + " resumed").atMost(RESUME).pollInterval(Duration.ofMillis(200))
                    .until(() -> count(peer, "reconnected") + count(peer, "sessionDisconnected") > 0);
            JsonNode events = peer.browser().call("page.report").path("events");
            assertEquals(0, count(peer, "sessionDisconnected"), peer.connectionId() + " lost its session: " + events);
            assertEquals(1, count(peer, "addon:resumeSent"), peer.connectionId() + " resumed through the add-on: "
                    + events);
            assertEquals(0, count(peer, "addon:duplicateDropped"), "nothing came twice: " + events);
            log.info("{} resumed with lastSeq {} after the move", peer.connectionId(),
                    peer.browser().run("return page.addon.lastSeq;"));
        }
    }

    private static long count(Peer peer, String type) {
        long n = 0;
        for (JsonNode event : peer.browser().call("page.report").path("events")) {
            if (type.equals(event.path("type").asText())) {
                n++;
            }
        }
        return n;
    }
}
