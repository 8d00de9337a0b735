package io.tessera.master.session;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.master.medianode.FakeMediaNode;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.placement.PlacementMeters;
import io.tessera.master.placement.PlacementPolicy;
import io.tessera.master.placement.TestMediaNodes;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.InMemoryRoutes;
import io.tessera.master.routing.SessionRecord;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SessionService in one JVM: in-memory routes and scripted media nodes instead of a cluster. */
class SessionServiceTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private static ApiError refusal(CompletionStage<?> stage) {
        CompletionException failed = assertThrows(CompletionException.class, () -> await(stage));
        return assertInstanceOf(ApiError.class, ApiError.cause(failed));
    }

    private record Fixture(SessionService service, InMemoryRoutes routes, TestProbe<MediaNodeProtocol.Command> seen) {
    }

    private static Fixture fixture(Set<Class<? extends MediaNodeProtocol.Command>> silentFor) {
        return fixture(silentFor, () -> true);
    }

    private static Fixture fixture(Set<Class<? extends MediaNodeProtocol.Command>> silentFor,
                                   java.util.function.BooleanSupplier routesComplete) {
        TestProbe<MediaNodeProtocol.Command> seen = testKit.createTestProbe();
        ActorRef<MediaNodeProtocol.Command> node = testKit.spawn(FakeMediaNode.create("media-1", seen.getRef(), silentFor));
        TestMediaNodes nodes = new TestMediaNodes().report("media-1", node, "running", 0, 10);
        InMemoryRoutes routes = new InMemoryRoutes();
        SessionService service = new SessionService(testKit.system(), routes, nodes.view(), new PlacementPolicy(3000),
                new Tokens("http://127.0.0.1:4443"), Duration.ofMinutes(5),
                // Answers may be slow on a loaded machine; the short timeout only where the test waits out a silence.
                new MediaNodeClient(testKit.system(), silentFor.isEmpty() ? Duration.ofSeconds(10) : Duration.ofMillis(300)),
                new PlacementMeters(new SimpleMeterRegistry()), routesComplete);
        return new Fixture(service, routes, seen);
    }

    private static SessionService.NewSession session(String id) {
        return new SessionService.NewSession(id, "ROUTED", "MANUAL", "VP8", false, null, null, "best-effort");
    }

    @Test
    void aSessionIsHostedOnItsNodeBeforeItIsRouted() {
        Fixture f = fixture(Set.of());
        SessionRecord created = await(f.service().createSession(session("s1")));
        assertEquals("media-1", created.mediaNodeId());
        assertEquals("s1", f.seen().expectMessageClass(MediaNodeProtocol.HostSession.class).sessionId());
        assertTrue(await(f.routes().session("s1")).isPresent());
        assertEquals(409, refusal(f.service().createSession(session("s1"))).status());
    }

    @Test
    void aTokenAdmitsOneJoinToItsSession() {
        Fixture f = fixture(Set.of());
        await(f.service().createSession(session("s2")));
        ConnectionRecord connection = await(f.service().createConnection("s2",
                new SessionService.NewConnection("PUBLISHER", false, "")));
        SessionService.JoinTicket ticket = await(f.service().authorizeJoin("s2",
                f.service().tokens().url("s2", connection.token())));
        assertEquals(connection.connectionId(), ticket.connection().connectionId());
        assertEquals(401, refusal(f.service().authorizeJoin("s2", "tok_wrong")).status());
        assertEquals(404, refusal(f.service().authorizeJoin("nope", connection.token())).status());
        await(f.routes().updateConnection("s2", connection.connectionId(), c -> c.activated(1, "", "", null)));
        assertEquals(409, refusal(f.service().authorizeJoin("s2", connection.token())).status());
    }

    /**
     * After a rebuild that failed, this master's table may lack sessions a media node hosts: what it lacks is 503
     * (retry), not 404 (gone), and a custom id it lacks is not created again; once the table is complete, 404.
     */
    @Test
    void whatAnIncompleteTableLacksIs503NotNotFoundAndACustomIdIsNotTakenTwice() {
        java.util.concurrent.atomic.AtomicBoolean complete = new java.util.concurrent.atomic.AtomicBoolean(false);
        Fixture f = fixture(Set.of(), complete::get);
        ApiError lacked = refusal(f.service().session("lost"));
        assertEquals(503, lacked.status());
        assertTrue(lacked.getMessage().contains("incomplete"), lacked.getMessage());
        assertEquals(503, refusal(f.service().authorizeJoin("lost", "tok_x")).status());
        assertEquals(503, refusal(f.service().locateForResume("lost", "con_x")).status());
        assertEquals(503, refusal(f.service().createSession(session("lost"))).status(), "the custom id may exist");
        f.seen().expectNoMessage(Duration.ofMillis(100)); // nothing was placed
        SessionRecord fresh = await(f.service().createSession(session(null))); // a new id cannot clash
        assertEquals(503, refusal(f.service().locateForResume(fresh.sessionId(), "con_x")).status(),
                "its connection may be on the media node");

        complete.set(true);
        assertEquals(404, refusal(f.service().session("lost")).status());
        assertEquals(404, refusal(f.service().authorizeJoin("lost", "tok_x")).status());
        assertEquals(404, refusal(f.service().locateForResume(fresh.sessionId(), "con_x")).status());
        assertEquals("lost", await(f.service().createSession(session("lost"))).sessionId());
    }

    @Test
    void aSilentMediaNodeIs503() {
        Fixture f = fixture(Set.of(MediaNodeProtocol.HostSession.class));
        ApiError error = refusal(f.service().createSession(session("s3")));
        assertEquals(503, error.status());
        assertTrue(error.getMessage().contains("did not answer within 300 ms"), error.getMessage());
        assertTrue(await(f.routes().session("s3")).isEmpty(), "not routed when the node did not host it");
    }

    @Test
    void aRevokedParticipantIsEvictedAndAClosedSessionClosedOnItsNode() {
        Fixture f = fixture(Set.of());
        await(f.service().createSession(session("s4")));
        f.seen().expectMessageClass(MediaNodeProtocol.HostSession.class);
        ConnectionRecord pending = await(f.service().createConnection("s4",
                new SessionService.NewConnection("PUBLISHER", false, "")));
        ConnectionRecord joined = await(f.service().createConnection("s4",
                new SessionService.NewConnection("PUBLISHER", false, "")));
        await(f.routes().updateConnection("s4", joined.connectionId(), c -> c.activated(1, "", "", null)));

        // A token nobody used is only revoked: the node has nobody to evict.
        await(f.service().deleteConnection("s4", pending.connectionId()));
        await(f.service().deleteConnection("s4", joined.connectionId()));
        MediaNodeProtocol.Evict evict = f.seen().expectMessageClass(MediaNodeProtocol.Evict.class);
        assertEquals(List.of("s4", joined.connectionId(), "forceDisconnectByServer"),
                List.of(evict.sessionId(), evict.connectionId(), evict.reason()));
        assertTrue(await(f.routes().connection("s4", joined.connectionId())).isEmpty());

        await(f.service().closeSession("s4"));
        MediaNodeProtocol.CloseSession close = f.seen().expectMessageClass(MediaNodeProtocol.CloseSession.class);
        assertEquals(List.of("s4", SessionService.CLOSED_BY_SERVER), List.of(close.sessionId(), close.reason()));
        assertTrue(await(f.routes().session("s4")).isEmpty(), "gone from the routing table before the node closes it");
    }
}
