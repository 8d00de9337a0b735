package io.tessera.aws.lifecycle;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Instance metadata over IMDSv2 (a session token first, then reads that carry it). */
final class InstanceMetadata {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final URI endpoint;
    private final HttpClient http;
    private String token;

    InstanceMetadata(URI endpoint, HttpClient http) {
        this.endpoint = endpoint;
        this.http = http;
    }

    String instanceId() throws IOException, InterruptedException {
        return read("instance-id").orElseThrow(() -> new IOException("instance metadata has no instance-id"));
    }

    /** "InService", "Terminated" once a scale-in picked this instance, empty before Auto Scaling set it. */
    Optional<String> targetLifecycleState() throws IOException, InterruptedException {
        return read("autoscaling/target-lifecycle-state");
    }

    private Optional<String> read(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        if (response.statusCode() == 401) { // the token expired: take a new one once
            token = null;
            response = get(path);
        }
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new IOException("instance metadata " + path + " answered " + response.statusCode());
        }
        return Optional.of(response.body().trim());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(endpoint.resolve("/latest/meta-data/" + path)).timeout(TIMEOUT)
                .header("X-aws-ec2-metadata-token", token()).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token() throws IOException, InterruptedException {
        if (token == null) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint.resolve("/latest/api/token"))
                    .timeout(TIMEOUT).header("X-aws-ec2-metadata-token-ttl-seconds", "21600")
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("instance metadata token request answered " + response.statusCode());
            }
            token = response.body().trim();
        }
        return token;
    }
}
