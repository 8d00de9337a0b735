package io.tessera.master.webhook;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A webhook receiver for tests: a JDK {@link HttpServer} on 127.0.0.1, any free port. It records every request on
 * arrival, answers with the scripted statuses in turn (then 200), and can be stalled: requests are recorded but not
 * answered until {@link #release()}.
 */
public final class WebhookTestServer implements AutoCloseable {

    public record Request(String method, String path, Headers headers, String body, long arrivedNanos) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "webhook-test-server");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = new ArrayList<>();
    private final Queue<Integer> statuses = new ArrayDeque<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    public WebhookTestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                Integer status;
                synchronized (this) {
                    requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                            exchange.getRequestHeaders(), body, System.nanoTime()));
                    status = statuses.poll();
                }
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            }
        });
        server.start();
    }

    /** The endpoint URL ({@code /hook}). */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** The next requests get these statuses, in order; after them, 200. */
    synchronized WebhookTestServer respond(int... codes) {
        for (int c : codes) {
            statuses.add(c);
        }
        return this;
    }

    /** Requests are recorded but not answered until {@link #release()}. */
    void stall() {
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized int count() {
        return requests.size();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }

    /** A port nothing listens on (bound, then released). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until the condition holds (polled every 10 ms, at most 15 s). */
    static void awaitUntil(String what, BooleanSupplier condition) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }
}
