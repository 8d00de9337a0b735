package io.tessera.aws.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A loopback HTTP server that answers with a function of the request and records every request, so a test can
 * stand in for AWS APIs (Query protocol: form-encoded POST, XML answer; Smithy RPC v2 CBOR: binary POST and
 * answer), instance metadata or the master REST API. A gzip request body is stored decompressed.
 */
public final class FakeHttpServer implements AutoCloseable {

    public record Request(String method, String path, Map<String, List<String>> headers, byte[] bytes) {
        /** The body as UTF-8 text. */
        public String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase());
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** The AWS Query parameters of a form-encoded body ({@code Action=...&Version=...}). */
        public Map<String, String> form() {
            Map<String, String> params = new LinkedHashMap<>();
            for (String pair : body().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(key, value);
            }
            return params;
        }

        public String action() {
            return form().get("Action");
        }
    }

    public record Response(int status, String contentType, byte[] bytes, Map<String, String> headers) {
        public Response(int status, String contentType, String body) {
            this(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        public static Response binary(int status, String contentType, byte[] body, Map<String, String> headers) {
            return new Response(status, contentType, body, headers);
        }

        public static Response xml(String body) {
            return new Response(200, "text/xml", body);
        }

        public static Response json(int status, String body) {
            return new Response(status, "application/json", body);
        }

        public static Response text(int status, String body) {
            return new Response(status, "text/plain", body);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private FakeHttpServer(HttpServer server) {
        this.server = server;
    }

    public static FakeHttpServer start(Function<Request, Response> answer) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            FakeHttpServer fake = new FakeHttpServer(server);
            server.createContext("/", exchange -> fake.handle(exchange, answer));
            server.start();
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange, Function<Request, Response> answer) throws IOException {
        try (exchange) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), List.copyOf(values)));
            byte[] body = exchange.getRequestBody().readAllBytes();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = gzip.readAllBytes();
                }
            }
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body);
            requests.add(request);
            Response response;
            try {
                response = answer.apply(request);
            } catch (RuntimeException e) {
                response = Response.text(500, "fake failed: " + e);
            }
            byte[] bytes = response.bytes();
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(Predicate<Request> which) {
        return requests.stream().filter(which).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
