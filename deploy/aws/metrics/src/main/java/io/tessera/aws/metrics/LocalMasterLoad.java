package io.tessera.aws.metrics;

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

/** Reads the local master's {@code GET /openvidu/api/cluster} (HTTP Basic OPENVIDUAPP:secret) into a sample. */
final class LocalMasterLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI clusterUrl;
    private final String authorization;
    private final HttpClient http;

    LocalMasterLoad(URI masterUrl, String secret, HttpClient http) {
        this.clusterUrl = URI.create(masterUrl + "/openvidu/api/cluster");
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString(("OPENVIDUAPP:" + secret).getBytes(StandardCharsets.UTF_8));
        this.http = http;
    }

    ClusterSample read() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(clusterUrl).timeout(TIMEOUT)
                .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + clusterUrl + " answered " + response.statusCode());
        }
        JsonNode root = JSON.readTree(response.body());
        JsonNode connections = root.path("selfConnections");
        if (!connections.isNumber() || !root.path("mediaNodes").isArray()) {
            throw new IOException(clusterUrl + " has no selfConnections or mediaNodes (a master older than this publisher?)");
        }
        int sessions = 0;
        int capacity = 0;
        for (JsonNode node : root.path("mediaNodes")) {
            if (!node.path("reachable").asBoolean(false)) {
                continue; // its sessions are being placed elsewhere and show up there
            }
            sessions += node.path("load").path("sessions").asInt(0);
            if ("running".equals(node.path("status").asText())) {
                capacity += node.path("load").path("capacity").asInt(0);
            }
        }
        return new ClusterSample(root.path("self").asText(), connections.asInt(), sessions, capacity);
    }
}
