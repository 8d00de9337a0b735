package io.tessera.master.demo;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo routes bound on a loopback port, asked over real HTTP as a browser would (no credential). */
class DemoRoutesTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static ServerBinding binding;

    @BeforeAll
    static void bind() throws Exception {
        binding = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(new DemoRoutes().route())
                .toCompletableFuture().get();
    }

    @AfterAll
    static void shutdown() {
        binding.unbind();
        testKit.shutdownTestKit();
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesTheUnmodifiedOpenViduBrowserWithoutCredentials() throws Exception {
        HttpResponse<byte[]> response = get("/demo/js/openvidu-browser-2.32.2.min.js");

        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").contains("javascript"),
                response.headers().map().toString());
        String script = new String(response.body(), StandardCharsets.UTF_8);
        // The npm package's minified bundle, byte for byte: it defines the OpenVidu global and names its version.
        try (var packaged = DemoRoutes.class.getClassLoader()
                .getResourceAsStream("tessera-demo/js/openvidu-browser-2.32.2.min.js")) {
            assertTrue(packaged != null, "the demo module did not put openvidu-browser on the class path");
            assertEquals(packaged.readAllBytes().length, response.body().length);
        }
        assertTrue(response.body().length > 100_000, "openvidu-browser is a few hundred kB, got " + response.body().length);
        assertTrue(script.contains("OpenVidu"), "not openvidu-browser");
        assertTrue(script.contains("2.32.2"), "not version 2.32.2");
    }

    @Test
    void aFileTheDemoDoesNotHaveIsNotFound() throws Exception {
        assertEquals(404, get("/demo/js/openvidu-browser-2.31.0.min.js").statusCode());
        assertEquals(404, get("/demo/js/../../tessera-console/index.html").statusCode());
    }
}
