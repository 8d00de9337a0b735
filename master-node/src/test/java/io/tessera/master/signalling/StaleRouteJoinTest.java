package io.tessera.master.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.ToSignalling;
import io.tessera.master.medianode.FakeMediaNode;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.placement.PlacementMeters;
import io.tessera.master.placement.PlacementPolicy;
import io.tessera.master.placement.TestMediaNodes;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.ForwardingRoutes;
import io.tessera.master.routing.InMemoryRoutes;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.session.SessionService;
import io.tessera.master.session.Tokens;
import io.tessera.wire.jsonrpc.JsonRpc;
import io.tessera.wire.jsonrpc.OpenViduResult;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A master whose replica still names the node a session moved away from: the old node refuses the join as a stale
 * route, the master reads the route again from the majority and the participant joins on the session's node.
 */
class StaleRouteJoinTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** This master's replica: sessions as they were before the move; the majority's answer is the current one. */
    private static final class LaggingRoutes extends ForwardingRoutes {
        final InMemoryRoutes current = new InMemoryRoutes();
        volatile SessionRecord stale;

        @Override
        protected Routes delegate() {
            return current;
        }

        @Override
        public CompletionStage<Optional<SessionRecord>> session(String sessionId) {
            SessionRecord lagging = stale;
            return lagging != null && lagging.sessionId().equals(sessionId)
                    ? CompletableFuture.completedFuture(Optional.of(lagging)) : current.session(sessionId);
        }
    }

    @Test
    void aJoinRefusedForAStaleRouteIsSentWhereTheMajoritysRouteSays() throws Exception {
        TestProbe<MediaNodeProtocol.Command> oldNode = testKit.createTestProbe();
        TestProbe<MediaNodeProtocol.Command> newNode = testKit.createTestProbe();
        // media-1 released its copy when the session moved to media-2 (drain): it refuses the old route's joins
        ActorRef<MediaNodeProtocol.Command> media1 = testKit.spawn(Behaviors.receiveMessage(command -> {
            oldNode.getRef().tell(command);
            if (command instanceof MediaNodeProtocol.Join join) {
                join.reject(409, MediaNodeProtocol.STALE_ROUTE + "session moved away from this node");
            } else if (command instanceof MediaNodeProtocol.HostSession host) {
                host.replyTo().tell(MediaNodeProtocol.Ack.success());
            }
            return Behaviors.same();
        }));
        ActorRef<MediaNodeProtocol.Command> media2 = testKit.spawn(FakeMediaNode.create("media-2", newNode.getRef(),
                Set.of()));
        TestMediaNodes nodes = new TestMediaNodes().report("media-1", media1, "running", 0, 10)
                .report("media-2", media2, "running", 10, 10);
        LaggingRoutes routes = new LaggingRoutes();
        SessionService sessions = new SessionService(testKit.system(), routes, nodes.view(), new PlacementPolicy(3000),
                new Tokens("ws://127.0.0.1:4443"), Duration.ofMinutes(5),
                new MediaNodeClient(testKit.system(), Duration.ofMillis(500)),
                new PlacementMeters(new SimpleMeterRegistry()));
        sessions.createSession(new SessionService.NewSession("s1", "ROUTED", "MANUAL", "VP8", false, null, null,
                "normal")).toCompletableFuture().join();
        oldNode.expectMessageClass(MediaNodeProtocol.HostSession.class);
        ConnectionRecord c = sessions.createConnection("s1", new SessionService.NewConnection("PUBLISHER", false, ""))
                .toCompletableFuture().join();
        routes.stale = routes.current.session("s1").toCompletableFuture().join().orElseThrow();
        SessionRecord moved = routes.current.relocateSession("s1", "media-1", "media-2").toCompletableFuture().join()
                .orElseThrow();

        TestProbe<String> socket = testKit.createTestProbe();
        ActorRef<ToSignalling> connection = testKit.spawn(ClientConnection.create(sessions,
                new Outbox(socket.getRef(), 1 << 20), new SignallingSettings(100, 64 * 1024,
                        Duration.ofMinutes(1), 1000, OpenViduResult.IceServer.parseList(
                        OpenViduResult.IceServer.LOOPBACK_DEFAULT), Duration.ofSeconds(8)),
                testKit.<RelocationRelay.Command>createTestProbe().getRef(), SignallingMeters.unscraped(), () -> { }));
        connection.tell(new ClientConnection.Inbound("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"joinRoom\",\"params\":"
                + "{\"token\":\"" + sessions.tokens().url("s1", c.token()) + "\",\"session\":\"s1\",\"platform\":\"t\"}}"));
        JsonNode answer = JsonRpc.MAPPER.readTree(socket.receiveMessage(Duration.ofSeconds(5)));

        assertEquals(routes.stale.epoch(), oldNode.expectMessageClass(MediaNodeProtocol.Join.class).routeEpoch(),
                "the first join went through the lagging replica's route");
        assertEquals(moved.epoch(), newNode.expectMessageClass(MediaNodeProtocol.Join.class).routeEpoch(),
                "then through the majority's");
        assertEquals(c.connectionId(), answer.path("result").path("id").asText(), answer.toString());
        assertEquals(FakeMediaNode.secretOf("media-2"), answer.path("result").path("resumeSecret").asText(),
                "the new node's participation");
    }
}
