package io.tessera.loadtest.partition;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The standalone proxy's control API: a small HTTP server on a loopback address, HTTP Basic {@code OPENVIDUAPP:<the
 * cluster secret>} as the nodes' REST API, so only whoever may run the cluster may cut it apart.
 * <pre>
 *   GET  /cuts                  {"nodes":[...],"cuts":["a->b",...],"connections":n,"droppedBytes":n,"refusedConnections":n}
 *   POST /partition/{node}      cut the node off from every other node, both ways
 *   POST /cut/{from}/{to}       one way: nothing from reaches to
 *   POST /heal                  every link works again
 * </pre>
 * Every POST answers as GET /cuts does; bad input is a 4xx with {"error": "..."}. Requests have no body (one sent is
 * never read). One thread: faults are applied one at a time, in the order they arrive.
 */
public final class PartitionControl implements AutoCloseable {
    /** The user name of the nodes' REST API: the same credentials work here. */
    public static final String USER = "OPENVIDUAPP";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final NetworkPartitions partitions;
    private final byte[] expectedAuthorization;
    private final HttpServer server;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "partition-control");
        t.setDaemon(true);
        return t;
    });

    private PartitionControl(NetworkPartitions partitions, String secret, HttpServer server) {
        this.partitions = partitions;
        this.expectedAuthorization = ("Basic " + Base64.getEncoder()
                .encodeToString((USER + ":" + secret).getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8);
        this.server = server;
    }

    /** Serves the API on {@code address}, which must be a loopback address (the API has no TLS). */
    public static PartitionControl start(NetworkPartitions partitions, String secret, InetSocketAddress address)
            throws IOException {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the control API needs the cluster secret (TESSERA_SECRET)");
        }
        if (address.getAddress() == null || !address.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the control API listens on loopback only, not " + address);
        }
        HttpServer server = HttpServer.create(address, 16);
        PartitionControl control = new PartitionControl(partitions, secret, server);
        server.createContext("/", control::handle);
        server.setExecutor(control.thread);
        server.start();
        return control;
    }

    /** The port it listens on (useful when started on port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !MessageDigest.isEqual(expectedAuthorization, auth.getBytes(StandardCharsets.UTF_8))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"tessera-partition-proxy\"");
                reply(exchange, 401, Map.of("error", "HTTP Basic " + USER + ":<cluster secret> required"));
                return;
            }
            String method = exchange.getRequestMethod();
            List<String> path = List.of(exchange.getRequestURI().getPath().replaceAll("^/+|/+$", "").split("/+"));
            String verb = path.get(0);
            boolean known = switch (verb) {
                case "cuts" -> path.size() == 1;
                case "heal" -> path.size() == 1;
                case "partition" -> path.size() == 2;
                case "cut" -> path.size() == 3;
                default -> false;
            };
            if (!known) {
                reply(exchange, 404, Map.of("error", "no such operation: " + method + " " + exchange.getRequestURI()
                        .getPath() + " (GET /cuts, POST /partition/{node}, POST /cut/{from}/{to}, POST /heal)"));
                return;
            }
            String wanted = verb.equals("cuts") ? "GET" : "POST";
            if (!wanted.equals(method)) {
                exchange.getResponseHeaders().add("Allow", wanted);
                reply(exchange, 405, Map.of("error", "/" + verb + " takes " + wanted + ", not " + method));
                return;
            }
            try {
                switch (verb) {
                    case "partition" -> partitions.isolate(path.get(1));
                    case "cut" -> partitions.cut(path.get(1), path.get(2));
                    case "heal" -> partitions.heal();
                    default -> {
                        // cuts: only the state
                    }
                }
            } catch (IllegalArgumentException badNode) {
                reply(exchange, 400, Map.of("error", badNode.getMessage()));
                return;
            }
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("nodes", new TreeSet<>(partitions.nodes()));
            state.put("cuts", partitions.cuts());
            state.put("connections", partitions.connections());
            state.put("droppedBytes", partitions.droppedBytes());
            state.put("refusedConnections", partitions.refusedConnections());
            reply(exchange, 200, state);
        }
    }

    private static void reply(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
