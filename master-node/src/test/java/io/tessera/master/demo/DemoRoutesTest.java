package io.tessera.master.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.master.session.ApiError;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo routes bound on loopback ports, asked over real HTTP as a browser would (no credential): one master with
 * demo tokens on, one with them off (the default). Tokens come from a stand-in issuer that records what it was asked;
 * the real one (sessions created on media nodes) is exercised by cluster-it's DemoPageBrowserTest.
 */
class DemoRoutesTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<DemoTokenRequest> issued = new CopyOnWriteArrayList<>();
    private static ServerBinding on;
    private static ServerBinding off;

    @BeforeAll
    static void bind() throws Exception {
        DemoTokens issuer = request -> {
            if (request.sessionId().equals("full")) {
                return CompletableFuture.failedFuture(new ApiError(503, "no media node is available to host a session"));
            }
            issued.add(request);
            return CompletableFuture.completedFuture(new DemoTokens.DemoToken(request.sessionId(), "con_1",
                    "ws://127.0.0.1:1?sessionId=" + request.sessionId() + "&token=tok_1"));
        };
        on = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(new DemoRoutes(true, issuer).route())
                .toCompletableFuture().get();
        off = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(new DemoRoutes(false, issuer).route())
                .toCompletableFuture().get();
    }

    @AfterAll
    static void shutdown() {
        on.unbind();
        off.unbind();
        testKit.shutdownTestKit();
    }

    private static URI uri(ServerBinding binding, String path) {
        return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path);
    }

    private static HttpResponse<byte[]> get(ServerBinding binding, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(binding, path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> postToken(ServerBinding binding, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(binding, "/demo/api/token")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").contains("application/json"),
                response.headers().map().toString());
        return MAPPER.readTree(response.body());
    }

    /** A refusal in the REST API's error shape, whose message contains {@code expected}. */
    private static void assertRefused(int status, String expected, HttpResponse<String> response) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals(status, body.path("status").asInt());
        assertTrue(body.path("message").asText().contains(expected), body.toString());
    }

    @Test
    void servesTheUnmodifiedOpenViduBrowserWithoutCredentials() throws Exception {
        HttpResponse<byte[]> response = get(off, "/demo/js/openvidu-browser-2.32.2.min.js");

        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").contains("javascript"),
                response.headers().map().toString());
        String script = new String(response.body(), StandardCharsets.UTF_8);
        // The npm package's minified bundle, byte for byte: it defines the OpenVidu global and names its version.
        try (var packaged = DemoRoutes.class.getClassLoader()
                .getResourceAsStream("tessera-demo/js/openvidu-browser-2.32.2.min.js")) {
            assertNotNull(packaged, "the demo module did not put openvidu-browser on the class path");
            assertEquals(packaged.readAllBytes().length, response.body().length);
        }
        assertTrue(response.body().length > 100_000, "openvidu-browser is a few hundred kB, got " + response.body().length);
        assertTrue(script.contains("OpenVidu"), "not openvidu-browser");
        assertTrue(script.contains("2.32.2"), "not version 2.32.2");
    }

    @Test
    void aFileTheDemoDoesNotHaveIsNotFound() throws Exception {
        assertEquals(404, get(off, "/demo/js/openvidu-browser-2.31.0.min.js").statusCode());
        assertEquals(404, get(off, "/demo/js/../../tessera-console/index.html").statusCode());
        assertEquals(404, get(off, "/demo/nothing.js").statusCode());
    }

    @Test
    void servesThePageAndItsScriptWhichLoadTheLibraryFromTheMaster() throws Exception {
        HttpResponse<byte[]> redirect = get(off, "/demo");
        assertEquals(308, redirect.statusCode());
        assertEquals("/demo/", redirect.headers().firstValue("Location").orElse(""));

        HttpResponse<byte[]> page = get(off, "/demo/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertEquals("no-cache", page.headers().firstValue("Cache-Control").orElse(""));
        String html = new String(page.body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("src=\"js/openvidu-browser-2.32.2.min.js\""), html);
        assertTrue(html.contains("src=\"demo.js\""), html);

        HttpResponse<byte[]> script = get(off, "/demo/demo.js");
        assertEquals(200, script.statusCode());
        assertTrue(new String(script.body(), StandardCharsets.UTF_8).contains("new OpenVidu()"));
        assertEquals(200, get(off, "/demo/demo.css").statusCode());
    }

    @Test
    void tokensAreOffByDefaultWithAMessageThatSaysHowToTurnThemOn() throws Exception {
        JsonNode config = MAPPER.readTree(get(off, "/demo/api/config").body());
        assertEquals(false, config.path("tokens").asBoolean(true));
        assertTrue(config.path("message").asText().contains("TESSERA_DEMO=on"), config.toString());

        int before = issued.size();
        assertRefused(403, "TESSERA_DEMO=on", postToken(off, "{\"sessionId\":\"room\",\"userName\":\"Ann\"}"));
        assertEquals(before, issued.size(), "a token was issued although demo tokens are off");
    }

    @Test
    void issuesATokenForAValidRequest() throws Exception {
        assertTrue(MAPPER.readTree(get(on, "/demo/api/config").body()).path("tokens").asBoolean());

        HttpResponse<String> response = postToken(on, "{\"sessionId\":\"room-1_a\",\"userName\":\"  Ann Smith \"}");

        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals("room-1_a", body.path("sessionId").asText());
        assertEquals("con_1", body.path("connectionId").asText());
        assertTrue(body.path("token").asText().startsWith("ws://127.0.0.1:1?sessionId=room-1_a&token="));
        assertTrue(issued.contains(new DemoTokenRequest("room-1_a", "Ann Smith")), issued.toString());
    }

    @Test
    void refusesBadInputWithMessagesThatSayWhatIsWrong() throws Exception {
        int before = issued.size();
        assertRefused(400, "session name must be 1-128 letters, digits, '-' or '_'",
                postToken(on, "{\"sessionId\":\"my room!\",\"userName\":\"Ann\"}"));
        assertRefused(400, "session name must be", postToken(on,
                "{\"sessionId\":\"" + "s".repeat(129) + "\",\"userName\":\"Ann\"}"));
        assertRefused(400, "'sessionId' is required", postToken(on, "{\"userName\":\"Ann\"}"));
        assertRefused(400, "'sessionId' must be a string", postToken(on, "{\"sessionId\":7,\"userName\":\"Ann\"}"));
        assertRefused(400, "display name must be 1-50 characters", postToken(on,
                "{\"sessionId\":\"room\",\"userName\":\"   \"}"));
        assertRefused(400, "display name must be", postToken(on,
                "{\"sessionId\":\"room\",\"userName\":\"" + "n".repeat(51) + "\"}"));
        assertRefused(400, "display name must be", postToken(on,
                "{\"sessionId\":\"room\",\"userName\":\"Ann\\u0000\"}"));
        assertRefused(400, "not JSON", postToken(on, "sessionId=room"));
        assertRefused(400, "must be a JSON object", postToken(on, "[]"));
        assertRefused(413, "larger than 4096 bytes", postToken(on,
                "{\"sessionId\":\"room\",\"userName\":\"" + "n".repeat(5000) + "\"}"));
        assertRefused(405, "use POST", http.send(HttpRequest.newBuilder(uri(on, "/demo/api/token")).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
        assertRefused(404, "no such demo endpoint", http.send(HttpRequest.newBuilder(uri(on, "/demo/api/tokens"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(before, issued.size(), "a refused request reached the token issuer");

        // 50 characters are allowed, counted as characters (not UTF-16 units)
        assertEquals(200, postToken(on, "{\"sessionId\":\"room\",\"userName\":\"" + "😀".repeat(50) + "\"}").statusCode());
    }

    @Test
    void aClusterRefusalReachesThePageAsItIs() throws Exception {
        assertRefused(503, "no media node is available", postToken(on, "{\"sessionId\":\"full\",\"userName\":\"Ann\"}"));
    }
}
