package io.tessera.loadtest.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves the test pages (classpath resources under {@code /browser/}) from 127.0.0.1, which browsers treat as a
 * secure context, so that {@code getUserMedia} works over plain HTTP.
 */
public final class PageServer implements AutoCloseable {
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "page-server");
        thread.setDaemon(true);
        return thread;
    });

    public PageServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
        server.start();
    }

    /** The address of a page, e.g. {@code uri("engine-test.html")}. */
    public URI uri(String page) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + page);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod()) || !path.matches("/[A-Za-z0-9_-]+\\.(html|js|css)")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            try (InputStream in = PageServer.class.getResourceAsStream("/browser" + path)) {
                if (in == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = in.readAllBytes();
                String extension = path.substring(path.lastIndexOf('.') + 1);
                exchange.getResponseHeaders().set("Content-Type", TYPES.get(extension));
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
