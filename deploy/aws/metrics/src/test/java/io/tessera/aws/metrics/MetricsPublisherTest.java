package io.tessera.aws.metrics;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.tessera.aws.discovery.AwsClients;
import io.tessera.aws.testkit.FakeHttpServer;
import io.tessera.aws.testkit.FakeHttpServer.Request;
import io.tessera.aws.testkit.FakeHttpServer.Response;
import io.tessera.client.rest.MasterRestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The publisher against a fake master REST API and a fake CloudWatch that speaks what this SDK version speaks for
 * CloudWatch: Smithy RPC v2 CBOR ({@code POST /service/GraniteServiceVersion20100801/operation/PutMetricData},
 * header {@code smithy-protocol: rpc-v2-cbor}, CBOR bodies), through the real SDK client with an endpoint override.
 */
class MetricsPublisherTest {
    private static final CBORMapper CBOR = new CBORMapper();
    private static final String SECRET = "s3cret-for-metrics";
    private static final Instant NOW = Instant.parse("2026-03-01T10:15:30Z");
    private static final String PUT_METRIC_DATA = "/service/GraniteServiceVersion20100801/operation/PutMetricData";

    // running+reachable 30/100, draining+reachable 10/100, running but unreachable 50/100, running 0/60
    private static final String CLUSTER_JSON = """
            {"self":"master-i-1","selfConnections":1234,"masters":[],
             "mediaNodes":[
               {"id":"media-a","status":"running","reachable":true,"load":{"sessions":30,"capacity":100}},
               {"id":"media-b","status":"draining","reachable":true,"load":{"sessions":10,"capacity":100}},
               {"id":"media-c","status":"running","reachable":false,"load":{"sessions":50,"capacity":100}},
               {"id":"media-d","status":"running","reachable":true,"load":{"sessions":0,"capacity":60}}]}""";

    private final AtomicReference<Response> masterAnswer = new AtomicReference<>(Response.json(200, CLUSTER_JSON));
    private final AtomicInteger cloudWatchFailuresLeft = new AtomicInteger();
    private FakeHttpServer master;
    private FakeHttpServer cloudWatch;
    private CloudWatchPublisher publisher;
    private ListAppender<ILoggingEvent> logs;

    @BeforeAll
    static void credentials() {
        // The SDK's default chain reads these first; on EC2 the instance role takes their place.
        System.setProperty("aws.accessKeyId", "AKIDFAKE");
        System.setProperty("aws.secretAccessKey", "fake-secret-key");
    }

    @BeforeEach
    void start() {
        master = FakeHttpServer.start(request -> masterAnswer.get());
        cloudWatch = FakeHttpServer.start(this::cloudWatchApi);
        publisher = new CloudWatchPublisher(CloudWatchPublisher.client(
                AwsClients.of("us-east-1", cloudWatch.uri().toString(), Duration.ofSeconds(20)), 3), "tessera-prod");
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(MetricsPublisher.class)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(MetricsPublisher.class)).detachAppender(logs);
        publisher.close();
        master.close();
        cloudWatch.close();
    }

    @Test
    void publishesConnectionsPerMasterAndTheMediaLoadRatioWithTheClusterDimension() throws Exception {
        assertTrue(newPublisher().publishOnce());

        Request read = master.requests().get(0);
        assertEquals("/openvidu/api/cluster", read.path());
        assertEquals("Basic " + Base64.getEncoder().encodeToString(("OPENVIDUAPP:" + SECRET)
                .getBytes(StandardCharsets.UTF_8)), read.header("Authorization"));

        List<Request> puts = cloudWatch.requests();
        assertEquals(1, puts.size());
        Request put = puts.get(0);
        assertEquals("POST", put.method());
        assertEquals(PUT_METRIC_DATA, put.path());
        assertEquals("rpc-v2-cbor", put.header("smithy-protocol"));
        assertEquals("application/cbor", put.header("Content-Type"));
        JsonNode body = CBOR.readTree(put.bytes());
        assertEquals("Tessera", body.path("Namespace").asText());
        JsonNode data = body.path("MetricData");
        assertEquals(2, data.size(), body::toString);

        JsonNode connections = datum(data, "MasterConnections");
        assertEquals(1234.0, connections.path("Value").asDouble());
        assertEquals("Count", connections.path("Unit").asText());
        JsonNode ratio = datum(data, "MediaNodeLoadRatio");
        // (30 + 10) sessions on reachable nodes over the 100 + 60 of the running, reachable ones
        assertEquals(40.0 / 160, ratio.path("Value").asDouble(), 1e-9);
        assertEquals("None", ratio.path("Unit").asText());
        for (JsonNode datum : data) {
            assertEquals(1, datum.path("Dimensions").size(), datum::toString);
            assertEquals("Cluster", datum.path("Dimensions").get(0).path("Name").asText());
            assertEquals("tessera-prod", datum.path("Dimensions").get(0).path("Value").asText());
            assertEquals(NOW.getEpochSecond(), datum.path("Timestamp").asLong(), datum::toString);
        }
    }

    @Test
    void failedPutsAreRetriedWithBackoffAndAreBounded() throws Exception {
        cloudWatchFailuresLeft.set(2);
        assertTrue(newPublisher().publishOnce(), "the third attempt succeeds");
        assertEquals(3, cloudWatch.requests().size());

        cloudWatchFailuresLeft.set(100);
        assertFalse(newPublisher().publishOnce(), "gives up after 3 attempts");
        assertEquals(3 + 3, cloudWatch.requests().size());
        assertTrue(messages().stream().anyMatch(m -> m.startsWith("PutMetricData failed")), messages()::toString);
    }

    @Test
    void aMasterThatDoesNotAnswerSkipsTheRoundAndTheSecretIsNeverLogged() throws Exception {
        masterAnswer.set(Response.json(401, "{\"status\":401}"));
        assertFalse(newPublisher().publishOnce());
        masterAnswer.set(Response.json(200, "{\"self\":\"m\",\"mediaNodes\":[]}")); // an older master: no selfConnections
        assertFalse(newPublisher().publishOnce());
        assertEquals(List.of(), cloudWatch.requests(), "nothing published from a failed read");

        masterAnswer.set(Response.json(200, CLUSTER_JSON));
        assertTrue(newPublisher().publishOnce());
        assertEquals(3, messages().size(), messages()::toString);
        assertTrue(messages().stream().noneMatch(m -> m.contains(SECRET)
                || m.contains(Base64.getEncoder().encodeToString(("OPENVIDUAPP:" + SECRET).getBytes(StandardCharsets.UTF_8)))),
                messages()::toString);
    }

    @Test
    void noRunningCapacityCountsAsFull() {
        assertEquals(1.0, new ClusterSample("m", 0, 0, 0).mediaLoadRatio());
        assertEquals(0.5, new ClusterSample("m", 0, 5, 10).mediaLoadRatio());
    }

    @Test
    void settingsFromTheEnvironment() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> PublisherSettings.fromEnv(Map.of()));
        assertEquals("missing environment variables: TESSERA_CLUSTER_NAME, TESSERA_SECRET", missing.getMessage());
        PublisherSettings defaults = PublisherSettings.fromEnv(Map.of("TESSERA_CLUSTER_NAME", "tessera",
                "TESSERA_SECRET", SECRET, "TESSERA_HTTP_PORT", "4443", "AWS_REGION", "eu-west-1"));
        assertEquals(URI.create("http://127.0.0.1:4443"), defaults.masterUrl());
        assertEquals(Duration.ofSeconds(60), defaults.interval());
        assertEquals(4, defaults.maxAttempts());
        assertFalse(defaults.toString().contains(SECRET), defaults::toString);
        assertThrows(IllegalArgumentException.class, () -> PublisherSettings.fromEnv(Map.of("TESSERA_CLUSTER_NAME", "t",
                "TESSERA_SECRET", SECRET, "TESSERA_METRICS_INTERVAL_SECONDS", "0")));
    }

    private MetricsPublisher newPublisher() {
        return new MetricsPublisher(MasterRestClient.create(master.uri(), SECRET), publisher,
                Duration.ofSeconds(60), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private List<String> messages() {
        List<String> out = new ArrayList<>();
        logs.list.forEach(e -> out.add(e.getFormattedMessage()));
        return out;
    }

    private static JsonNode datum(JsonNode data, String name) {
        for (JsonNode d : data) {
            if (name.equals(d.path("MetricName").asText())) {
                return d;
            }
        }
        throw new AssertionError("no " + name + " in " + data);
    }

    /** Smithy RPC v2 CBOR: answers carry the protocol header; errors name their type in {@code __type}. */
    private Response cloudWatchApi(Request request) {
        Map<String, String> headers = Map.of("smithy-protocol", "rpc-v2-cbor");
        try {
            if (cloudWatchFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return Response.binary(500, "application/cbor", CBOR.writeValueAsBytes(Map.of(
                        "__type", "com.amazonaws.cloudwatch#InternalServiceFault", "Message", "try again")), headers);
            }
            if (!request.path().equals(PUT_METRIC_DATA)) {
                return Response.binary(400, "application/cbor", CBOR.writeValueAsBytes(Map.of(
                        "__type", "com.amazonaws.cloudwatch#InvalidParameterValueException", "Message", request.path())), headers);
            }
            return Response.binary(200, "application/cbor", CBOR.writeValueAsBytes(Map.of()), headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
