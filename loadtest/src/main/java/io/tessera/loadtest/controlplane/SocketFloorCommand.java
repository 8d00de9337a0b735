package io.tessera.loadtest.controlplane;

import io.tessera.client.SignallingClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The floor under the control-plane benchmark's {@code socket} phase: the same operation (WebSocket open + JSON-RPC
 * {@code ping} + close, the same client) against {@link SocketFloorServer}, a bare Pekko HTTP WebSocket server in its
 * own JVM started with the flags a master gets from {@code bin/cluster}. Its CPU per socket is what the HTTP stack
 * costs before any of Tessera's own work; a master's {@code socket} figure less this one is what ours adds.
 */
@Command(name = "tessera-socket-floor", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measures what a bare Pekko HTTP WebSocket costs its server per socket (open + ping + close), "
                + "closed loop at a fixed concurrency after a warm-up, with the server's CPU per socket: total, JIT, "
                + "GC, work and marginal (work less its idle floor), as the control-plane benchmark reports a master's. "
                + "Writes " + SocketFloorCommand.RESULT_FILE + ".")
public final class SocketFloorCommand implements Callable<Integer> {
    static final String RESULT_FILE = "socket-floor.json";
    /** bin/cluster's JVM flags for a master (JAVA_OPTS default plus MASTER_JAVA_OPTS default). */
    static final String MASTER_JVM_FLAGS = "-Xmx256m -XX:+UseSerialGC -XX:+AlwaysPreTouch -XX:TieredStopAtLevel=1";

    @Option(names = {"-n", "--sockets"}, defaultValue = "1000", description = "Measured sockets. Default: ${DEFAULT-VALUE}")
    int sockets;

    @Option(names = {"-c", "--concurrency"}, defaultValue = "32", description = "Sockets in flight. Default: ${DEFAULT-VALUE}")
    int concurrency;

    @Option(names = {"-w", "--warmup"}, defaultValue = "3000",
            description = "Sockets before the idle window and the measured round. Default: ${DEFAULT-VALUE}")
    int warmup;

    @Option(names = "--pings", defaultValue = "1",
            description = "Pings per socket, one after the other: two runs with different counts give the cost of one"
                    + " request and its answer on an open socket apart from the socket's own. Default: ${DEFAULT-VALUE}")
    int pings = 1;

    @Option(names = "--idle", defaultValue = "5", description = "Idle window, seconds. Default: ${DEFAULT-VALUE}")
    int idleSeconds;

    @Option(names = "--server-jvm-flags", defaultValue = MASTER_JVM_FLAGS,
            description = "The server JVM's flags. Default: ${DEFAULT-VALUE}")
    String serverFlags;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Loopback address to bind. Default: ${DEFAULT-VALUE}")
    String host;

    @Option(names = {"-o", "--out"}, defaultValue = "target/socket-floor",
            description = "Output directory. Default: ${DEFAULT-VALUE}")
    Path out;

    /** The measured round, with the warm-up's and the idle floor for context. */
    public record Result(String serverJvmFlags, int concurrency, int pingsPerSocket, ControlPlaneResult.Phase warmup,
                         IdleFloor idle, ControlPlaneResult.Phase socket) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SocketFloorCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (sockets < 1 || concurrency < 1 || concurrency > 256 || warmup < 0 || idleSeconds < 0 || pings < 1
                || pings > 1000) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "need sockets >= 1, 1 <= concurrency <= 256, warmup >= 0, idle >= 0, 1 <= pings <= 1000");
        }
        if (!java.net.InetAddress.getByName(host).isLoopbackAddress()) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--host must be a loopback address (127.0.0.0/8 or ::1), was " + host);
        }
        Files.createDirectories(out);
        Result result = run();
        Path file = out.resolve(RESULT_FILE);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), result);
        ControlPlaneResult.OpCost cost = result.socket().cpuMsPerOpByRole().get("floor");
        System.out.printf("socket floor: %d sockets (%d ping(s) each), %d errors, %.1f/s, p50 %.1f ms, p99 %.1f ms;"
                        + " server CPU ms per "
                        + "socket: total %.2f / jit %.2f / gc %.2f / work %.2f / marginal %.2f / sys %.2f; "
                        + "%.1f context switches per socket (idle floor %.1f ms/s)%n", result.socket().ok(), pings, result.socket().errors(),
                result.socket().perSecond(), result.socket().latencyMs().p50(), result.socket().latencyMs().p99(),
                cost.total(), cost.jit(), cost.gc(), cost.work(), cost.marginal(), cost.sys(),
                cost.switches(), result.idle().workRate("floor"));
        System.out.println("result: " + file.toAbsolutePath());
        return result.socket().errors() == 0 ? 0 : 2;
    }

    Result run() throws Exception {
        Process server = startServer();
        try {
            URI uri = URI.create("ws://" + host + ":" + awaitPort(server) + "/openvidu");
            NodeCpu cpu = new NodeCpu(() -> Map.of("floor-1", server.pid()));
            Duration timeout = Duration.ofSeconds(10);
            PhaseRunner runner = new PhaseRunner(cpu, timeout, 0, () -> { });
            PhaseRunner.Step socket = i -> {
                try (SignallingClient client = SignallingClient.builder(uri).connect()) {
                    for (int p = 0; p < pings; p++) {
                        client.ping().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    }
                }
                return true;
            };
            ControlPlaneResult.Phase warm = runner.run("warmup", concurrency, Math.max(warmup, 1), IdleFloor.NONE,
                    socket);
            IdleFloor idle = IdleFloor.measure(cpu, Duration.ofSeconds(idleSeconds));
            return new Result(serverFlags, concurrency, pings, warm, idle, runner.run("socket", concurrency, sockets, idle,
                    socket));
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private Process startServer() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        for (String flag : serverFlags.trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SocketFloorServer.class.getName(), host,
                "0"));
        Process server = new ProcessBuilder(command).redirectErrorStream(true).start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroyForcibly));
        return server;
    }

    /**
     * The port the server printed, within a minute; its other output is drained on a daemon thread so it never
     * blocks.
     */
    private static int awaitPort(Process server) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        java.util.concurrent.CompletableFuture<Integer> port = new java.util.concurrent.CompletableFuture<>();
        Thread reader = new Thread(() -> {
            List<String> seen = new ArrayList<>();
            try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!port.isDone() && line.startsWith("listening ")) {
                        port.complete(Integer.parseInt(line.substring("listening ".length()).trim()));
                    } else if (seen.size() < 20) {
                        seen.add(line);
                    }
                }
            } catch (IOException | RuntimeException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IOException("the socket floor server exited before it listened: " + seen));
        }, "socket-floor-output");
        reader.setDaemon(true);
        reader.start();
        return port.get(60, TimeUnit.SECONDS);
    }
}
