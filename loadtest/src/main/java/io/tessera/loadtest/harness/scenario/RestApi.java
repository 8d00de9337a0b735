package io.tessera.loadtest.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The OpenVidu REST calls an application server makes, against a list of masters: a call goes to the preferred
 * master and, if it cannot be reached, to the next one (a dead master must not fail the run's REST side).
 */
final class RestApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final List<URI> masters;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    RestApi(List<URI> masters, String secret) {
        this.masters = masters;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString(("OPENVIDUAPP:" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** Result of a call: the JSON body and which master answered. */
    record Answer(JsonNode body, URI master, int failovers) {
    }

    Answer createSession(int preferred, String sessionId) throws IOException, InterruptedException {
        return post(preferred, "/openvidu/api/sessions", Map.of("customSessionId", sessionId));
    }

    Answer createConnection(int preferred, String sessionId, String data) throws IOException, InterruptedException {
        return post(preferred, "/openvidu/api/sessions/" + sessionId + "/connection",
                Map.of("type", "WEBRTC", "role", "PUBLISHER", "data", data));
    }

    private Answer post(int preferred, String path, Map<String, String> body) throws IOException, InterruptedException {
        byte[] json = JSON.writeValueAsBytes(body);
        IOException last = null;
        for (int i = 0; i < masters.size(); i++) {
            URI master = masters.get((preferred + i) % masters.size());
            HttpRequest request = HttpRequest.newBuilder(master.resolve(path)).timeout(TIMEOUT)
                    .header("Authorization", authorization).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build();
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new RestException(r.statusCode(), "POST " + path + " on " + master.getAuthority() + ": "
                            + r.statusCode() + " " + cut(r.body()));
                }
                return new Answer(JSON.readTree(r.body()), master, i);
            } catch (IOException e) {
                last = e; // this master is down or frozen: try the next one
            }
        }
        throw last;
    }

    private static String cut(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
