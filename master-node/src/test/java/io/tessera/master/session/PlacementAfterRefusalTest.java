package io.tessera.master.session;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.Command;
import io.tessera.master.medianode.FakeMediaNode;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.placement.PlacementMeters;
import io.tessera.master.placement.PlacementPolicy;
import io.tessera.master.placement.TestMediaNodes;
import io.tessera.master.routing.InMemoryRoutes;
import io.tessera.master.routing.SessionRecord;
import io.tessera.wire.jsonrpc.ErrorCode;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Near capacity a master may choose a node that is already full (load reports are a moment old): the node refuses,
 * and the session goes to another node with room; 503 only when every available node refused (OPERATIONS, "sessions
 * per media node"). A named node and a silent node are not replaced.
 */
class PlacementAfterRefusalTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    private static final String FULL = "media node %s hosts its maximum of 10 sessions";

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** A media node that is full: it refuses every new session with 503, as a SessionManager at max-sessions does. */
    private static Behavior<Command> full(String nodeId, ActorRef<Command> seen) {
        return Behaviors.receive(Command.class).onMessage(MediaNodeProtocol.HostSession.class, host -> {
            seen.tell(host);
            host.replyTo().tell(Ack.failure(ErrorCode.UNAVAILABLE, FULL.formatted(nodeId)));
            return Behaviors.same();
        }).build();
    }

    private record Fixture(SessionService service, InMemoryRoutes routes, MeterRegistry registry,
                           TestProbe<Command> seen) {
        double counted(String name, String outcome) {
            return outcome == null ? registry.counter(name).count()
                    : registry.counter(name, "kind", "create", "outcome", outcome).count();
        }
    }

    private enum Node { WITH_ROOM, FULL, SILENT }

    /** media-1 and media-2 reported empty (so media-1 is chosen first, by id), each behaving as given. */
    private static Fixture fixture(Node media1, Node media2) {
        TestProbe<Command> seen = testKit.createTestProbe();
        TestMediaNodes nodes = new TestMediaNodes();
        for (String id : new String[] {"media-1", "media-2"}) {
            Node node = id.equals("media-1") ? media1 : media2;
            nodes.report(id, testKit.spawn(switch (node) {
                case FULL -> full(id, seen.getRef());
                case SILENT -> FakeMediaNode.create(id, seen.getRef(), Set.of(MediaNodeProtocol.HostSession.class));
                case WITH_ROOM -> FakeMediaNode.create(id, seen.getRef(), Set.of());
            }), "running", 0, 10);
        }
        boolean silence = media1 == Node.SILENT || media2 == Node.SILENT;
        MeterRegistry registry = new SimpleMeterRegistry();
        InMemoryRoutes routes = new InMemoryRoutes();
        SessionService service = new SessionService(testKit.system(), routes, nodes.view(), new PlacementPolicy(3000),
                new Tokens("http://127.0.0.1:4443"), Duration.ofMinutes(5),
                // Answers may be slow on a loaded machine; the short timeout only where the test waits out a silence.
                new MediaNodeClient(testKit.system(), silence ? Duration.ofMillis(300) : Duration.ofSeconds(10)),
                new PlacementMeters(registry));
        return new Fixture(service, routes, registry, seen);
    }

    private static SessionService.NewSession session(String id, String mediaNodeId) {
        return new SessionService.NewSession(id, "ROUTED", "MANUAL", "VP8", false, null, mediaNodeId, "best-effort");
    }

    private static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static ApiError refusal(CompletionStage<?> stage) {
        CompletionException failed = assertThrows(CompletionException.class, () -> await(stage));
        return assertInstanceOf(ApiError.class, ApiError.cause(failed));
    }

    private String hostedOn(TestProbe<Command> seen) {
        return seen.expectMessageClass(MediaNodeProtocol.HostSession.class).sessionId();
    }

    @Test
    void aSessionAFullNodeRefusesIsPlacedOnAnotherWithRoom() {
        Fixture f = fixture(Node.FULL, Node.WITH_ROOM);
        SessionRecord created = await(f.service().createSession(session("s1", null)));
        assertEquals("media-2", created.mediaNodeId());
        assertEquals("s1", hostedOn(f.seen()), "media-1 was asked first");
        assertEquals("s1", hostedOn(f.seen()), "then media-2");
        assertEquals("media-2", await(f.routes().session("s1")).orElseThrow().mediaNodeId());
        assertEquals(1, f.counted("tessera.master.placements.refused", null));
        assertEquals(1, f.counted("tessera.master.placements", "placed"));
        assertEquals(0, f.counted("tessera.master.placements", "failed")
                + f.counted("tessera.master.placements", "no_capacity"));
    }

    @Test
    void whenEveryNodeRefusesTheAnswerIs503WithTheNodesReason() {
        Fixture f = fixture(Node.FULL, Node.FULL);
        ApiError error = refusal(f.service().createSession(session("s2", null)));
        assertEquals(503, error.status());
        assertTrue(error.getMessage().contains("hosts its maximum of 10 sessions"), error.getMessage());
        assertEquals("s2", hostedOn(f.seen()));
        assertEquals("s2", hostedOn(f.seen()));
        f.seen().expectNoMessage(Duration.ofMillis(100)); // each node asked once
        assertTrue(await(f.routes().session("s2")).isEmpty(), "not routed");
        assertEquals(2, f.counted("tessera.master.placements.refused", null));
        assertEquals(1, f.counted("tessera.master.placements", "no_capacity"));
        assertEquals(0, f.counted("tessera.master.placements", "placed")
                + f.counted("tessera.master.placements", "failed"));
    }

    @Test
    void aNamedNodeThatIsFullIs503AndNotReplaced() {
        Fixture f = fixture(Node.FULL, Node.WITH_ROOM);
        ApiError error = refusal(f.service().createSession(session("s3", "media-1")));
        assertEquals(503, error.status());
        assertEquals(FULL.formatted("media-1"), error.getMessage());
        assertEquals("s3", hostedOn(f.seen()));
        f.seen().expectNoMessage(Duration.ofMillis(100)); // media-2 was not asked
        assertEquals(1, f.counted("tessera.master.placements", "failed"));
        assertEquals(0, f.counted("tessera.master.placements.refused", null));
    }

    @Test
    void aNodeWithRoomIsAskedOnceAndNothingIsRefused() {
        Fixture f = fixture(Node.WITH_ROOM, Node.WITH_ROOM);
        assertEquals("media-1", await(f.service().createSession(session("s4", null))).mediaNodeId());
        assertEquals("s4", hostedOn(f.seen()));
        f.seen().expectNoMessage(Duration.ofMillis(100));
        assertEquals(0, f.counted("tessera.master.placements.refused", null));
        assertEquals(1, f.counted("tessera.master.placements", "placed"));
    }

    /** After a silence the node may host the session: placing it elsewhere too could leave two copies. */
    @Test
    void aSilentNodeIs503AndNotReplaced() {
        Fixture f = fixture(Node.SILENT, Node.WITH_ROOM);
        ApiError error = refusal(f.service().createSession(session("s5", null)));
        assertEquals(503, error.status());
        assertTrue(error.getMessage().contains("did not answer within 300 ms"), error.getMessage());
        assertEquals("s5", hostedOn(f.seen()));
        f.seen().expectNoMessage(Duration.ofMillis(100)); // media-2 was not asked
        assertEquals(1, f.counted("tessera.master.placements", "failed"));
        assertEquals(0, f.counted("tessera.master.placements.refused", null));
    }
}
