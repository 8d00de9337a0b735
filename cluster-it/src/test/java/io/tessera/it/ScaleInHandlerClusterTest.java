package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.aws.discovery.AwsClients;
import io.tessera.aws.lifecycle.HandlerSettings;
import io.tessera.aws.lifecycle.ScaleInHandler;
import io.tessera.aws.lifecycle.ServiceStopper;
import io.tessera.aws.testkit.FakeHttpServer;
import io.tessera.aws.testkit.FakeHttpServer.Request;
import io.tessera.aws.testkit.FakeHttpServer.Response;
import io.tessera.client.ReconnectPolicy;
import io.tessera.client.ServerEvent;
import io.tessera.client.SignallingClient;
import io.tessera.client.rest.ClusterView;
import io.tessera.client.rest.Connection;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.MediaNode;
import io.tessera.client.rest.SessionProperties;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

/**
 * The AWS scale-in handler (deploy/aws/lifecycle) against a real cluster: two masters, two media nodes, the real
 * master REST API; only the AWS side is faked (instance metadata, and the Auto Scaling API behind the real SDK
 * client). A media node with sessions of every priority is scaled in: it drains, every session moves to the
 * other media node without a participant leaving, the node stops, then the lifecycle action completes. Then a
 * master is scaled in: it leaves the cluster and the clients on it resume on the other master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleInHandlerClusterTest {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final Duration HANDLER_DONE = Duration.ofSeconds(90);

    private static ClusterProcesses cluster;
    private static FakeHttpServer metadata;
    private static FakeHttpServer autoScalingApi;
    private static AutoScalingClient autoScaling;
    private static final ExecutorService handlerThread = Executors.newSingleThreadExecutor();
    private static final AtomicReference<String> instanceId = new AtomicReference<>("i-0media1");
    private static final AtomicReference<String> lifecycleState = new AtomicReference<>("InService");
    /** "stop <node>" from the stopper and "<Action> <instance>" from the fake Auto Scaling API, in order. */
    private static final List<String> events = new CopyOnWriteArrayList<>();
    private static final List<Session> sessions = new ArrayList<>();
    private static final Map<String, String> resumedOn = new ConcurrentHashMap<>();

    private record Session(String id, Participant publisher, Participant subscriber) {
        List<Participant> participants() {
            return List.of(publisher, subscriber);
        }
    }

    @BeforeAll
    static void startCluster() {
        cluster = ClusterProcesses.start("ScaleInHandlerClusterTest", 2, 2, Map.of("TESSERA_MAX_SESSIONS", "4"));
        metadata = FakeHttpServer.start(ScaleInHandlerClusterTest::metadata);
        autoScalingApi = FakeHttpServer.start(ScaleInHandlerClusterTest::autoScalingApi);
        autoScaling = AutoScalingClient.builder().endpointOverride(autoScalingApi.uri()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDFAKE", "fake")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        cluster.awaitReady(STARTUP);
    }

    @AfterAll
    static void stopCluster() {
        handlerThread.shutdownNow();
        sessions.forEach(s -> s.participants().forEach(Participant::close));
        if (autoScaling != null) {
            autoScaling.close();
        }
        if (metadata != null) {
            metadata.close();
        }
        if (autoScalingApi != null) {
            autoScalingApi.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aScaledInMediaNodeDrainsEverySessionMovesWithItsParticipantsThenTheActionCompletes() throws Exception {
        ClusterProcesses.Node m1 = cluster.masters().get(0);
        ClusterProcesses.Node m2 = cluster.masters().get(1);
        ClusterProcesses.Node doomed = cluster.mediaNodes().get(0);
        ClusterProcesses.Node survivor = cluster.mediaNodes().get(1);
        MasterRestClient rest = cluster.rest(m1);
        for (String priority : List.of("protected", "best-effort", "none")) {
            sessions.add(session("scalein-" + priority + "-" + RUN, priority, doomed, m1, m2));
        }

        // 3 s to the masters' deadline, then up to 60 s for the moves: short, so the test does not wait long.
        HandlerSettings settings = settings(HandlerSettings.Role.MEDIA, doomed.id(), "tessera-media", Duration.ofSeconds(3));
        CompletableFuture<Void> handler = run(settings, sigterm(doomed));
        await("nothing happens while the instance is InService").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> "running".equals(status(rest, doomed)) && events.isEmpty());

        lifecycleState.set("Terminated");
        await(doomed.id() + " drains").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> "draining".equals(status(rest, doomed)));
        assertEquals(survivor.id(), rest.createSession("scalein-fresh-" + RUN).mediaNodeId(), "no new session on a draining node");

        handler.get(HANDLER_DONE.toSeconds(), TimeUnit.SECONDS);

        for (Session s : sessions) {
            var session = rest.session(s.id()).orElseThrow(() -> new AssertionError(s.id() + " is gone"));
            assertEquals(survivor.id(), session.mediaNodeId(), session.json()::toString);
            assertBothStillIn(rest, s);
            for (Participant p : s.participants()) {
                p.awaitEvent("mediaNodeFailed", e -> "drain".equals(e.param("reason")), "the move to " + survivor.id());
                assertNoneLeft(p);
            }
        }
        String instance = "i-0media1";
        int stop = events.indexOf("stop " + doomed.id());
        assertTrue(stop >= 0 && events.indexOf("CompleteLifecycleAction " + instance) > stop,
                "the node stops before the action completes: " + events);
        assertTrue(events.contains("RecordLifecycleActionHeartbeat " + instance), "heartbeats while draining: " + events);
        assertAction("CompleteLifecycleAction", instance, "tessera-media");
        assertAction("RecordLifecycleActionHeartbeat", instance, "tessera-media");
        assertEquals("CONTINUE", lastAction("CompleteLifecycleAction").form().get("LifecycleActionResult"));
        assertTrue(!cluster.isAlive(doomed), doomed.id() + " exited");
        await(doomed.id() + " left the cluster (removed, not unreachable)").atMost(Duration.ofSeconds(20))
                .until(() -> ids(rest.clusterView().mediaNodes(), ClusterView.MediaMember::id).equals(Set.of(survivor.id())));
        cluster.assertAllAlive(Set.of(doomed.id()));
    }

    @Test
    @Order(2)
    void aScaledInMasterLeavesTheClusterItsClientsResumeOnTheOtherThenTheActionCompletes() throws Exception {
        ClusterProcesses.Node m1 = cluster.masters().get(0);
        ClusterProcesses.Node leaving = cluster.masters().get(1);
        MasterRestClient rest = cluster.rest(m1);
        instanceId.set("i-0master2");
        lifecycleState.set("Terminated");
        events.clear();
        resumedOn.clear();

        run(settings(HandlerSettings.Role.MASTER, leaving.id(), "tessera-masters", Duration.ofSeconds(3)), sigterm(leaving))
                .get(HANDLER_DONE.toSeconds(), TimeUnit.SECONDS);

        assertEquals(List.of("stop " + leaving.id(), "CompleteLifecycleAction i-0master2"), events);
        assertAction("CompleteLifecycleAction", "i-0master2", "tessera-masters");
        assertEquals("CONTINUE", lastAction("CompleteLifecycleAction").form().get("LifecycleActionResult"));
        assertTrue(!cluster.isAlive(leaving), leaving.id() + " exited");
        await(leaving.id() + " left the cluster").atMost(Duration.ofSeconds(20)).until(() ->
                ids(rest.clusterView().masters(), ClusterView.Member::id).equals(Set.of(m1.id())));
        // Every subscriber joined through the leaving master: each resumes on the other one by itself.
        await("the leaving master's clients resume on " + m1.id()).atMost(Duration.ofSeconds(30)).until(() ->
                sessions.stream().allMatch(s -> m1.webSocketUri().toString().equals(resumedOn.get(s.subscriber().name))));
        for (Session s : sessions) {
            assertBothStillIn(rest, s);
            s.participants().forEach(ScaleInHandlerClusterTest::assertNoneLeft);
            // Told to move by the leaving master itself, not left to find out from a dead socket.
            ServerEvent told = s.subscriber().awaitEvent("masterLeaving", e -> true, "the leaving master's notice");
            assertEquals("shutdown", told.param("reason"), told.toString());
        }
        cluster.assertAllAlive(Set.of(cluster.mediaNodes().get(0).id(), leaving.id()));
    }

    // ---------------------------------------------------------------- helpers

    /** A session on {@code node}: the publisher joins through m1, the subscriber through m2, each failing over to the other. */
    private static Session session(String id, String priority, ClusterProcesses.Node node, ClusterProcesses.Node m1,
                                   ClusterProcesses.Node m2) throws Exception {
        MasterRestClient rest = cluster.rest(m1);
        var created = rest.createSession(SessionProperties.withId(id).priority(priority).mediaNodeId(node.id()));
        assertEquals(node.id(), created.mediaNodeId(), created.json()::toString);
        Connection pub = TestSessions.createConnection(rest, id, "pub");
        Connection sub = TestSessions.createConnection(rest, id, "sub");
        TestSessions.awaitConnectionVisible(cluster.rest(m2), id, sub.connectionId());
        Participant publisher = participant("pub-" + priority, m1, m2);
        Participant subscriber = participant("sub-" + priority, m2, m1);
        publisher.join(pub.token(), "{}");
        subscriber.join(sub.token(), "{}");
        return new Session(id, publisher, subscriber);
    }

    private static Participant participant(String name, ClusterProcesses.Node via, ClusterProcesses.Node other)
            throws Exception {
        return Participant.of(name, SignallingClient.builder(via.webSocketUri())
                .failoverUris(List.of(other.webSocketUri()))
                .reconnect(ReconnectPolicy.builder().initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofSeconds(1))
                        .maxTotalTime(Duration.ofSeconds(30)).attemptTimeout(Duration.ofSeconds(2)).build())
                .keepalive(Duration.ofSeconds(1), Duration.ofSeconds(3))
                .onReconnected(info -> resumedOn.put(name, info.uri().toString()))
                .connect());
    }

    private static HandlerSettings settings(HandlerSettings.Role role, String nodeId, String group, Duration drain) {
        return new HandlerSettings(role, nodeId, cluster.masters().get(0).httpBase(), cluster.secret(), group,
                group + "-scale-in", "tessera-" + role.name().toLowerCase() + ".service", metadata.uri(),
                Duration.ofMillis(200), Duration.ofMillis(500), drain, Duration.ofSeconds(60),
                AwsClients.of("us-east-1", autoScalingApi.uri().toString(), Duration.ofSeconds(5)));
    }

    private static CompletableFuture<Void> run(HandlerSettings settings, ServiceStopper stopper) {
        ScaleInHandler handler = ScaleInHandler.create(settings, autoScaling, stopper);
        return CompletableFuture.runAsync(() -> {
            try {
                handler.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, handlerThread);
    }

    /** What systemctl stop does to the node's unit: SIGTERM (Pekko's coordinated shutdown leaves), wait for the exit. */
    private static ServiceStopper sigterm(ClusterProcesses.Node node) {
        return () -> {
            events.add("stop " + node.id());
            ProcessHandle process = ProcessHandle.of(cluster.pid(node))
                    .orElseThrow(() -> new IOException(node.id() + " is not running"));
            process.destroy();
            try {
                process.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                throw new IOException(node.id() + " did not exit within 30 s of SIGTERM", e);
            }
        };
    }

    private static void assertBothStillIn(MasterRestClient rest, Session s) throws Exception {
        var session = rest.session(s.id()).orElseThrow(() -> new AssertionError(s.id() + " is gone"));
        assertEquals(2, session.connections().size(), session.json()::toString);
        for (Connection c : session.connections()) {
            assertEquals("active", c.status(), session.json()::toString);
        }
    }

    private static void assertNoneLeft(Participant p) {
        List<ServerEvent> seen = p.events();
        assertTrue(seen.stream().noneMatch(e -> e.method().equals("participantLeft")
                || e.method().equals("participantEvicted")), p::describeEvents);
        assertEquals(p.expectedSeqs(), p.seqs(), p::describeEvents);
    }

    private static void assertAction(String action, String instance, String group) {
        Map<String, String> form = lastAction(action).form();
        assertEquals(instance, form.get("InstanceId"), form::toString);
        assertEquals(group, form.get("AutoScalingGroupName"), form::toString);
        assertEquals(group + "-scale-in", form.get("LifecycleHookName"), form::toString);
    }

    private static Request lastAction(String action) {
        List<Request> matching = autoScalingApi.requests(r -> action.equals(r.action()));
        assertTrue(!matching.isEmpty(), "no " + action + " reached the fake Auto Scaling API: " + events);
        return matching.get(matching.size() - 1);
    }

    private static String status(MasterRestClient rest, ClusterProcesses.Node media) throws Exception {
        return rest.mediaNode(media.id()).map(MediaNode::status).orElse("unknown");
    }

    private static <T> Set<String> ids(List<T> members, Function<T, String> id) {
        return members.stream().map(id).collect(java.util.stream.Collectors.toSet());
    }

    private static Response metadata(Request request) {
        if (request.method().equals("PUT") && request.path().equals("/latest/api/token")) {
            return Response.text(200, "imds-token");
        }
        if (!"imds-token".equals(request.header("X-aws-ec2-metadata-token"))) {
            return Response.text(401, "");
        }
        return switch (request.path()) {
            case "/latest/meta-data/instance-id" -> Response.text(200, instanceId.get());
            case "/latest/meta-data/autoscaling/target-lifecycle-state" -> Response.text(200, lifecycleState.get());
            default -> Response.text(404, "");
        };
    }

    /** The Auto Scaling Query API: records the action, answers an empty result. */
    private static Response autoScalingApi(Request request) {
        String action = request.action();
        events.add(action + " " + request.form().get("InstanceId"));
        return Response.xml("<" + action + "Response xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
                + "<" + action + "Result/><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
                + "</" + action + "Response>");
    }
}
