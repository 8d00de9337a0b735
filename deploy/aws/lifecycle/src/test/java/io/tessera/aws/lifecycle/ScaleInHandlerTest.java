package io.tessera.aws.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.aws.discovery.AwsClients;
import io.tessera.aws.testkit.FakeHttpServer;
import io.tessera.aws.testkit.FakeHttpServer.Request;
import io.tessera.aws.testkit.FakeHttpServer.Response;
import io.tessera.client.rest.MasterRestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handler against three local fakes: instance metadata (IMDSv2), the masters' REST API and the Auto Scaling
 * Query API (through the real SDK client with an endpoint override). The drain endpoint is issue 5's; until it
 * lands in the master these fakes are its only counterpart.
 */
class ScaleInHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE = "media-i-0abc";
    private static final String INSTANCE = "i-0abc";
    private static final String SECRET = "s3cret-for-tests";
    private static final Duration MOVE_GRACE = Duration.ofMillis(500);

    private final AtomicReference<String> lifecycleState = new AtomicReference<>("InService");
    private final AtomicInteger sessions = new AtomicInteger(2);
    private final List<String> events = new CopyOnWriteArrayList<>(); // "stop" and AWS actions, in order

    private FakeHttpServer metadata;
    private FakeHttpServer masters;
    private FakeHttpServer aws;
    private AutoScalingClient autoScaling;
    private final ExecutorService handlerThread = Executors.newSingleThreadExecutor();
    private CompletableFuture<Void> handler;

    @BeforeEach
    void start() {
        metadata = FakeHttpServer.start(this::metadata);
        masters = FakeHttpServer.start(this::masters);
        aws = FakeHttpServer.start(this::autoScalingApi);
        autoScaling = AutoScalingClient.builder().endpointOverride(aws.uri()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDFAKE", "fake")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterEach
    void stop() {
        handlerThread.shutdownNow(); // interrupts a handler that a failed test left waiting
        autoScaling.close();
        metadata.close();
        masters.close();
        aws.close();
    }

    @Test
    void aMediaNodeIsDrainedWithAuthWaitsForZeroSessionsWithHeartbeatsThenCompletes() {
        handler = run(settings(HandlerSettings.Role.MEDIA, Duration.ofMinutes(5)));

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> masters.requests().isEmpty()); // nothing happens while the instance is InService
        lifecycleState.set("Terminated");

        await().atMost(Duration.ofSeconds(10)).until(() -> !patches().isEmpty());
        Request drain = patches().get(0);
        assertEquals("/openvidu/api/media-nodes/" + NODE, drain.path());
        assertEquals("Basic " + Base64.getEncoder().encodeToString(("OPENVIDUAPP:" + SECRET)
                .getBytes(StandardCharsets.UTF_8)), drain.header("Authorization"));
        JsonNode body = readJson(drain.body());
        assertEquals("draining", body.get("status").asText());
        assertTrue(Instant.parse(body.get("deadline").asText()).isAfter(Instant.now().plusSeconds(60)));

        await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("RecordLifecycleActionHeartbeat"));
        assertTrue(!events.contains("CompleteLifecycleAction"), "not completed while sessions remain");
        sessions.set(0);

        handler.orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(List.of("stop", "CompleteLifecycleAction"), events.subList(events.indexOf("stop"), events.size()));
        Request complete = completions().get(0);
        assertEquals("CONTINUE", complete.form().get("LifecycleActionResult"));
        assertEquals(INSTANCE, complete.form().get("InstanceId"));
        assertEquals("tessera-media", complete.form().get("AutoScalingGroupName"));
        assertEquals("tessera-media-scale-in", complete.form().get("LifecycleHookName"));
        Request heartbeat = aws.requests(r -> "RecordLifecycleActionHeartbeat".equals(r.action())).get(0);
        assertEquals(INSTANCE, heartbeat.form().get("InstanceId"));
        assertEquals(1, patches().size(), "an accepted drain is not asked again");
    }

    @Test
    void theDrainEndsAMoveGraceAfterTheDeadlineEvenIfSessionsRemain() {
        sessions.set(3);
        lifecycleState.set("Terminated");
        Instant started = Instant.now();

        handler = run(settings(HandlerSettings.Role.MEDIA, Duration.ofSeconds(1)));

        handler.orTimeout(10, TimeUnit.SECONDS).join();
        assertTrue(Duration.between(started, Instant.now()).toMillis() >= 1000 + MOVE_GRACE.toMillis(),
                "waited until the deadline and then the move grace");
        assertEquals("CONTINUE", completions().get(0).form().get("LifecycleActionResult"));
        assertEquals("CompleteLifecycleAction", events.get(events.size() - 1));
        assertTrue(masters.requests(r -> r.method().equals("GET")).size() >= 2, "kept polling the sessions");
    }

    @Test
    void aMasterLeavesTheClusterThenCompletesWithoutCallingTheRestApi() {
        lifecycleState.set("Terminated");

        handler = run(settings(HandlerSettings.Role.MASTER, Duration.ofMinutes(5)));

        handler.orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(List.of("stop", "CompleteLifecycleAction"), events);
        assertEquals(List.of(), masters.requests());
    }

    @Test
    void metadataIsReadWithAnImdsV2Token() {
        lifecycleState.set("Terminated");
        handler = run(settings(HandlerSettings.Role.MASTER, Duration.ofMinutes(5)));
        handler.orTimeout(10, TimeUnit.SECONDS).join();

        Request tokenRequest = metadata.requests().get(0);
        assertEquals("PUT", tokenRequest.method());
        assertEquals("21600", tokenRequest.header("X-aws-ec2-metadata-token-ttl-seconds"));
        assertTrue(metadata.requests(r -> r.method().equals("GET")).stream()
                .allMatch(r -> "imds-token".equals(r.header("X-aws-ec2-metadata-token"))));
    }

    @Test
    void settingsNameEveryMissingVariableAndDoNotPrintTheSecret() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HandlerSettings.fromEnv(Map.of("TESSERA_ROLE", "media")));
        assertEquals("missing environment variables: TESSERA_NODE_ID, TESSERA_ASG_NAME, TESSERA_LIFECYCLE_HOOK, "
                + "TESSERA_MASTER_URL, TESSERA_SECRET", e.getMessage());
        HandlerSettings s = HandlerSettings.fromEnv(Map.of("TESSERA_ROLE", "media", "TESSERA_NODE_ID", NODE,
                "TESSERA_ASG_NAME", "g", "TESSERA_LIFECYCLE_HOOK", "h", "TESSERA_MASTER_URL", "https://m.example/",
                "TESSERA_SECRET", SECRET));
        assertEquals(URI.create("https://m.example"), s.masterUrl());
        assertEquals("tessera-media.service", s.serviceUnit());
        assertTrue(!s.toString().contains(SECRET));
        HandlerSettings withUser = HandlerSettings.fromEnv(Map.of("TESSERA_ROLE", "media", "TESSERA_NODE_ID", NODE,
                "TESSERA_ASG_NAME", "g", "TESSERA_LIFECYCLE_HOOK", "h",
                "TESSERA_MASTER_URL", "https://ops:" + SECRET + "@m.example:8443/", "TESSERA_SECRET", SECRET));
        assertTrue(!withUser.toString().contains(SECRET) && withUser.toString().contains("https://m.example:8443"),
                withUser.toString());
    }

    private CompletableFuture<Void> run(HandlerSettings settings) {
        HttpClient http = HttpClient.newHttpClient();
        ScaleInHandler scaleIn = new ScaleInHandler(settings, new InstanceMetadata(metadata.uri(), http),
                MasterRestClient.create(masters.uri(), SECRET),
                new LifecycleActions(autoScaling, settings.autoScalingGroup(), settings.lifecycleHook()),
                () -> events.add("stop"), Clock.systemUTC());
        return CompletableFuture.runAsync(() -> {
            try {
                scaleIn.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, handlerThread);
    }

    private HandlerSettings settings(HandlerSettings.Role role, Duration drainTimeout) {
        String group = role == HandlerSettings.Role.MEDIA ? "tessera-media" : "tessera-masters";
        return new HandlerSettings(role, NODE, masters.uri(), SECRET, group, group + "-scale-in",
                "tessera-" + role.name().toLowerCase() + ".service", metadata.uri(), Duration.ofMillis(50),
                Duration.ofMillis(100), drainTimeout, MOVE_GRACE, AwsClients.of("us-east-1", aws.uri().toString(), Duration.ofSeconds(5)));
    }

    private Response metadata(Request request) {
        if (request.method().equals("PUT") && request.path().equals("/latest/api/token")) {
            return Response.text(200, "imds-token");
        }
        if (!"imds-token".equals(request.header("X-aws-ec2-metadata-token"))) {
            return Response.text(401, "");
        }
        return switch (request.path()) {
            case "/latest/meta-data/instance-id" -> Response.text(200, INSTANCE);
            case "/latest/meta-data/autoscaling/target-lifecycle-state" -> Response.text(200, lifecycleState.get());
            default -> Response.text(404, "");
        };
    }

    private Response masters(Request request) {
        if (!request.path().equals("/openvidu/api/media-nodes/" + NODE)) {
            return Response.json(404, "{}");
        }
        return switch (request.method()) {
            // The master answers both with the media node (the drain's answer adds its deadline).
            case "PATCH", "GET" -> Response.json(200, "{\"id\":\"" + NODE + "\",\"object\":\"mediaNode\",\"status\":\"draining\","
                    + "\"tesseraLoad\":{\"sessions\":" + sessions.get() + ",\"participants\":0,\"streams\":0,\"cpu\":0.1}}");
            default -> Response.json(405, "{}");
        };
    }

    private Response autoScalingApi(Request request) {
        String action = request.action();
        events.add(action);
        return Response.xml("<" + action + "Response xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
                + "<" + action + "Result/><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
                + "</" + action + "Response>");
    }

    private List<Request> patches() {
        return masters.requests(r -> r.method().equals("PATCH"));
    }

    private List<Request> completions() {
        return aws.requests(r -> "CompleteLifecycleAction".equals(r.action()));
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError(body, e);
        }
    }
}
