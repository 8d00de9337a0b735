package io.tessera.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;

/** Minimal REST client for tests: Basic auth {@code OPENVIDUAPP:<secret>}, answers as status + JSON body. */
public final class Rest {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** One answer; {@code body} is a MissingNode when the body is empty or not JSON ({@code text} has it raw). */
    public record Response(String method, URI uri, int status, JsonNode body, String text, HttpHeaders headers) {
        @Override
        public String toString() {
            String shown = text.length() > 500 ? text.substring(0, 500) + "..." : text;
            return method + " " + uri + " -> " + status + " " + shown;
        }
    }

    private final URI base;
    private final String authorization;
    private final HttpClient http;

    private Rest(URI base, String authorization, HttpClient http) {
        this.base = base;
        this.authorization = authorization;
        this.http = http;
    }

    /** A client for the master at {@code base} with the cluster secret. */
    public static Rest authenticated(URI base, String secret) {
        return new Rest(base, basic("OPENVIDUAPP", secret), HTTP);
    }

    /** As {@link #authenticated(URI, String)}, through {@code http} (e.g. one trusting the cluster's certificate). */
    public static Rest authenticated(URI base, String secret, HttpClient http) {
        return new Rest(base, basic("OPENVIDUAPP", secret), http);
    }

    /** An HTTP client like the default one that trusts what {@code trust} trusts: for https nodes. */
    public static HttpClient httpClient(SSLContext trust) {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1)
                .sslContext(trust).build();
    }

    static HttpClient defaultHttpClient() {
        return HTTP;
    }

    public Rest withoutAuth() {
        return new Rest(base, null, http);
    }

    public Rest withSecret(String secret) {
        return new Rest(base, basic("OPENVIDUAPP", secret), http);
    }

    private static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    public Response post(String path, Object body) {
        return send("POST", path, toJson(body));
    }

    public Response patch(String path, Object body) {
        return send("PATCH", path, toJson(body));
    }

    /** POST with a body taken verbatim (for malformed input tests). */
    public Response postText(String path, String body) {
        return send("POST", path, body);
    }

    public Response send(String method, String path, String body) {
        URI uri = base.resolve(path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(method, uri, r.statusCode(), parse(r.body()), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + uri, e);
        }
    }

    private static String toJson(Object body) {
        if (body == null) {
            return null;
        }
        try {
            return body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            JsonNode n = JSON.readTree(text);
            return n == null ? MissingNode.getInstance() : n;
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    /** For readiness polling: "200 {...}", "503 {...}", or why there was no answer; never throws. */
    static String probe(URI uri) {
        return probe(HTTP, uri);
    }

    static String probe(HttpClient http, URI uri) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = r.body() == null ? "" : r.body();
            return r.statusCode() + " " + (body.length() > 200 ? body.substring(0, 200) : body);
        } catch (ConnectException e) {
            return "connection refused";
        } catch (IOException e) {
            return "no answer (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The call's value, or null if it threw: for polling loops that retry anyway. */
    static <T> T orNull(Callable<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            return null;
        }
    }
}
