package io.tessera.loadtest.partition;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@link NetworkPartitions} as a process of its own, for clusters not started by a test: {@code bin/cluster start
 * --partitionable} runs it in front of every node's remoting port, and {@code bin/cluster partition|cut|heal} and the
 * load harness's {@code --chaos} drive it through {@link PartitionControl}. It tells senders apart by the pid files
 * the cluster script writes ({@code <dir>/<node>.pid}), read again for every connection, so a node restarted with a
 * new pid is still recognised.
 */
@Command(name = "tessera-partition-proxy", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A TCP proxy in front of each node's Pekko remoting port that can black-hole links between "
                + "nodes (per direction), controlled over HTTP on a loopback address.", ""},
        footer = {"", "The control API needs HTTP Basic OPENVIDUAPP:$TESSERA_SECRET:",
                "  GET /cuts, POST /partition/{node}, POST /cut/{from}/{to}, POST /heal",
                "Example:",
                "  TESSERA_SECRET=s tessera-partition-proxy --pid-dir .cluster/run \\",
                "    --node master-1=127.0.0.1:2551:3551 --node master-2=127.0.0.1:2552:3552"})
public final class PartitionProxyMain implements Callable<Integer> {
    private static final Pattern NODE = Pattern.compile("([A-Za-z0-9_.-]{1,64})=([0-9.]+):([0-9]{1,5}):([0-9]{1,5})");

    @Option(names = "--node", required = true, paramLabel = "NAME=HOST:PORT:BIND_PORT",
            description = "A node: the proxy listens on HOST:PORT (the node's advertised TESSERA_PORT) and forwards to "
                    + "HOST:BIND_PORT (its TESSERA_REMOTING_BIND_PORT). Repeat for every node.")
    List<String> nodes;

    @Option(names = "--pid-dir", required = true, paramLabel = "DIR",
            description = "Directory holding <node>.pid for every running node (bin/cluster's .cluster/run).")
    Path pidDir;

    @Option(names = "--control", defaultValue = "127.0.0.1:2550", paramLabel = "HOST:PORT",
            description = "Loopback address of the control API. Default: ${DEFAULT-VALUE}")
    String control;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PartitionProxyMain()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        String secret = System.getenv("TESSERA_SECRET");
        if (secret == null || secret.isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "TESSERA_SECRET must be set: the control API takes OPENVIDUAPP:<secret>");
        }
        List<NetworkPartitions.Endpoint> endpoints = endpoints(nodes);
        List<String> names = endpoints.stream().map(NetworkPartitions.Endpoint::nodeId).toList();
        CountDownLatch stopped = new CountDownLatch(1);
        try (NetworkPartitions partitions = NetworkPartitions.start(endpoints, () -> pids(pidDir, names));
             PartitionControl api = PartitionControl.start(partitions, secret, address(control))) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "partition-proxy-stop"));
            System.out.println("partition proxy ready: control http://" + control + ", nodes "
                    + endpoints.stream().map(e -> e.nodeId() + " " + e.host() + ":" + e.advertisedPort() + "->"
                    + e.bindPort()).toList());
            stopped.await();
        }
        return 0;
    }

    /** Parses {@code NAME=HOST:PORT:BIND_PORT} items; names and listening ports must be unique. */
    static List<NetworkPartitions.Endpoint> endpoints(List<String> items) {
        List<NetworkPartitions.Endpoint> result = new ArrayList<>();
        for (String item : items) {
            Matcher m = NODE.matcher(item);
            if (!m.matches()) {
                throw new IllegalArgumentException("bad --node '" + item + "': expected NAME=HOST:PORT:BIND_PORT, "
                        + "e.g. master-1=127.0.0.1:2551:3551");
            }
            int port = port(m.group(3), item);
            int bind = port(m.group(4), item);
            if (port == bind) {
                throw new IllegalArgumentException("--node " + item + ": PORT and BIND_PORT must differ");
            }
            if (result.stream().anyMatch(e -> e.nodeId().equals(m.group(1)))) {
                throw new IllegalArgumentException("node " + m.group(1) + " given twice");
            }
            result.add(new NetworkPartitions.Endpoint(m.group(1), m.group(2), port, bind));
        }
        return result;
    }

    private static int port(String text, String item) {
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--node " + item + ": port " + port + " is not in 1-65535");
        }
        return port;
    }

    /** pid -> node of the nodes whose pid file is there now (a missing or garbled one is a node not running). */
    static Map<Long, String> pids(Path dir, List<String> names) {
        Map<Long, String> result = new HashMap<>();
        for (String name : names) {
            try {
                result.put(Long.parseLong(Files.readString(dir.resolve(name + ".pid")).trim()), name);
            } catch (IOException | NumberFormatException notRunning) {
                // no pid: nobody can be this node now
            }
        }
        return result;
    }

    private static InetSocketAddress address(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--control must be HOST:PORT, got " + hostPort);
        }
        return new InetSocketAddress(InetAddress.getByName(hostPort.substring(0, colon)),
                Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
