package io.tessera.master.session;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.master.medianode.FakeMediaNode;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.medianode.SessionStreams;
import io.tessera.master.placement.TestMediaNodes;
import io.tessera.master.routing.SessionRecord;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One request per media node for a whole view, and a clear answer for every session whose node cannot say. */
class LiveMediaTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static SessionRecord session(String id, String node) {
        return new SessionRecord(id, 1, node, 1, "best-effort", id, "ROUTED", "MANUAL", "VP8", false, null);
    }

    @Test
    void asksEachNodeOnceAndSaysWhyWhenANodeCannotAnswer() {
        TestProbe<MediaNodeProtocol.Command> seen1 = testKit.createTestProbe();
        TestProbe<MediaNodeProtocol.Command> seen2 = testKit.createTestProbe();
        ActorRef<MediaNodeProtocol.Command> answering = testKit.spawn(FakeMediaNode.create("media-1", seen1.getRef(),
                Set.of()));
        ActorRef<MediaNodeProtocol.Command> frozen = testKit.spawn(FakeMediaNode.create("media-2", seen2.getRef(),
                Set.of(MediaNodeProtocol.DescribeSessions.class)));
        TestMediaNodes nodes = new TestMediaNodes()
                .report("media-1", answering, "running", 2, 10)
                .report("media-2", frozen, "running", 1, 10);
        LiveMedia live = new LiveMedia(nodes.view(), new MediaNodeClient(testKit.system(), Duration.ofSeconds(5)),
                Duration.ofMillis(300));

        Map<String, SessionStreams> answers = live.of(List.of(session("a", "media-1"), session("b", "media-1"),
                session("c", "media-2"), session("d", "media-9"))).toCompletableFuture().join();

        MediaNodeProtocol.DescribeSessions asked = assertInstanceOf(MediaNodeProtocol.DescribeSessions.class,
                seen1.receiveMessage());
        assertEquals(Set.of("a", "b"), Set.copyOf(asked.sessionIds()), "one request for both sessions of media-1");
        seen1.expectNoMessage(Duration.ofMillis(100));
        assertTrue(answers.get("a").known());
        assertEquals("str_CAM_a", answers.get("a").of("con_a").orElseThrow().published().get(0).streamId());
        assertFalse(answers.get("a").of("con_b").isPresent(), "a connection the node does not list holds no media");
        assertEquals("media node media-2: the media node did not answer within 300 ms", answers.get("c").unavailable());
        assertEquals("media node media-9 is not in the cluster", answers.get("d").unavailable());
        assertTrue(answers.get("c").connections().isEmpty());
    }
}
