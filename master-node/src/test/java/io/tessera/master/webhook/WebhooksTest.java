package io.tessera.master.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.tessera.master.webhook.WebhookTestServer.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dispatcher against a real HTTP receiver on loopback. */
@Timeout(60) // a hang guard only; no test relies on it
class WebhooksTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private WebhookTestServer server;
    private Webhooks webhooks;

    @BeforeEach
    void start() throws Exception {
        server = new WebhookTestServer();
    }

    @AfterEach
    void stop() {
        if (webhooks != null) {
            webhooks.close();
        }
        server.close();
    }

    private WebhookSettings settings(String... urls) {
        return WebhookSettings.defaults(java.util.Arrays.stream(urls).map(URI::create).toList())
                .withRetries(5, Duration.ofMillis(50), Duration.ofSeconds(1));
    }

    private static JsonNode json(WebhookTestServer.Request r) throws Exception {
        return MAPPER.readTree(r.body());
    }

    @Test
    void eventsArriveAsJsonPostsInPublishOrder() throws Exception {
        webhooks = Webhooks.create(settings(server.url()));
        webhooks.publish(WebhookEvent.sessionCreated("ses_A", 1_000L));
        webhooks.publish(WebhookEvent.participantJoined("ses_A", 1_000L, "con_1", "meta", "srv", null, null, "ffmpeg"));
        webhooks.publish(WebhookEvent.sessionMigrated("ses_A", "media-1", "media-2", "protected", "nodeCrashed"));

        awaitUntil("3 delivered", () -> webhooks.counters().delivered() == 3);
        List<WebhookTestServer.Request> got = server.requests();
        assertEquals(3, got.size());
        for (WebhookTestServer.Request r : got) {
            assertEquals("POST", r.method());
            assertEquals("/hook", r.path());
            assertEquals("application/json", r.headers().getFirst("Content-Type"));
        }
        JsonNode created = json(got.get(0));
        assertEquals("sessionCreated", created.get("event").asText());
        assertEquals("ses_A", created.get("sessionId").asText());
        assertEquals("ses_A_1000", created.get("uniqueSessionId").asText());
        assertEquals(1_000L, created.get("timestamp").asLong());
        JsonNode joined = json(got.get(1));
        assertEquals("participantJoined", joined.get("event").asText());
        assertEquals("con_1", joined.get("connectionId").asText());
        assertEquals("meta", joined.get("clientData").asText());
        assertEquals("srv", joined.get("serverData").asText());
        assertEquals("ffmpeg", joined.get("platform").asText());
        JsonNode migrated = json(got.get(2));
        assertEquals("sessionMigrated", migrated.get("event").asText());
        assertEquals("media-2", migrated.get("toMediaNode").asText());
        assertEquals(new Webhooks.Counters(3, 0, 0, 0, 0, 0), webhooks.counters());
    }

    @Test
    void serverErrorsAreRetriedWithGrowingWaitsUntilDelivered() {
        server.respond(500, 503);
        webhooks = Webhooks.create(settings(server.url()).withRetries(5, Duration.ofMillis(100), Duration.ofSeconds(5)));
        webhooks.publish(WebhookEvent.sessionCreated("ses_A", 1L));

        awaitUntil("delivered", () -> webhooks.counters().delivered() == 1);
        assertEquals(new Webhooks.Counters(1, 0, 2, 0, 0, 0), webhooks.counters());
        List<WebhookTestServer.Request> got = server.requests();
        assertEquals(3, got.size());
        assertEquals(got.get(0).body(), got.get(2).body(), "the same event is sent again");
        // Equal jitter: retry n waits between half and all of 100 ms * 2^(n-1). Lower bounds only: a slow machine
        // only makes the gaps longer.
        long gap1 = Duration.ofNanos(got.get(1).arrivedNanos() - got.get(0).arrivedNanos()).toMillis();
        long gap2 = Duration.ofNanos(got.get(2).arrivedNanos() - got.get(1).arrivedNanos()).toMillis();
        assertTrue(gap1 >= 50, "first retry waited " + gap1 + " ms");
        assertTrue(gap2 >= 100, "second retry waited " + gap2 + " ms");
    }

    @Test
    void clientErrorIsNotRetried() {
        server.respond(400);
        webhooks = Webhooks.create(settings(server.url()));
        webhooks.publish(WebhookEvent.sessionCreated("ses_A", 1L));
        webhooks.publish(WebhookEvent.sessionCreated("ses_B", 2L));

        awaitUntil("one failed, one delivered", () -> {
            Webhooks.Counters c = webhooks.counters();
            return c.failed() == 1 && c.delivered() == 1;
        });
        assertEquals(new Webhooks.Counters(1, 1, 0, 0, 0, 0), webhooks.counters());
        assertEquals(2, server.count(), "the 400 was not sent again");
    }

    @Test
    void unreachableEndpointIsRetriedUpToMaxAttemptsThenFailed() throws Exception {
        String down = "http://127.0.0.1:" + WebhookTestServer.closedPort() + "/hook";
        webhooks = Webhooks.create(settings(down).withRetries(3, Duration.ofMillis(20), Duration.ofMillis(100)));
        webhooks.publish(WebhookEvent.sessionCreated("ses_A", 1L));

        awaitUntil("failed", () -> webhooks.counters().failed() == 1);
        assertEquals(new Webhooks.Counters(0, 1, 2, 0, 0, 0), webhooks.counters());
    }

    @Test
    void slowEndpointTimesOutAndIsRetried() {
        server.stall();
        webhooks = Webhooks.create(settings(server.url())
                .withRetries(2, Duration.ofMillis(20), Duration.ofMillis(50))
                .withRequestTimeout(Duration.ofMillis(200)));
        webhooks.publish(WebhookEvent.sessionCreated("ses_A", 1L));

        awaitUntil("failed after 2 timed-out attempts", () -> webhooks.counters().failed() == 1);
        assertEquals(2, server.count());
        assertEquals(1, webhooks.counters().retried());
    }

    @Test
    void fullQueueDropsTheOldestAndPublishNeverBlocks() throws Exception {
        int queueSize = 500;
        server.stall();
        webhooks = Webhooks.create(settings(server.url()).withQueueSize(queueSize));
        webhooks.publish(WebhookEvent.sessionCreated("first", 1L));
        awaitUntil("the first event is on the wire", () -> server.count() == 1);

        int published = 100_000;
        for (int i = 0; i < published; i++) {
            webhooks.publish(WebhookEvent.sessionCreated("s" + i, i));
        }
        // Reaching this line is the point: 100 000 publishes against an endpoint that answers nothing.
        assertEquals(new Webhooks.Counters(0, 0, 0, published - queueSize, queueSize, 1), webhooks.counters());

        server.release();
        awaitUntil("the kept events delivered", () -> webhooks.counters().delivered() == queueSize + 1);
        List<WebhookTestServer.Request> got = server.requests();
        assertEquals(queueSize + 1, got.size());
        assertEquals("first", json(got.get(0)).get("sessionId").asText());
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < queueSize; i++) {
            expected.add("s" + (published - queueSize + i));
            actual.add(json(got.get(i + 1)).get("sessionId").asText());
        }
        assertEquals(expected, actual, "the newest events were kept, in order");
        assertEquals(published - queueSize, webhooks.counters().dropped());
    }

    @Test
    void concurrencyBoundsRequestsInFlight() {
        server.stall();
        webhooks = Webhooks.create(settings(server.url()).withConcurrency(3));
        for (int i = 0; i < 10; i++) {
            webhooks.publish(WebhookEvent.sessionCreated("s" + i, i));
        }
        awaitUntil("3 requests on the wire", () -> server.count() == 3);
        Webhooks.Counters c = webhooks.counters();
        assertEquals(3, c.inFlight());
        assertEquals(7, c.queued());
        assertEquals(3, server.count(), "no fourth request while three are open");
        server.release();
        awaitUntil("all delivered", () -> webhooks.counters().delivered() == 10);
    }

    @Test
    void eventFilterIsRespected() throws Exception {
        webhooks = Webhooks.create(settings(server.url())
                .withEvents(Set.of(WebhookEvent.PARTICIPANT_JOINED, WebhookEvent.NODE_CRASHED)));
        webhooks.publish(WebhookEvent.sessionCreated("ses_A", 1L));
        webhooks.publish(WebhookEvent.participantJoined("ses_A", 1L, "con_1", "", "", null, null, "x"));
        webhooks.publish(WebhookEvent.sessionDestroyed("ses_A", 1L, "lastParticipantLeft"));
        webhooks.publish(WebhookEvent.nodeCrashed("media-1", WebhookEvent.NodeRole.MEDIA, null, List.of("ses_A")));

        awaitUntil("2 delivered", () -> webhooks.counters().delivered() == 2);
        assertEquals(new Webhooks.Counters(2, 0, 0, 0, 0, 0), webhooks.counters(), "filtered events never queued");
        List<WebhookTestServer.Request> got = server.requests();
        assertEquals("participantJoined", json(got.get(0)).get("event").asText());
        assertEquals("nodeCrashed", json(got.get(1)).get("event").asText());
    }

    @Test
    void configuredHeadersAreSentWithEveryRequest() {
        Config config = ConfigFactory.parseString("""
                urls = "%s"
                headers { "X-Tessera-Cluster" = "eu-1" }
                authorization = "Bearer s3cret"
                """.formatted(server.url()));
        webhooks = Webhooks.fromConfig(config);
        webhooks.publish(WebhookEvent.haOvercommitted(2, 1));

        awaitUntil("delivered", () -> webhooks.counters().delivered() == 1);
        WebhookTestServer.Request r = server.requests().get(0);
        assertEquals("Bearer s3cret", r.headers().getFirst("Authorization"));
        assertEquals("eu-1", r.headers().getFirst("X-Tessera-Cluster"));
    }

    @Test
    void userInfoInTheUrlBecomesBasicAuthAndIsNotSentInTheUrl() {
        String url = server.url().replace("http://", "http://OPENVIDUAPP:MY_SECRET@");
        webhooks = Webhooks.create(settings(url));
        webhooks.publish(WebhookEvent.sessionCreated("ses_A", 1L));

        awaitUntil("delivered", () -> webhooks.counters().delivered() == 1);
        String expected = "Basic " + Base64.getEncoder()
                .encodeToString("OPENVIDUAPP:MY_SECRET".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, server.requests().get(0).headers().getFirst("Authorization"));
    }

    @Test
    void everyEndpointGetsEveryEvent() throws Exception {
        try (WebhookTestServer second = new WebhookTestServer()) {
            second.respond(500);
            webhooks = Webhooks.fromConfig(ConfigFactory.parseString(
                    "endpoints = [\"" + server.url() + "\"]\nurls = \" " + second.url() + " , \"\n"
                            + "initial-backoff = 20ms"));
            webhooks.publish(WebhookEvent.sessionCreated("ses_A", 1L));
            awaitUntil("delivered to both", () -> webhooks.counters().delivered() == 2);
            assertEquals(1, server.count());
            assertEquals(2, second.count());
            assertEquals(1, webhooks.counters().retried());
        }
    }

    @Test
    void closeDrainsQueuedEventsThenDropsLateOnes() {
        webhooks = Webhooks.create(settings(server.url()));
        for (int i = 0; i < 20; i++) {
            webhooks.publish(WebhookEvent.sessionCreated("s" + i, i));
        }
        webhooks.close();
        assertEquals(20, webhooks.counters().delivered());
        webhooks.publish(WebhookEvent.sessionCreated("late", 1L));
        assertEquals(new Webhooks.Counters(20, 0, 0, 1, 0, 0), webhooks.counters());
        assertEquals(20, server.count());
    }

    @Test
    void closeGivesUpOnAStalledEndpointAfterTheShutdownTimeout() {
        server.stall();
        webhooks = Webhooks.create(settings(server.url()).withShutdownTimeout(Duration.ofMillis(200)));
        for (int i = 0; i < 5; i++) {
            webhooks.publish(WebhookEvent.sessionCreated("s" + i, i));
        }
        awaitUntil("one on the wire", () -> server.count() == 1);
        webhooks.close();
        Webhooks.Counters c = webhooks.counters();
        assertEquals(4, c.dropped(), "the queued ones");
        assertEquals(0, c.queued());
        assertEquals(1, c.inFlight(), "the one on the wire completes on its own");
        server.release();
        awaitUntil("the open request completed", () -> webhooks.counters().inFlight() == 0);
        assertEquals(1, webhooks.counters().delivered());
    }

    @Test
    void noEndpointMeansANoOpDispatcher() {
        Webhooks none = Webhooks.fromConfig(ConfigFactory.parseString("urls = \"\"\nendpoints = []"));
        assertSame(Webhooks.noop(), none);
        assertFalse(none.enabled());
        for (int i = 0; i < 1000; i++) {
            none.publish(WebhookEvent.sessionCreated("s" + i, i));
        }
        assertEquals(new Webhooks.Counters(0, 0, 0, 0, 0, 0), none.counters());
        none.close();
        none.close();
    }

    @Test
    void shippedConfigurationBlockParses() {
        Config webhook = ConfigFactory.parseResources("tessera-master.conf").resolve()
                .getConfig("tessera.master.webhook");
        assertEquals(10_000, webhook.getInt("queue-size"));
        assertEquals(5, webhook.getInt("max-attempts"));
        assertEquals(Duration.ofSeconds(1), webhook.getDuration("initial-backoff"));
        assertEquals(Duration.ofSeconds(5), webhook.getDuration("request-timeout"));
        assertEquals(1, webhook.getInt("concurrency"));
        Config withUrl = ConfigFactory.parseMap(Map.of("urls", server.url())).withFallback(webhook);
        webhooks = Webhooks.fromConfig(withUrl);
        assertTrue(webhooks.enabled());
        webhooks.publish(WebhookEvent.mediaNodeStatusChanged("media-1", "running", "draining"));
        awaitUntil("delivered", () -> webhooks.counters().delivered() == 1);
    }

    @Test
    void badConfigurationIsRefusedWithoutEchoingSecrets() {
        IllegalArgumentException unknownEvent = assertThrows(IllegalArgumentException.class, () -> Webhooks.fromConfig(
                ConfigFactory.parseString("urls = \"" + server.url() + "\"\nevents = \"sessionCreated, recordingStarted\"")));
        assertTrue(unknownEvent.getMessage().contains("recordingStarted"));
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class, () -> Webhooks.fromConfig(
                ConfigFactory.parseString("urls = \"ftp://u:topsecret@example.com/x\"")));
        assertFalse(scheme.getMessage().contains("topsecret"));
        IllegalArgumentException header = assertThrows(IllegalArgumentException.class, () -> Webhooks.fromConfig(
                ConfigFactory.parseString("urls = \"" + server.url() + "\"\nheaders { Host = \"topsecret\" }")));
        assertFalse(header.getMessage().contains("topsecret"));
        String shown = WebhookSettings.defaults(List.of(URI.create("https://u:pw@hooks.example.com:8443/in?key=k1")))
                .withHeaders(Map.of("Authorization", "Bearer topsecret")).toString();
        assertFalse(shown.contains("topsecret") || shown.contains("pw") || shown.contains("k1"), shown);
        assertTrue(shown.contains("https://hooks.example.com:8443/in"), shown);
    }

    @Test
    void backoffDoublesWithinHalfToFullAndIsCapped() {
        for (int i = 0; i < 200; i++) {
            long first = Webhooks.backoffMillis(1, Duration.ofSeconds(1), Duration.ofSeconds(30));
            long third = Webhooks.backoffMillis(3, Duration.ofSeconds(1), Duration.ofSeconds(30));
            long late = Webhooks.backoffMillis(40, Duration.ofSeconds(1), Duration.ofSeconds(30));
            assertTrue(first >= 500 && first <= 1_000, "first " + first);
            assertTrue(third >= 2_000 && third <= 4_000, "third " + third);
            assertTrue(late >= 15_000 && late <= 30_000, "capped " + late);
        }
        assertTrue(Webhooks.retryable(500) && Webhooks.retryable(503) && Webhooks.retryable(429)
                && Webhooks.retryable(408));
        assertFalse(Webhooks.retryable(400) || Webhooks.retryable(401) || Webhooks.retryable(404)
                || Webhooks.retryable(302));
    }
}
