package io.tessera.aws.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/** The masters' REST API as far as draining a media node needs it (HTTP Basic OPENVIDUAPP:secret). */
final class MasterRestClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI baseUrl;
    private final String authorization;
    private final HttpClient http;

    MasterRestClient(URI baseUrl, String secret, HttpClient http) {
        this.baseUrl = baseUrl;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString(("OPENVIDUAPP:" + secret).getBytes(StandardCharsets.UTF_8));
        this.http = http;
    }

    /** PATCH status draining: no new sessions on the node; true when a master accepted it (2xx). */
    boolean requestDrain(String nodeId, Instant deadline) throws IOException, InterruptedException {
        String body = JSON.createObjectNode().put("status", "draining").put("deadline", deadline.toString()).toString();
        HttpResponse<String> response = http.send(request(nodeId)
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() / 100 == 2;
    }

    /** Sessions the node still hosts; 0 once the masters no longer know the node (it left the cluster). */
    int sessions(String nodeId) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(nodeId).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return 0;
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET media node " + nodeId + " answered " + response.statusCode());
        }
        JsonNode node = JSON.readTree(response.body());
        JsonNode sessions = node.path("tesseraLoad").path("sessions");
        if (!sessions.isNumber()) {
            sessions = node.path("sessions");
        }
        if (!sessions.isNumber()) {
            throw new IOException("media node " + nodeId + " JSON has no session count");
        }
        return sessions.asInt();
    }

    private HttpRequest.Builder request(String nodeId) {
        return HttpRequest.newBuilder(URI.create(baseUrl + "/openvidu/api/media-nodes/" + nodeId))
                .timeout(TIMEOUT).header("Authorization", authorization);
    }
}
