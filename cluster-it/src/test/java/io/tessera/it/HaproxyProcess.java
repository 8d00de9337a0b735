package io.tessera.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * HAProxy (Debian {@code haproxy}) in front of a test cluster's masters, with the same configuration as
 * {@code bin/cluster start} ({@code deploy/local/haproxy.cfg.in}): HTTP and WebSocket on one address, health checks on
 * {@code /health/ready}. Its address is chosen first ({@link #reserve}), so that the masters can be started with it as
 * their {@code TESSERA_PUBLIC_URL} (tokens then name the balancer, never one master); {@link #start} then points it at
 * them. {@link #close()} stops it (and a shutdown hook does, if the test JVM dies first).
 */
public final class HaproxyProcess implements AutoCloseable {
    public static final Path HAPROXY = Path.of(System.getenv().getOrDefault("TESSERA_HAPROXY", "/usr/sbin/haproxy"));
    private static final Path TEMPLATE = Paths.get(System.getProperty("tessera.haproxy.template",
            "../deploy/local/haproxy.cfg.in"));

    private final String host;
    private final int port;
    private final Path dir;
    private final Thread shutdownHook = new Thread(this::stop, "haproxy-shutdown");
    private Process process;

    private HaproxyProcess(String host, int port, Path dir) {
        this.host = host;
        this.port = port;
        this.dir = dir;
    }

    /** Picks a free port on {@code host} (e.g. 127.0.0.10) for the balancer of test {@code testName}. */
    public static HaproxyProcess reserve(String testName, String host) {
        if (!Files.isExecutable(HAPROXY)) {
            throw new IllegalStateException("load balancer tests need " + HAPROXY
                    + " (Debian package haproxy; .ci/run installs it)");
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            Path dir = Paths.get(System.getProperty("tessera.it.logs", "target/cluster-logs"), testName);
            return new HaproxyProcess(host, s.getLocalPort(), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a port on " + host, e);
        }
    }

    /** What masters put in tokens: {@code http://host:port}. */
    public URI httpBase() {
        return URI.create("http://" + host + ":" + port);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Starts HAProxy in front of {@code masters} and waits until it passes a ready master's answer through. */
    public synchronized HaproxyProcess start(List<ClusterProcesses.Node> masters, Duration timeout) {
        if (process != null) {
            throw new IllegalStateException("already started");
        }
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("haproxy.cfg");
            String servers = masters.stream()
                    .map(m -> "    server " + m.id() + " " + m.host() + ":" + m.httpPort() + " check")
                    .collect(Collectors.joining("\n"));
            Files.writeString(config, Files.readString(TEMPLATE)
                    .replace("@BIND@", host + ":" + port)
                    .replace("@PIDFILE@", dir.resolve("haproxy.pid").toAbsolutePath().toString())
                    .replace("@SERVERS@", servers));
            // -db: in the foreground, so that this process is HAProxy itself and destroy() stops it
            process = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("haproxy.log").toFile()))
                    .start();
            process.getOutputStream().close();
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + HAPROXY, e);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI ready = httpBase().resolve("/health/ready");
        await("HAProxy on " + httpBase() + " serving a ready master").atMost(timeout)
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("haproxy exited with " + process.exitValue() + ": " + log());
                    }
                    return http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
        return this;
    }

    /** What HAProxy logged (servers going down and up). */
    public String log() {
        try {
            return Files.readString(dir.resolve("haproxy.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already, or never started
        }
    }

    private synchronized void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
