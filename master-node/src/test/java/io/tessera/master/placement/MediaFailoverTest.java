package io.tessera.master.placement;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.master.medianode.FakeMediaNode;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.routing.InMemoryRoutes;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.webhook.Webhooks;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import io.tessera.common.cluster.ClusterFanout;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The failover coordinator in one JVM (a one-node cluster on loopback): in-memory routes, scripted media nodes. */
class MediaFailoverTest {
    static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.enabled = off
                """).withFallback(ConfigFactory.load()));
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** media-1 draining with session {@code sessionId} on it, media-2 running and empty; each seen by a probe. */
    private record DrainScene(TestProbe<MediaNodeProtocol.Command> node1, TestProbe<MediaNodeProtocol.Command> node2,
                              TestMediaNodes nodes, InMemoryRoutes routes) {
    }

    private static DrainScene drainScene(String sessionId) {
        TestProbe<MediaNodeProtocol.Command> node1 = testKit.createTestProbe();
        TestProbe<MediaNodeProtocol.Command> node2 = testKit.createTestProbe();
        ActorRef<MediaNodeProtocol.Command> manager1 = testKit.spawn(FakeMediaNode.create("media-1", node1.getRef(), Set.of()));
        ActorRef<MediaNodeProtocol.Command> manager2 = testKit.spawn(FakeMediaNode.create("media-2", node2.getRef(), Set.of()));
        TestMediaNodes nodes = new TestMediaNodes()
                .report("media-1", manager1, "draining", 1, 10)
                .report("media-2", manager2, "running", 0, 10);
        InMemoryRoutes routes = new InMemoryRoutes();
        routes.createSession(new SessionRecord(sessionId, 1, "media-1", 1, "best-effort", sessionId, "ROUTED", "MANUAL",
                "VP8", false, null));
        return new DrainScene(node1, node2, nodes, routes);
    }

    @Test
    void aDrainedNodesSessionsMoveAtTheDeadlineAndItsCopyIsReleased() {
        DrainScene scene = drainScene("s1");
        TestProbe<MediaNodeProtocol.Command> node1 = scene.node1();
        TestProbe<MediaNodeProtocol.Command> node2 = scene.node2();
        TestMediaNodes nodes = scene.nodes();
        InMemoryRoutes routes = scene.routes();
        ActorRef<MediaFailover.Command> failover = testKit.spawn(MediaFailover.create(routes, nodes.view(),
                new PlacementPolicy(3000), new MediaNodeClient(testKit.system(), Duration.ofSeconds(1)), 1,
                Webhooks.noop(), new PlacementMeters(new SimpleMeterRegistry())));

        failover.tell(new MediaFailover.Drain("media-1", System.currentTimeMillis()));

        assertEquals("s1", node2.expectMessageClass(MediaNodeProtocol.HostSession.class, Duration.ofSeconds(10))
                .sessionId());
        // The old copy hears at once that the route moved on (epoch 2): it takes no join through the old route.
        assertEquals(new MediaNodeProtocol.SupersedeSession("s1", 2),
                node1.expectMessageClass(MediaNodeProtocol.SupersedeSession.class, Duration.ofSeconds(10)));
        node1.expectMessageClass(MediaNodeProtocol.DescribeSessions.class, Duration.ofSeconds(10));
        // Nothing rebuilds the stream here (browsers without the add-on wait for their ICE to break): released at
        // the bound (drain-release-after, 5 s by default).
        assertEquals("s1", node1.expectMessageClass(MediaNodeProtocol.ReleaseSession.class, Duration.ofSeconds(15))
                .sessionId());
        SessionRecord moved = routes.session("s1").toCompletableFuture().join().orElseThrow();
        assertEquals("media-2", moved.mediaNodeId());
        assertEquals(2, moved.epoch());
    }

    /**
     * Make before break: after a drain's move the old copy is not released (it goes on forwarding) while the stream
     * it published is not up on the new node; the new node's notice that it is up releases it. Failed without it: the
     * old copy was released right after the move, while publishers had not even heard of it.
     */
    @Test
    void aDrainedSessionsOldCopyIsReleasedOnlyOnceItsStreamIsUpOnTheNewNode() {
        DrainScene scene = drainScene("s2");
        TestProbe<MediaNodeProtocol.Command> node1 = scene.node1();
        TestProbe<MediaNodeProtocol.Command> node2 = scene.node2();
        TestMediaNodes nodes = scene.nodes();
        InMemoryRoutes routes = scene.routes();
        // A bound far beyond the test's waits, so that a release can only come from the stream's notice.
        ActorRef<MediaFailover.Command> failover = testKit.spawn(MediaFailover.create(routes, nodes.view(),
                new PlacementPolicy(3000), new MediaNodeClient(testKit.system(), Duration.ofSeconds(1)),
                Webhooks.noop(), new PlacementMeters(new SimpleMeterRegistry()), Duration.ofMinutes(5)));
        ActorRef<ClusterFanout.Command<ClusterTopics.SessionNotices>> notices = testKit.spawn(
                ClusterFanout.create(ClusterTopics.SessionNotices.class, ClusterTopics.SESSION_NOTICES));

        failover.tell(new MediaFailover.Drain("media-1", System.currentTimeMillis()));

        assertEquals("s2", node2.expectMessageClass(MediaNodeProtocol.HostSession.class, Duration.ofSeconds(10))
                .sessionId());
        assertEquals(new MediaNodeProtocol.SupersedeSession("s2", 2),
                node1.expectMessageClass(MediaNodeProtocol.SupersedeSession.class, Duration.ofSeconds(10)));
        // The old copy is asked what it publishes (FakeMediaNode: str_CAM_s2), and is left running meanwhile.
        assertEquals(List.of("s2"), node1.expectMessageClass(MediaNodeProtocol.DescribeSessions.class,
                Duration.ofSeconds(10)).sessionIds());
        node1.expectNoMessage(Duration.ofSeconds(1));
        // Another stream of the session coming up is not enough.
        ClusterTopics.StreamChanged otherUp = streamUp("s2", "str_CAM_someoneElse");
        ClusterTopics.StreamChanged rebuiltUp = streamUp("s2", "str_CAM_s2");
        notices.tell(ClusterFanout.publish(ClusterTopics.SessionNotices.of(otherUp)));
        node1.expectNoMessage(Duration.ofSeconds(1));

        // The topic finds its subscribers through the receptionist: the notice is sent until the release comes.
        List<MediaNodeProtocol.ReleaseSession> released = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            notices.tell(ClusterFanout.publish(ClusterTopics.SessionNotices.of(rebuiltUp)));
            try {
                released.add(node1.expectMessageClass(MediaNodeProtocol.ReleaseSession.class, Duration.ofMillis(300)));
                return true;
            } catch (AssertionError notYet) {
                return false;
            }
        });
        assertEquals("s2", released.get(0).sessionId());
    }

    /**
     * The make-before-break bound counts from when the session's participants were told of the move (their moved
     * join on the new node), not from the move: a slow first drain told the pages 1.9-2.3 s after the move, and the
     * old copies were released at the bound before the pages' rebuilt streams were up (stalls 1.1-3.1 s). Failed
     * before: the old copy was released at the bound after the move (3 s here), inside the window checked below.
     */
    @Test
    void aDrainedSessionsBoundRestartsWhenItsParticipantIsToldOfTheMove() {
        DrainScene scene = drainScene("s3");
        TestProbe<MediaNodeProtocol.Command> node1 = scene.node1();
        ActorRef<ClusterFanout.Command<ClusterTopics.SessionNotices>> notices = testKit.spawn(
                ClusterFanout.create(ClusterTopics.SessionNotices.class, ClusterTopics.SESSION_NOTICES));
        testKit.spawn(MediaFailover.create(scene.routes(), scene.nodes().view(), new PlacementPolicy(3000),
                new MediaNodeClient(testKit.system(), Duration.ofSeconds(1)), Webhooks.noop(),
                new PlacementMeters(new SimpleMeterRegistry()), Duration.ofSeconds(3))).tell(
                new MediaFailover.Drain("media-1", System.currentTimeMillis()));

        assertEquals("s3", scene.node2().expectMessageClass(MediaNodeProtocol.HostSession.class,
                Duration.ofSeconds(10)).sessionId());
        node1.expectMessageClass(MediaNodeProtocol.SupersedeSession.class, Duration.ofSeconds(10));
        node1.expectMessageClass(MediaNodeProtocol.DescribeSessions.class, Duration.ofSeconds(10));
        long movedAt = System.currentTimeMillis(); // at the latest
        node1.expectNoMessage(Duration.ofMillis(1500));
        // The participant joins the new node now, told of the move only now.
        notices.tell(ClusterFanout.publish(ClusterTopics.SessionNotices.of(new ClusterTopics.ParticipantActivated("s3",
                "con_s3", System.currentTimeMillis(), "", null, "media-2", null, "media-1"))));
        // Not released at the move's bound (movedAt + 3 s) ...
        node1.expectNoMessage(Duration.ofMillis(Math.max(0, movedAt + 4000 - System.currentTimeMillis())));
        // ... but at the bound after the participant was told.
        assertEquals("s3", node1.expectMessageClass(MediaNodeProtocol.ReleaseSession.class, Duration.ofSeconds(10))
                .sessionId());
    }

    private static ClusterTopics.StreamChanged streamUp(String sessionId, String streamId) {
        return new ClusterTopics.StreamChanged(sessionId, "con_x", streamId, null, true, 7, null, false, true,
                "CAMERA", 30, null);
    }

    /**
     * A dead node with 40 sessions (10 protected, created interleaved with the others) over three survivors with 35
     * free places between them (20, 10, 5): the places are filled, no session is asked to two nodes, every protected
     * session is placed, and the 5 that find no room are the youngest best-effort ones; they are placed once a node
     * reports room.
     */
    @Test
    void aDeadNodesSessionsFillTheSurvivorsProtectedFirstEachOnce() {
        Survivors survivors = new Survivors(Map.of("media-a", new int[]{10, 30}, "media-b", new int[]{10, 20},
                "media-c", new int[]{15, 20}));
        DeadNode dead = new DeadNode(40, 4);
        ActorRef<MediaFailover.Command> failover = survivors.failover(dead.routes);

        failover.tell(new MediaFailover.Failed("media-dead", "127.0.0.9"));

        await().atMost(Duration.ofSeconds(20)).until(() -> onNode(dead.routes, "media-dead").size() == 5);
        Map<String, List<String>> hosted = survivors.hosted(dead.routes);
        assertEquals(Map.of("media-a", 20, "media-b", 10, "media-c", 5), sizes(hosted), "placements: " + hosted);
        List<String> all = hosted.values().stream().flatMap(List::stream).toList();
        assertEquals(35, Set.copyOf(all).size(), "each session asked to one node once: " + all);
        assertTrue(all.containsAll(dead.protectedIds), "every protected session placed: " + all);
        assertEquals(Set.copyOf(dead.bestEffortIds.subList(25, 30)), Set.copyOf(onNode(dead.routes, "media-dead")),
                "the youngest best-effort sessions wait");

        // Room appears: the waiting ones follow (the retry runs every second).
        survivors.nodes.report("media-c", survivors.managers.get("media-c"), "running", 20, 30);
        await().atMost(Duration.ofSeconds(20)).until(() -> onNode(dead.routes, "media-dead").isEmpty());
        assertEquals(Set.copyOf(dead.bestEffortIds.subList(25, 30)), Set.copyOf(survivors.probes.get("media-c")
                .receiveSeveralMessages(5, Duration.ofSeconds(5)).stream()
                .map(m -> ((MediaNodeProtocol.HostSession) m).sessionId()).toList()));
        survivors.probes.values().forEach(probe -> probe.expectNoMessage(Duration.ofMillis(300)));
    }

    /**
     * 30 sessions over survivors with 40, 20 and 10 free places: each goes where most room is left, so the two
     * roomiest end with the same room (15) and the smallest is spared; least-loaded placement would have split them
     * between the two nodes with fewest sessions instead.
     */
    @Test
    void aDeadNodesSessionsSpreadOverTheSurvivorsByRoom() {
        Survivors survivors = new Survivors(Map.of("media-a", new int[]{10, 50}, "media-b", new int[]{10, 30},
                "media-c", new int[]{15, 25}));
        DeadNode dead = new DeadNode(30, 3);
        ActorRef<MediaFailover.Command> failover = survivors.failover(dead.routes);

        failover.tell(new MediaFailover.Failed("media-dead", "127.0.0.9"));

        await().atMost(Duration.ofSeconds(20)).until(() -> onNode(dead.routes, "media-dead").isEmpty());
        Map<String, List<String>> hosted = survivors.hosted(dead.routes);
        assertEquals(Map.of("media-a", 25, "media-b", 5, "media-c", 0), sizes(hosted), "placements: " + hosted);
        assertEquals(30, hosted.values().stream().flatMap(List::stream).distinct().count());
    }

    /**
     * 20 sessions of a dead node over two survivors with the same room, one of which never answers {@code HostSession}
     * (frozen, not yet known to have failed): the other survivor's half is routed to it at once, not after the silent
     * one's asks time out (60 s here), since each survivor's asks and route write are a round of their own.
     */
    @Test
    void aSurvivorThatDoesNotAnswerHoldsBackOnlyTheSessionsAskedToIt() {
        TestProbe<MediaNodeProtocol.Command> silent = testKit.createTestProbe();
        TestProbe<MediaNodeProtocol.Command> answeringSeen = testKit.createTestProbe();
        ActorRef<MediaNodeProtocol.Command> answering = testKit.spawn(FakeMediaNode.create("media-a",
                answeringSeen.getRef(), Set.of()));
        TestMediaNodes nodes = new TestMediaNodes()
                .report("media-a", answering, "running", 0, 100)
                .report("media-silent", silent.getRef(), "running", 0, 100);
        DeadNode dead = new DeadNode(20, 4);
        ActorRef<MediaFailover.Command> failover = testKit.spawn(MediaFailover.create(dead.routes, nodes.view(),
                new PlacementPolicy(600_000), new MediaNodeClient(testKit.system(), Duration.ofSeconds(60)), 1,
                Webhooks.noop(), new PlacementMeters(new SimpleMeterRegistry())));

        failover.tell(new MediaFailover.Failed("media-dead", "127.0.0.9"));

        assertEquals(10, silent.receiveSeveralMessages(10, Duration.ofSeconds(10)).size());
        await().atMost(Duration.ofSeconds(20)).until(() -> onNode(dead.routes, "media-a").size() == 10);
        assertEquals(10, onNode(dead.routes, "media-dead").size(), "the silent survivor's share still waits");
    }

    /** Scripted survivors: id to {sessions reported, capacity}. */
    private static final class Survivors {
        final Map<String, TestProbe<MediaNodeProtocol.Command>> probes = new HashMap<>();
        final Map<String, ActorRef<MediaNodeProtocol.Command>> managers = new HashMap<>();
        final TestMediaNodes nodes = new TestMediaNodes();

        Survivors(Map<String, int[]> load) {
            load.forEach((id, sessionsAndCapacity) -> {
                probes.put(id, testKit.createTestProbe());
                managers.put(id, testKit.spawn(FakeMediaNode.create(id, probes.get(id).getRef(), Set.of())));
                nodes.report(id, managers.get(id), "running", sessionsAndCapacity[0], sessionsAndCapacity[1]);
            });
        }

        ActorRef<MediaFailover.Command> failover(InMemoryRoutes routes) {
            // A long recent window: the scripted load reports do not refresh, placements must count until they would.
            return testKit.spawn(MediaFailover.create(routes, nodes.view(), new PlacementPolicy(600_000),
                    new MediaNodeClient(testKit.system(), Duration.ofSeconds(5)), 1, Webhooks.noop(),
                    new PlacementMeters(new SimpleMeterRegistry())));
        }

        /** The sessions each node was asked to host, checked against the routes that name it. */
        Map<String, List<String>> hosted(InMemoryRoutes routes) {
            Map<String, List<String>> hosted = new HashMap<>();
            probes.forEach((id, probe) -> {
                List<String> asked = probe.receiveSeveralMessages(onNode(routes, id).size(), Duration.ofSeconds(5))
                        .stream().map(m -> ((MediaNodeProtocol.HostSession) m).sessionId()).toList();
                assertEquals(Set.copyOf(asked), Set.copyOf(onNode(routes, id)), "routes name the node asked");
                hosted.put(id, asked);
            });
            return hosted;
        }
    }

    /** The sessions routed to {@code media-dead}: every {@code protectedEvery}-th one protected. */
    private static final class DeadNode {
        final InMemoryRoutes routes = new InMemoryRoutes();
        final List<String> protectedIds = new ArrayList<>();
        final List<String> bestEffortIds = new ArrayList<>();

        DeadNode(int sessions, int protectedEvery) {
            for (int i = 0; i < sessions; i++) {
                // Interleaved creation times: priority, not age, must decide who goes first.
                String priority = i % protectedEvery == 0 ? "protected" : "best-effort";
                String id = "dead-" + i;
                (priority.equals("protected") ? protectedIds : bestEffortIds).add(id);
                routes.createSession(new SessionRecord(id, 1000 + i, "media-dead", 1, priority, id, "ROUTED",
                        "MANUAL", "VP8", false, null));
            }
        }
    }

    private static Map<String, Integer> sizes(Map<String, List<String>> hosted) {
        return hosted.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size()));
    }

    private static List<String> onNode(InMemoryRoutes routes, String nodeId) {
        return routes.allSessions().toCompletableFuture().join().stream()
                .filter(s -> s.mediaNodeId().equals(nodeId)).map(SessionRecord::sessionId).toList();
    }

    @Test
    void anUnreachableNodeIsNotFailedOverWhileThisMastersRoutingTableIsStillBeingRebuilt() {
        // Not rebuilt: whatever the (partial) table says about the node's sessions, wait and look again.
        for (boolean hostsSessions : new boolean[]{true, false}) {
            for (boolean majority : new boolean[]{true, false}) {
                assertEquals(MediaNodeLossWatch.UnreachableDecision.WAIT_FOR_REBUILD,
                        MediaNodeLossWatch.decide(false, hostsSessions, majority));
            }
        }
        assertEquals(MediaNodeLossWatch.UnreachableDecision.FAIL_OVER, MediaNodeLossWatch.decide(true, true, true));
        assertEquals(MediaNodeLossWatch.UnreachableDecision.WAIT_FOR_MAJORITY, MediaNodeLossWatch.decide(true, true, false));
        assertEquals(MediaNodeLossWatch.UnreachableDecision.LEAVE_TO_DOWNING, MediaNodeLossWatch.decide(true, false, true));
    }
}
