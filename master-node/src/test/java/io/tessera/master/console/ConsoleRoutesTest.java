package io.tessera.master.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.master.views.JsonViews;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The console's endpoints answer refusals in the REST API's error shape, over a real socket on loopback. */
class ConsoleRoutesTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    static final HttpClient http = HttpClient.newHttpClient();
    static ServerBinding binding;

    @BeforeAll
    static void bind() {
        ConsoleRoutes routes = new ConsoleRoutes(testKit.system(), testKit.<ConsoleFeed.Command>createTestProbe().getRef(),
                new MasterDirectory("master-1", "http://127.0.0.1:1/", Duration.ofSeconds(2), System::currentTimeMillis),
                "s3cret", new ConsoleRoutes.Settings(16, Duration.ofSeconds(15), Duration.ofSeconds(3)));
        binding = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(routes.route())
                .toCompletableFuture().join();
    }

    @AfterAll
    static void stop() {
        binding.unbind().toCompletableFuture().join();
        testKit.shutdownTestKit();
    }

    private static HttpResponse<String> get(String path, String secret) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + binding.localAddress().getPort() + path));
        if (secret != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("OPENVIDUAPP:" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A refusal in the REST API's error shape, field for field and in its order. */
    private static void assertRefusal(HttpResponse<String> response, int status, String error, String message,
                                      String path) throws Exception {
        assertEquals(status, response.statusCode());
        JsonNode body = JsonViews.MAPPER.readTree(response.body());
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("timestamp", "status", "error", "message", "path"), fields);
        assertEquals(List.of(status, error, message, path), List.of(body.get("status").asInt(),
                body.get("error").asText(), body.get("message").asText(), body.get("path").asText()));
    }

    @Test
    void aWrongOrMissingSecretIsA401() throws Exception {
        assertRefusal(get("/console/api/masters", "wrong"), 401, "Unauthorized",
                "wrong secret: the master refused OPENVIDUAPP and the secret given", "/console/api/masters");
        assertRefusal(get("/console/api/feed", null), 401, "Unauthorized",
                "no credential: log in with the cluster secret (TESSERA_SECRET)", "/console/api/feed");
    }

    @Test
    void anUnknownEndpointIsA404AndLoginNamesTheMaster() throws Exception {
        assertRefusal(get("/console/api/nope", "s3cret"), 404, "Not Found", "no such console endpoint",
                "/console/api/nope");
        HttpResponse<String> login = get("/console/api/login", "s3cret");
        assertEquals(200, login.statusCode());
        assertEquals("{\"master\":\"master-1\"}", login.body());
    }
}
