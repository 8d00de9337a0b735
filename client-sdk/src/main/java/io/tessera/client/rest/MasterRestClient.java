package io.tessera.client.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * The REST API of a Tessera master (OpenVidu 2's {@code /openvidu/api/...} plus Tessera's extensions), as an
 * application server, an operator's tool or a test calls it: HTTP Basic {@code OPENVIDUAPP:<secret>} over the JDK's
 * {@link HttpClient}. Thread-safe; one instance per master (they may share one {@code HttpClient}).
 *
 * <p>Typed calls answer small records (the whole JSON stays reachable through their {@code json()}) and throw
 * {@link RestException} with the status and the server's message for any non-2xx answer; a transport failure (no
 * connection, a timeout, TLS refused) is the {@code IOException} the JDK raised. {@link #send} is the raw way: any
 * method, path and body, the answer whatever its status. The secret goes only into the {@code Authorization} header:
 * never into a message, {@link #toString()} or a log.
 */
public final class MasterRestClient {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_ERROR_BODY_CHARS = 4096;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final String API = "/openvidu/api";
    private static final String USER = "OPENVIDUAPP";
    private static final int SHOWN_BODY_CHARS = 200;

    private final String base;
    private final String authorization;
    private final HttpClient http;
    private final Duration requestTimeout;

    private MasterRestClient(String base, String authorization, HttpClient http, Duration requestTimeout) {
        this.base = base;
        this.authorization = authorization;
        this.http = http;
        this.requestTimeout = requestTimeout;
    }

    /** A client of the master at {@code masterUrl} ({@code http(s)://host:port}, optionally with a path prefix). */
    public static Builder builder(URI masterUrl) {
        return new Builder(masterUrl);
    }

    /** The usual client: this master, this cluster secret, the default timeouts and the JVM's trust store. */
    public static MasterRestClient create(URI masterUrl, String secret) {
        return builder(masterUrl).secret(secret).build();
    }

    /** The same master through the same {@code HttpClient}, with another secret (a wrong one, in tests). */
    public MasterRestClient withSecret(String secret) {
        return new MasterRestClient(base, basic(Objects.requireNonNull(secret, "secret")), http, requestTimeout);
    }

    /** The same master without an {@code Authorization} header: for the health endpoints, or to see a 401. */
    public MasterRestClient withoutCredentials() {
        return new MasterRestClient(base, null, http, requestTimeout);
    }

    /** The master's base URL, without user info. */
    public URI baseUri() {
        return URI.create(base);
    }

    // ---------------------------------------------------------------- sessions

    /** {@code POST /sessions}: the new session (409 when the custom id is taken, 503 with no media node). */
    public Session createSession(SessionProperties properties) throws IOException, InterruptedException {
        return expect(send("POST", API + "/sessions", properties.toJson().toString()), Session::from);
    }

    public Session createSession(String customSessionId) throws IOException, InterruptedException {
        return createSession(SessionProperties.withId(customSessionId));
    }

    /** {@code GET /sessions/{id}}; empty when the master answers 404. */
    public Optional<Session> session(String sessionId) throws IOException, InterruptedException {
        return unlessNotFound(send("GET", sessionPath(sessionId)), Session::from);
    }

    /** {@code GET /sessions}: every session the master knows. */
    public List<Session> sessions() throws IOException, InterruptedException {
        return expect(send("GET", API + "/sessions"), page -> Fields.page(page, Session::from));
    }

    /** {@code DELETE /sessions/{id}}: its participants are evicted and it ends (404 when there is none). */
    public void deleteSession(String sessionId) throws IOException, InterruptedException {
        expect(send("DELETE", sessionPath(sessionId)), body -> null);
    }

    // ---------------------------------------------------------------- connections

    /** {@code POST /sessions/{id}/connection}: the connection and its token (404 for an unknown session). */
    public Connection createConnection(String sessionId, ConnectionProperties properties)
            throws IOException, InterruptedException {
        return expect(send("POST", sessionPath(sessionId) + "/connection", properties.toJson().toString()),
                Connection::from);
    }

    /** {@code GET /sessions/{id}/connection/{cid}}; empty when the master answers 404. */
    public Optional<Connection> connection(String sessionId, String connectionId)
            throws IOException, InterruptedException {
        return unlessNotFound(send("GET", connectionPath(sessionId, connectionId)), Connection::from);
    }

    /** {@code GET /sessions/{id}/connection?pendingConnections=true}: active and pending connections. */
    public List<Connection> connections(String sessionId) throws IOException, InterruptedException {
        return expect(send("GET", sessionPath(sessionId) + "/connection?pendingConnections=true"),
                page -> Fields.page(page, Connection::from));
    }

    /** {@code PATCH /sessions/{id}/connection/{cid}}: a new role and/or record flag (null: unchanged). */
    public Connection updateConnection(String sessionId, String connectionId, String role, Boolean record)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        if (role != null) {
            body.put("role", role);
        }
        if (record != null) {
            body.put("record", record);
        }
        return expect(send("PATCH", connectionPath(sessionId, connectionId), body.toString()), Connection::from);
    }

    /** {@code DELETE /sessions/{id}/connection/{cid}}: the participant is evicted, or its token revoked. */
    public void deleteConnection(String sessionId, String connectionId) throws IOException, InterruptedException {
        expect(send("DELETE", connectionPath(sessionId, connectionId)), body -> null);
    }

    /** OpenVidu's deprecated {@code POST /tokens}: a new connection's token. */
    public String createToken(String sessionId, ConnectionProperties properties)
            throws IOException, InterruptedException {
        ObjectNode body = properties.toJson().put("session", sessionId);
        body.remove("type");
        return expect(send("POST", API + "/tokens", body.toString()), answer -> Fields.text(answer, "token"));
    }

    /**
     * {@code POST /signal}: a message to the session's participants ({@code to}: connection ids; empty for
     * everyone). 406 when a recipient is not connected.
     */
    public void signal(String sessionId, List<String> to, String type, String data)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("session", sessionId);
        to.forEach(body.putArray("to")::add);
        if (type != null) {
            body.put("type", type);
        }
        if (data != null) {
            body.put("data", data);
        }
        expect(send("POST", API + "/signal", body.toString()), answer -> null);
    }

    // ---------------------------------------------------------------- media nodes, cluster, health

    /** {@code GET /media-nodes}. */
    public List<MediaNode> mediaNodes() throws IOException, InterruptedException {
        return expect(send("GET", API + "/media-nodes"), page -> Fields.page(page, MediaNode::from));
    }

    /** {@code GET /media-nodes/{id}}; empty when the masters do not know the node (any more). */
    public Optional<MediaNode> mediaNode(String mediaNodeId) throws IOException, InterruptedException {
        return unlessNotFound(send("GET", mediaNodePath(mediaNodeId)), MediaNode::from);
    }

    /**
     * {@code PATCH /media-nodes/{id}} {@code {"status":"draining","deadline":..}}: no new session goes there; at the
     * deadline (at most a week ahead) the masters move the sessions still there to other nodes. Answers the node with
     * its {@code drainDeadline}.
     */
    public MediaNode drainMediaNode(String mediaNodeId, Instant deadline) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("status", MediaNode.DRAINING).put("deadline", deadline.toString());
        return expect(send("PATCH", mediaNodePath(mediaNodeId), body.toString()), MediaNode::from);
    }

    /** {@code PATCH /media-nodes/{id}} {@code {"status":"running"}}: undoes a drain. */
    public MediaNode resumeMediaNode(String mediaNodeId) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("status", MediaNode.RUNNING);
        return expect(send("PATCH", mediaNodePath(mediaNodeId), body.toString()), MediaNode::from);
    }

    /** Tessera's {@code GET /cluster}: masters, media nodes with their load, routing size, the HA plan. */
    public ClusterView clusterView() throws IOException, InterruptedException {
        return expect(send("GET", API + "/cluster"), ClusterView::from);
    }

    /** OpenVidu's {@code GET /health} (authenticated): true when the master answers {@code {"status":"UP"}}. */
    public boolean isHealthy() throws IOException, InterruptedException {
        return expect(send("GET", API + "/health"), answer -> "UP".equals(answer.path("status").asText()));
    }

    /**
     * {@code GET /health/ready} (no credentials needed): true once the node is an {@code Up} cluster member, false
     * while it answers 503. Any node serves it, media nodes included.
     */
    public boolean isReady() throws IOException, InterruptedException {
        RestResponse answer = send("GET", "/health/ready");
        if (answer.status() == 503) {
            return false;
        }
        return expect(answer, body -> true);
    }

    // ---------------------------------------------------------------- raw

    /** A request without a body; the answer whatever its status. */
    public RestResponse send(String method, String path) throws IOException, InterruptedException {
        return send(method, path, null);
    }

    /**
     * A request with {@code body} sent verbatim as {@code application/json} (null: no body), to {@code path} taken
     * as given (a percent-encoded path stays as it is): the answer whatever its status. Throws only when there is no
     * answer.
     */
    public RestResponse send(String method, String path, String body) throws IOException, InterruptedException {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new RestResponse(method, path, answer.statusCode(), answer.body() == null ? "" : answer.body(),
                answer.headers());
    }

    /** As {@link #send(String, String, String)} with {@code body} written as JSON by Jackson. */
    public RestResponse sendJson(String method, String path, Object body) throws IOException, InterruptedException {
        return send(method, path, JSON.writeValueAsString(body));
    }

    @Override
    public String toString() {
        return "MasterRestClient[" + base + (authorization == null ? ", no credentials" : "") + "]";
    }

    // ---------------------------------------------------------------- answers

    private static <T> T expect(RestResponse answer, Function<JsonNode, T> view) throws IOException {
        if (!answer.isSuccess()) {
            throw failure(answer);
        }
        return read(answer, view);
    }

    private static <T> Optional<T> unlessNotFound(RestResponse answer, Function<JsonNode, T> view) throws IOException {
        return answer.status() == 404 ? Optional.empty() : Optional.of(expect(answer, view));
    }

    private static <T> T read(RestResponse answer, Function<JsonNode, T> view) throws IOException {
        JsonNode json;
        try {
            json = answer.text().isBlank() ? JSON.createObjectNode() : JSON.readTree(answer.text());
        } catch (JsonProcessingException e) {
            throw new IOException(call(answer) + " answered " + answer.status() + " with a body that is not JSON: "
                    + shown(answer.text()));
        }
        try {
            return view.apply(json);
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            // A master of another version, or not a master at all.
            throw new IOException(call(answer) + " answered " + answer.status() + " without what this client reads ("
                    + e.getMessage() + "): " + shown(answer.text()));
        }
    }

    private static RestException failure(RestResponse answer) {
        String text = answer.text();
        String message = answer.json().path("message").isTextual() ? answer.json().path("message").asText() : shown(text);
        String kept = text.length() > MAX_ERROR_BODY_CHARS ? text.substring(0, MAX_ERROR_BODY_CHARS) : text;
        return new RestException(call(answer), answer.status(), message, kept);
    }

    private static String call(RestResponse answer) {
        int query = answer.path().indexOf('?');
        return answer.method() + " " + (query < 0 ? answer.path() : answer.path().substring(0, query));
    }

    private static String shown(String text) {
        String line = text.strip().replaceAll("\\p{Cntrl}+", " ");
        return line.length() > SHOWN_BODY_CHARS ? line.substring(0, SHOWN_BODY_CHARS) + "..." : line;
    }

    // ---------------------------------------------------------------- paths

    private static String sessionPath(String sessionId) {
        return API + "/sessions/" + segment(sessionId);
    }

    private static String connectionPath(String sessionId, String connectionId) {
        return sessionPath(sessionId) + "/connection/" + segment(connectionId);
    }

    private static String mediaNodePath(String mediaNodeId) {
        return API + "/media-nodes/" + segment(mediaNodeId);
    }

    /** An id as one path segment: everything but RFC 3986's unreserved characters percent-encoded. */
    static String segment(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("an id must not be empty");
        }
        StringBuilder out = new StringBuilder(id.length());
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String basic(String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((USER + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Options of a {@link MasterRestClient}. {@code connectTimeout} and {@code sslContext} shape the
     * {@code HttpClient} the builder makes (HTTP/1.1); with {@link #httpClient(HttpClient)} the given client's own
     * settings apply instead.
     */
    public static final class Builder {
        private final String base;
        private String authorization;
        private HttpClient http;
        private SSLContext sslContext;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

        private Builder(URI masterUrl) {
            this.base = baseOf(Objects.requireNonNull(masterUrl, "masterUrl"));
        }

        /** The cluster secret (Basic {@code OPENVIDUAPP:<secret>}); without it no {@code Authorization} is sent. */
        public Builder secret(String secret) {
            this.authorization = basic(Objects.requireNonNull(secret, "secret"));
            return this;
        }

        /** How long opening a connection may take (default 5 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long a call may wait for its answer (default 10 s); past it the call throws {@code HttpTimeoutException}. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** For https masters whose certificate the JVM's default trust store does not hold. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /** An {@code HttpClient} to use (and share between clients) instead of one of the builder's making. */
        public Builder httpClient(HttpClient client) {
            this.http = Objects.requireNonNull(client, "client");
            return this;
        }

        public MasterRestClient build() {
            if (http != null && sslContext != null) {
                throw new IllegalStateException("give the SSLContext to the HttpClient passed to httpClient(..)");
            }
            HttpClient client = http;
            if (client == null) {
                HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout)
                        .version(HttpClient.Version.HTTP_1_1);
                if (sslContext != null) {
                    b.sslContext(sslContext);
                }
                client = b.build();
            }
            return new MasterRestClient(base, authorization, client, requestTimeout);
        }

        /** {@code scheme://host[:port][/prefix]}: no user info (credentials go in the header), query or trailing slash. */
        private static String baseOf(URI url) {
            String scheme = url.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || url.getHost() == null) {
                throw new IllegalArgumentException("the master URL must be http(s)://host[:port]: "
                        + scheme + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()));
            }
            String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("/+$", "");
            return scheme.toLowerCase() + "://" + url.getRawAuthority().substring(url.getRawAuthority().indexOf('@') + 1)
                    + path;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }
}
