package io.tessera.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.tessera.common.tls.HttpTls;
import io.tessera.common.tls.RemotingTls;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a node's configuration: HOCON defaults, overridden by TESSERA_* environment variables
 * (resolved inside reference.conf), plus the values that depend on the role (ports, seeds, roles).
 */
public final class NodeSettings {
    public static final String SYSTEM_NAME = "tessera";
    public static final String NODE_ID_ROLE_PREFIX = "id:";

    public final String role;
    public final String nodeId;
    public final String host;
    public final int remotingPort;
    public final String httpHost;
    public final int httpPort;
    public final Config config;
    /** TLS of the HTTP port (off unless tessera.http.tls.enabled); its key store was opened while loading. */
    public final HttpTls httpTls;

    private NodeSettings(String role, String nodeId, String host, int remotingPort, String httpHost, int httpPort,
                         Config config, HttpTls httpTls) {
        this.role = role;
        this.nodeId = nodeId;
        this.host = host;
        this.remotingPort = remotingPort;
        this.httpHost = httpHost;
        this.httpPort = httpPort;
        this.config = config;
        this.httpTls = httpTls;
    }

    /**
     * @param role               cluster role, "master" or "media"
     * @param defaultRemotingPort used when TESSERA_PORT is not set
     * @param defaultHttpPort    used when TESSERA_HTTP_PORT is not set
     */
    public static NodeSettings load(String role, int defaultRemotingPort, int defaultHttpPort) {
        // tessera-<role>.conf (which includes tessera-node.conf) instead of application.conf: in tests both
        // roles' jars share one class path, and each node must read only its own file.
        return load(role, defaultRemotingPort, defaultHttpPort, ConfigFactory.load("tessera-" + role));
    }

    static NodeSettings load(String role, int defaultRemotingPort, int defaultHttpPort, Config loaded) {
        String host = loaded.getString("pekko.remote.artery.canonical.hostname");
        int port = loaded.hasPath("tessera.port") ? loaded.getInt("tessera.port") : defaultRemotingPort;
        String httpHost = loaded.getString("tessera.http.host").isBlank() ? host : loaded.getString("tessera.http.host");
        int httpPort = loaded.hasPath("tessera.http.port") ? loaded.getInt("tessera.http.port") : defaultHttpPort;
        String nodeId = loaded.getString("tessera.node-id").isBlank() ? role + "-" + port : loaded.getString("tessera.node-id");
        if (!nodeId.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("TESSERA_NODE_ID must be 1-64 characters of [A-Za-z0-9_.-], got '" + nodeId + "'");
        }
        // With Cluster Bootstrap the contact points decide whom to join; configured seeds would join on their own.
        List<String> seedNodes = ClusterFormationMode.of(loaded) == ClusterFormationMode.BOOTSTRAP
                ? List.of() : seedNodes(loaded.getString("tessera.seeds"));
        Config overrides = ConfigFactory.empty()
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                // The second role carries the node id, so every member can name every other one.
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(List.of(role, NODE_ID_ROLE_PREFIX + nodeId)))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedNodes))
                .withValue("tessera.node-id", ConfigValueFactory.fromAnyRef(nodeId))
                .withValue("tessera.http.host", ConfigValueFactory.fromAnyRef(httpHost))
                .withValue("tessera.http.port", ConfigValueFactory.fromAnyRef(httpPort));
        if (isFirstSeed(seedNodes, host, port) && loaded.hasPath("tessera.cluster.founder-wait")) {
            // Only the first seed may form a new cluster, and Pekko lets it do so after seed-node-timeout without
            // an answer: silence from seeds that are still handshaking is not proof that no cluster exists.
            overrides = overrides.withValue("pekko.cluster.seed-node-timeout",
                    ConfigValueFactory.fromAnyRef(loaded.getString("tessera.cluster.founder-wait")));
        }
        // Key stores are opened here, so that a missing file or a wrong password is a settings error (exit 2).
        HttpTls httpTls = HttpTls.fromConfig(loaded);
        Config remotingTls = RemotingTls.arteryOverrides(loaded);
        return new NodeSettings(role, nodeId, host, port, httpHost, httpPort,
                overrides.withFallback(remotingTls).withFallback(loaded).resolve(), httpTls);
    }

    /** Whether this node is the first seed: as for Pekko, the one that may form a new cluster. */
    static boolean isFirstSeed(List<String> seedNodes, String host, int port) {
        return !seedNodes.isEmpty() && seedNodes.get(0).equals(address(host, port));
    }

    /** A node's Pekko address as a seed list names it. */
    private static String address(String host, int port) {
        return "pekko://" + SYSTEM_NAME + "@" + host + ":" + port;
    }

    /** "h1:p1,h2:p2" to Pekko seed node addresses; rejects anything that is not host:port. */
    static List<String> seedNodes(String seeds) {
        List<String> result = new ArrayList<>();
        for (String raw : seeds.split(",")) {
            String seed = raw.trim();
            if (seed.isEmpty()) {
                continue;
            }
            int colon = seed.lastIndexOf(':');
            if (colon <= 0 || colon == seed.length() - 1) {
                throw new IllegalArgumentException("TESSERA_SEEDS entry '" + seed + "' is not host:port");
            }
            int port;
            try {
                port = Integer.parseInt(seed.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("TESSERA_SEEDS entry '" + seed + "' has a port that is not a number");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("TESSERA_SEEDS entry '" + seed + "' has a port out of range");
            }
            result.add(address(seed.substring(0, colon), port));
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException("TESSERA_SEEDS names no seed node");
        }
        return result;
    }

    public String secret() {
        return config.getString("tessera.secret");
    }
}
