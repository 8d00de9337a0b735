package io.tessera.common.config;

import io.tessera.common.logging.NodeLogIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/** How every node process starts: settings first, then the node; a start that fails ends the JVM. */
public final class NodeLauncher {
    private static final Logger log = LoggerFactory.getLogger(NodeLauncher.class);

    private NodeLauncher() {
    }

    /**
     * Loads the role's settings and starts the node. Bad settings exit with 2 (a message, no stack trace); a start
     * that throws exits with 1: the actor system's threads would keep a half-started JVM alive, and a supervisor
     * must see it die.
     */
    public static void launch(String role, String name, int defaultPort, int defaultHttpPort,
                              Consumer<NodeSettings> start) {
        launch(role, name, defaultPort, defaultHttpPort, settings -> { }, start);
    }

    /**
     * As {@link #launch(String, String, int, int, Consumer)}, with a role's own check of its settings: an
     * {@link IllegalArgumentException} from {@code check} is a bad setting too (exit 2).
     */
    public static void launch(String role, String name, int defaultPort, int defaultHttpPort,
                              Consumer<NodeSettings> check, Consumer<NodeSettings> start) {
        try {
            NodeSettings settings;
            try {
                settings = NodeSettings.load(role, defaultPort, defaultHttpPort);
                check.accept(settings);
            } catch (IllegalArgumentException e) {
                System.err.println(name + ": " + e.getMessage());
                System.exit(2);
                return;
            }
            // Before the node starts, so every line it logs names the node.
            NodeLogIdentity.set(role, settings.nodeId);
            start.accept(settings);
        } catch (RuntimeException e) {
            log.error("{} failed to start: {}", name, e.toString(), e);
            System.exit(1);
        }
    }
}
