package io.tessera.it;


import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rest.RestResponse;
import io.tessera.loadtest.controlplane.GcLog;
import io.tessera.loadtest.partition.NetworkPartitions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * Starts a real Tessera cluster as child JVMs on 127.0.0.x: masters on .11, .12, .13..., media nodes on .21, .22...
 * Each node gets free ports (remoting and HTTP), a log file under {@code target/cluster-logs/<test>/<node>.log},
 * and is destroyed by {@link #close()} or, if the test JVM dies first, by a shutdown hook.
 * {@link #close()} then scans the nodes' logs and fails if a secret or token is in them ({@link NodeLogScan}).
 * A cluster started with {@link #startPartitionable} can be cut apart for real ({@link #partition}, {@link #cut},
 * {@link #heal}): every node's remoting goes through a proxy that can drop it ({@link NetworkPartitions}).
 */
public final class ClusterProcesses implements AutoCloseable {

    public enum Role { MASTER, MEDIA }

    /** One node of the cluster and where to reach it. */
    /**
     * One node's address and ports. {@code sentinelPort} is a media node's process sentinel (0 for a master): chosen
     * here like the others, because a sentinel on an ephemeral port could take a port picked here as free for
     * another of the node's listeners before that listener binds it.
     */
    public record Node(String id, Role role, String host, int port, int httpPort, int sentinelPort, Path log,
                       boolean tls) {
        public URI httpBase() {
            return URI.create((tls ? "https://" : "http://") + host + ":" + httpPort);
        }

        public URI webSocketUri() {
            return URI.create((tls ? "wss://" : "ws://") + host + ":" + httpPort + "/openvidu");
        }

        String seed() {
            return host + ":" + port;
        }
    }

    private static final String MASTER_MAIN = "io.tessera.master.MasterMain";
    /**
     * The node JVMs' JIT. A test's nodes live for one to six minutes on a machine whose cores the whole suite shares,
     * and for such cold runs C2 costs more CPU than its code saves: with C1 only a node needs about half the CPU to
     * become ready and a cold operation about half the master CPU (docs/BENCHMARKS.md "The idle floor and the JIT").
     * {@code -Dtessera.it.node-jit=tiered} runs them with the JVM's default, as the benchmarks' earlier figures were.
     */
    private static final List<String> NODE_JIT = "tiered".equals(System.getProperty("tessera.it.node-jit", "c1"))
            ? List.of() : List.of("-XX:TieredStopAtLevel=1");
    private static final String MEDIA_MAIN = "io.tessera.media.MediaMain";
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    static final int LOG_TAIL_LINES = 40;

    private final String testName;
    private final String secret;
    private final List<Node> masters;
    private final List<Node> mediaNodes;
    // Also read by the shutdown hook thread.
    private final Map<String, Process> processes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Thread shutdownHook = new Thread(this::stopAll, "cluster-processes-shutdown");
    private boolean closed;
    /** Literal values that must not appear in any node log; checked by {@link #close()}. */
    private final Set<String> forbiddenInLogs = ConcurrentHashMap.newKeySet();

    private final Map<String, String> extraEnv;
    private final String seeds;
    private final HttpClient http;
    private final Path logDir;
    private final List<Node> extraNodes = Collections.synchronizedList(new ArrayList<>());
    /** Node id -> the port the node's own remoting listens on, behind its proxy; empty unless partitionable. */
    private final Map<String, Integer> bindPorts = new ConcurrentHashMap<>();
    private NetworkPartitions partitions;
    /** Each node's own environment on top of {@link #extraEnv}. */
    private java.util.function.Function<Node, Map<String, String>> nodeEnv = n -> Map.of();

    private ClusterProcesses(String testName, String secret, List<Node> masters, List<Node> mediaNodes,
                             Map<String, String> extraEnv, HttpClient http, Path logDir) {
        this.extraEnv = Map.copyOf(extraEnv);
        this.http = http;
        this.logDir = logDir;
        // Media nodes are seeds too: masters restarted after all of them died join the media nodes' cluster.
        this.seeds = java.util.stream.Stream.concat(masters.stream().limit(2), mediaNodes.stream())
                .map(Node::seed).collect(Collectors.joining(","));
        this.testName = testName;
        this.secret = secret;
        this.masters = List.copyOf(masters);
        this.mediaNodes = List.copyOf(mediaNodes);
        forbidInLogs(secret);
        forbidInLogs(Base64.getEncoder().encodeToString(("OPENVIDUAPP:" + secret).getBytes(StandardCharsets.UTF_8)));
    }

    /** Starts the processes (without waiting for them: see {@link #awaitReady(Duration)}). */
    public static ClusterProcesses start(String testName, int masterCount, int mediaCount) {
        return start(testName, masterCount, mediaCount, Map.of());
    }

    /** As {@link #start(String, int, int)}, with extra environment variables for every node (e.g. RTP port ranges). */
    public static ClusterProcesses start(String testName, int masterCount, int mediaCount, Map<String, String> extraEnv) {
        return start(testName, masterCount, mediaCount, extraEnv, null);
    }

    /**
     * As {@link #start(String, int, int, Map)}, with more environment variables per node on top ({@code nodeEnv} of
     * the node; e.g. each media node's own Janus ports), also when the node is relaunched.
     */
    public static ClusterProcesses startWithNodeEnv(String testName, int masterCount, int mediaCount,
                                                    Map<String, String> extraEnv,
                                                    java.util.function.Function<Node, Map<String, String>> nodeEnv) {
        return start(testName, masterCount, mediaCount, extraEnv, null, false, nodeEnv);
    }

    /**
     * As {@link #start(String, int, int, Map)}, for nodes whose HTTP port serves TLS ({@code extraEnv} turns it on,
     * e.g. TESSERA_TLS=on with a key store): when {@code httpsTrust} is not null, nodes are reached over https/wss
     * by an HTTP client trusting what it trusts (readiness, {@link #rest}).
     */
    public static ClusterProcesses start(String testName, int masterCount, int mediaCount, Map<String, String> extraEnv,
                                         SSLContext httpsTrust) {
        return start(testName, masterCount, mediaCount, extraEnv, httpsTrust, false);
    }

    /**
     * As {@link #start(String, int, int, Map)}, with every node's Pekko remoting behind a proxy of the test's, so
     * that links between nodes can be cut and healed ({@link #partition}, {@link #cut}, {@link #heal}) while clients
     * still reach every node's HTTP port.
     */
    public static ClusterProcesses startPartitionable(String testName, int masterCount, int mediaCount,
                                                      Map<String, String> extraEnv) {
        return start(testName, masterCount, mediaCount, extraEnv, null, true);
    }

    private static ClusterProcesses start(String testName, int masterCount, int mediaCount, Map<String, String> extraEnv,
                                          SSLContext httpsTrust, boolean partitionable) {
        return start(testName, masterCount, mediaCount, extraEnv, httpsTrust, partitionable, n -> Map.of());
    }

    private static ClusterProcesses start(String testName, int masterCount, int mediaCount, Map<String, String> extraEnv,
                                          SSLContext httpsTrust, boolean partitionable,
                                          java.util.function.Function<Node, Map<String, String>> nodeEnv) {
        if (masterCount < 1 || masterCount > 9 || mediaCount < 0 || mediaCount > 9) {
            throw new IllegalArgumentException("1-9 masters and 0-9 media nodes, got " + masterCount + "/" + mediaCount);
        }
        Path logDir = Paths.get(System.getProperty("tessera.it.logs", "target/cluster-logs"), testName);
        List<Node> masters = new ArrayList<>();
        List<Node> media = new ArrayList<>();
        List<ServerSocket> held = new ArrayList<>();
        boolean tls = httpsTrust != null;
        Map<String, Integer> bindPorts = new HashMap<>();
        try {
            // Ports stay bound until every node has its pair, so no two nodes on one address get the same one.
            for (int i = 0; i < masterCount; i++) {
                masters.add(node("master-" + (i + 1), Role.MASTER, "127.0.0." + (11 + i), held, logDir, tls));
            }
            for (int i = 0; i < mediaCount; i++) {
                media.add(node("media-" + (i + 1), Role.MEDIA, "127.0.0." + (21 + i), held, logDir, tls));
            }
            if (partitionable) {
                for (Node n : masters) {
                    bindPorts.put(n.id(), NodeProcesses.freePort(n.host(), held));
                }
                for (Node n : media) {
                    bindPorts.put(n.id(), NodeProcesses.freePort(n.host(), held));
                }
            }
        } finally {
            held.forEach(NodeProcesses::closeQuietly);
        }
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String secret = "it_" + HexFormat.of().formatHex(random);
        ClusterProcesses cluster = new ClusterProcesses(testName, secret, masters, media, extraEnv,
                httpClient(httpsTrust), logDir);
        cluster.nodeEnv = nodeEnv;
        if (partitionable) {
            cluster.bindPorts.putAll(bindPorts);
            cluster.partitions = NetworkPartitions.start(cluster.allNodes().stream()
                    .map(n -> new NetworkPartitions.Endpoint(n.id(), n.host(), n.port(), bindPorts.get(n.id())))
                    .toList(), cluster::processIds);
        }
        cluster.launch(logDir);
        return cluster;
    }

    private static Node node(String id, Role role, String host, List<ServerSocket> held, Path logDir, boolean tls) {
        int port = NodeProcesses.freePort(host, held);
        int httpPort = NodeProcesses.freePort(host, held);
        int sentinelPort = role == Role.MEDIA ? NodeProcesses.freePort(host, held) : 0;
        return new Node(id, role, host, port, httpPort, sentinelPort, logDir.resolve(id + ".log"), tls);
    }

    /**
     * Starts one more node on 127.0.0.31, .32... with the cluster's environment overridden by {@code env} (a node
     * with other credentials, or bad settings). It is not part of the cluster's readiness, {@link #allNodes()} or
     * {@link #assertAllAlive()}, but {@link #close()} stops it like the others.
     */
    public synchronized Node startExtra(String id, Role role, Map<String, String> env) {
        Node n = reserveExtra(id, role);
        startReserved(n, env);
        return n;
    }

    /**
     * Picks the address (127.0.0.31, .32...) and ports of one more node without starting it, so that clients can be
     * told where it will be (a replacement at a new address); {@link #startReserved} starts it.
     */
    public synchronized Node reserveExtra(String id, Role role) {
        if (closed || processes.containsKey(id) || extraNodes.stream().anyMatch(e -> e.id().equals(id))) {
            throw new IllegalStateException(closed ? "cluster closed" : "node " + id + " exists");
        }
        List<ServerSocket> held = new ArrayList<>();
        Node n;
        try {
            n = node(id, role, "127.0.0." + (31 + extraNodes.size()), held, logDir, false);
        } finally {
            held.forEach(NodeProcesses::closeQuietly);
        }
        extraNodes.add(n);
        return n;
    }

    /** Starts a node picked by {@link #reserveExtra}, with the cluster's environment overridden by {@code env}. */
    public synchronized void startReserved(Node n, Map<String, String> env) {
        if (closed || processes.containsKey(n.id()) || !extraNodes.contains(n)) {
            throw new IllegalStateException(closed ? "cluster closed" : "node " + n.id() + " not reserved or running");
        }
        try {
            // A fresh log: tests read what this process wrote, not what an earlier run left.
            Files.deleteIfExists(n.log());
            processes.put(n.id(), startProcess(n, seeds, env));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + n.id(), e);
        }
    }

    /** The nodes started by {@link #startExtra}. */
    public List<Node> extraNodes() {
        return List.copyOf(extraNodes);
    }

    /** Waits for a node's process to end and returns its exit code. */
    public int awaitExit(Node n, Duration timeout) {
        Process p = process(n);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(n.id() + " still running after " + timeout.toSeconds() + " s\n--- tail of "
                        + n.log() + " ---\n" + tail(n, LOG_TAIL_LINES));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return p.exitValue();
    }

    private void launch(Path logDir) {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            Files.createDirectories(logDir);
            for (Node n : allNodes()) {
                // A fresh log per run: the scan in close() must judge this run only (relaunch() appends).
                Files.deleteIfExists(n.log());
                processes.put(n.id(), startProcess(n, seeds));
            }
        } catch (IOException | RuntimeException e) {
            stop();
            throw new IllegalStateException("could not start the cluster for " + testName, e);
        }
    }

    private Process startProcess(Node n, String seeds) throws IOException {
        return startProcess(n, seeds, Map.of());
    }

    private Process startProcess(Node n, String seeds, Map<String, String> overrides) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC"));
        command.addAll(NODE_JIT);
        // Its GC pauses beside its log, as bin/cluster writes them (the control-plane benchmark reads them).
        command.add(GcLog.jvmOption(n.log().resolveSibling(n.id() + GcLog.FILE_SUFFIX).toAbsolutePath()));
        // Names the process in ps output so a leak is easy to attribute.
        command.addAll(List.of("-Dtessera.it=" + testName + "/" + n.id(),
                "-cp", classPath, n.role() == Role.MASTER ? MASTER_MAIN : MEDIA_MAIN));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("TESSERA_"));
        env.put("TESSERA_NODE_ID", n.id());
        env.put("TESSERA_HOST", n.host());
        env.put("TESSERA_PORT", Integer.toString(n.port()));
        env.put("TESSERA_HTTP_PORT", Integer.toString(n.httpPort()));
        env.put("TESSERA_SEEDS", seeds);
        env.put("TESSERA_SECRET", secret);
        if (n.sentinelPort() > 0) {
            env.put("TESSERA_SENTINEL_PORT", Integer.toString(n.sentinelPort()));
        }
        if (n.role() == Role.MEDIA) { // its Janus's files (janus.log) next to the node's log, not left in /tmp
            env.put("TESSERA_JANUS_WORK_DIR", n.log().resolveSibling(n.id() + "-janus").toAbsolutePath().toString());
        }
        Integer bindPort = bindPorts.get(n.id());
        if (bindPort != null) { // behind its proxy: others reach it at TESSERA_PORT, it listens here
            env.put("TESSERA_REMOTING_BIND_PORT", bindPort.toString());
        }
        env.putAll(extraEnv);
        env.putAll(nodeEnv.apply(n));
        env.putAll(overrides);
        pb.redirectErrorStream(true);
        // A file, not a pipe: a chatty node can never block on a full pipe buffer.
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(n.log().toFile()));
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    // ---------------------------------------------------------------- readiness

    /**
     * Waits until every node answers {@code /health/ready} with 200 and every master's {@code /openvidu/api/cluster}
     * shows all masters up and all media nodes running ({@link ClusterReadiness}). Fails at once if a node exits.
     */
    public void awaitReady(Duration timeout) {
        new ClusterReadiness(this, testName).awaitReady(timeout);
    }

    // ---------------------------------------------------------------- access

    /** Where every node's log ({@code <node>.log}) and GC log ({@code <node>.gc.log}) go. */
    public Path logDir() {
        return logDir;
    }

    public List<Node> masters() {
        return masters;
    }

    public List<Node> mediaNodes() {
        return mediaNodes;
    }

    public List<Node> allNodes() {
        List<Node> all = new ArrayList<>(masters);
        all.addAll(mediaNodes);
        return all;
    }

    public Node node(String id) {
        return allNodes().stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + id));
    }

    public String secret() {
        return secret;
    }

    /**
     * "200 {...}", "503 {...}", or why there was no answer, for {@code path} on any node (health needs no
     * credentials); never throws: for readiness polling and its diagnostics.
     */
    public String probe(Node node, String path) {
        try {
            RestResponse r = MasterRestClient.builder(node.httpBase()).httpClient(http)
                    .requestTimeout(Duration.ofSeconds(2)).build().send("GET", path);
            return r.status() + " " + (r.text().length() > 200 ? r.text().substring(0, 200) : r.text());
        } catch (ConnectException e) {
            return "connection refused";
        } catch (IOException e) {
            return "no answer (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The HTTP client of every REST call of a run (HTTP/1.1; trusting {@code trust} for https nodes, when given). */
    private static HttpClient httpClient(SSLContext trust) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1);
        return (trust == null ? b : b.sslContext(trust)).build();
    }

    /** REST client for a master (or the health endpoints of any node), authenticated with this run's secret. */
    public MasterRestClient rest(Node master) {
        return MasterRestClient.builder(master.httpBase()).secret(secret).httpClient(http).build();
    }

    public long pid(Node n) {
        return process(n).pid();
    }

    public Map<String, Long> pids() {
        Map<String, Long> m = new LinkedHashMap<>();
        synchronized (processes) {
            processes.forEach((id, p) -> m.put(id, p.pid()));
        }
        return m;
    }

    public boolean isAlive(Node n) {
        return process(n).isAlive();
    }

    /**
     * Fails, with exit codes and log tails, if a node has died: a crash during a test must not pass unnoticed just
     * because the test's own checks happened to succeed. Nodes in {@code expectedDead} (killed on purpose) are skipped.
     */
    public void assertAllAlive(Set<String> expectedDead) {
        StringBuilder dead = new StringBuilder();
        for (Node n : allNodes()) {
            Process p = process(n);
            if (!p.isAlive() && !expectedDead.contains(n.id())) {
                dead.append("\n").append(n.id()).append(" exited with code ").append(p.exitValue())
                        .append("\n--- tail of ").append(n.log()).append(" ---\n").append(tail(n, LOG_TAIL_LINES));
            }
        }
        if (dead.length() > 0) {
            throw new AssertionError("cluster " + testName + " lost nodes:" + dead);
        }
    }

    public void assertAllAlive() {
        assertAllAlive(Set.of());
    }

    /** kill -9: for fault tests. */
    public void kill(Node n) {
        Process p = process(n);
        p.destroyForcibly();
        try {
            p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts a node that died again, with the same id and ports: a new member, as a supervisor would. */
    public void relaunch(Node n) {
        if (isAlive(n)) {
            throw new IllegalStateException(n.id() + " is still alive");
        }
        try {
            processes.put(n.id(), startProcess(n, seeds));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- network partitions

    /**
     * Cuts {@code n} off from every other node, both ways (a real black hole: connections stay open, nothing gets
     * through), while clients still reach its HTTP port. Needs {@link #startPartitionable}.
     */
    public void partition(Node n) {
        partitions().isolate(n.id());
    }

    /** One way: from now on nothing {@code from} sends reaches {@code to}. Needs {@link #startPartitionable}. */
    public void cut(Node from, Node to) {
        partitions().cut(from.id(), to.id());
    }

    /** Every cut link works again (nodes reconnect on their own). */
    public void heal() {
        partitions().heal();
    }

    private NetworkPartitions partitions() {
        if (partitions == null) {
            throw new IllegalStateException("cluster " + testName + " was not started with startPartitionable");
        }
        return partitions;
    }

    /** pid -> node id of every process started, for the proxies to tell who connects. */
    private Map<Long, String> processIds() {
        Map<Long, String> ids = new HashMap<>();
        synchronized (processes) {
            processes.forEach((id, p) -> ids.put(p.pid(), id));
        }
        return ids;
    }

    /** SIGTERM without waiting: the node shuts down as on a scale-in or an upgrade (coordinated shutdown). */
    public void terminate(Node n) {
        signal(n, "TERM");
    }

    /** SIGSTOP: the process keeps its sockets open but does nothing, as a hung machine. */
    public void freeze(Node n) {
        signal(n, "STOP");
    }

    /** SIGCONT after {@link #freeze}. */
    public void thaw(Node n) {
        signal(n, "CONT");
    }

    private void signal(Node n, String signal) {
        NodeProcesses.signal(process(n).pid(), signal, n.id());
    }

    /** The process of a node started by this cluster (it may have exited). */
    Process process(Node n) {
        Process p = processes.get(n.id());
        if (p == null) {
            throw new IllegalArgumentException("no process for " + n.id());
        }
        return p;
    }

    /** The last {@code lines} lines of a node's log (reads at most the last 64 KiB). */
    public String tail(Node n, int lines) {
        return NodeProcesses.tail(n.log(), lines);
    }

    /** How many lines of {@code n}'s log (every incarnation: a relaunch appends) contain {@code text}. */
    public long logLinesWith(Node n, String text) {
        try (java.util.stream.Stream<String> lines = Files.lines(n.log(), java.nio.charset.StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(text)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The last {@code max} lines of {@code n}'s log (every incarnation) that match {@code pattern}, each cut to its
     * timestamp and message: for diagnostics in a failure's message.
     */
    public List<String> logLinesMatching(Node n, java.util.regex.Pattern pattern, int max) {
        java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>();
        try (java.util.stream.Stream<String> lines = Files.lines(n.log(), java.nio.charset.StandardCharsets.UTF_8)) {
            lines.filter(l -> pattern.matcher(l).find()).forEach(l -> {
                if (last.size() == max) {
                    last.removeFirst();
                }
                last.addLast(timeAndMessage(l));
            });
        } catch (IOException | UncheckedIOException e) {
            return List.of("(log unreadable: " + e + ")");
        }
        return List.copyOf(last);
    }

    private static final java.util.regex.Pattern TIME = java.util.regex.Pattern.compile("\"timestamp\":\"[^\"]*T([^\"]*)\"");

    /** "HH:mm:ss.SSS message" of a JSON log line (the line itself if it is not one), at most 300 characters. */
    private static String timeAndMessage(String line) {
        java.util.regex.Matcher time = TIME.matcher(line);
        int message = line.indexOf("\"message\":\"");
        String text = time.find() && message >= 0
                ? time.group(1).substring(0, Math.min(12, time.group(1).length())) + " " + line.substring(message + 11)
                : line;
        return text.length() > 300 ? text.substring(0, 300) : text;
    }

    // ---------------------------------------------------------------- stop

    /**
     * A value (a token, a resume secret, a header) that must never be in a node's log, beyond the cluster secret and
     * the token and resume-secret shapes that are always checked.
     */
    public void forbidInLogs(String value) {
        if (value != null && !value.isEmpty()) {
            forbiddenInLogs.add(value);
        }
    }

    /** Secrets found in the nodes' logs so far (empty when clean); see {@link NodeLogScan}. */
    public List<String> logLeaks() {
        return NodeLogScan.findings(allNodes().stream().map(Node::log).toList(), forbiddenInLogs);
    }

    /**
     * Stops every node (SIGTERM, up to 10 s to exit, then SIGKILL), then fails if a node's log holds a secret or a
     * token: every cluster test class checks the logs it produced this way. Idempotent.
     */
    @Override
    public void close() {
        if (stop()) {
            List<String> leaks = logLeaks();
            if (!leaks.isEmpty()) {
                throw new AssertionError("secrets or tokens in the node logs of " + testName + " (never log them; see "
                        + "docs/OPERATIONS.md, Logs):\n" + String.join("\n", leaks));
            }
        }
    }

    /** Stops every node; true the first time. */
    private synchronized boolean stop() {
        if (closed) {
            return false;
        }
        closed = true;
        stopAll();
        if (partitions != null) {
            partitions.close();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or has run.
        }
        return true;
    }

    private void stopAll() {
        Map<String, Process> snapshot;
        synchronized (processes) {
            snapshot = new HashMap<>(processes);
        }
        NodeProcesses.stopAll(snapshot.values(), STOP_GRACE);
    }
}
