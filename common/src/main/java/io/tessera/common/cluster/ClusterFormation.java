package io.tessera.common.cluster;

import io.tessera.common.config.ClusterFormationMode;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.scaladsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the node's way into the cluster. With static seeds Pekko joins {@code pekko.cluster.seed-nodes} by itself
 * (NodeSettings filled them in), so nothing is left to do; with bootstrap, the management HTTP endpoint (which the
 * other nodes probe) and Cluster Bootstrap start here, and NodeSettings left the seed nodes empty.
 */
public final class ClusterFormation {
    private static final Logger log = LoggerFactory.getLogger(ClusterFormation.class);

    private ClusterFormation() {
    }

    public static ClusterFormationMode start(ActorSystem<?> system) {
        ClusterFormationMode mode = ClusterFormationMode.of(system.settings().config());
        if (mode == ClusterFormationMode.BOOTSTRAP) {
            var management = system.settings().config().getConfig("pekko.management");
            log.info("joining by Cluster Bootstrap: discovery '{}', management on {}:{}",
                    management.getString("cluster.bootstrap.contact-point-discovery.discovery-method"),
                    management.getString("http.hostname"), management.getInt("http.port"));
            PekkoManagement.get(system).start();
            ClusterBootstrap.get(system).start();
        } else {
            log.info("joining by static seed nodes {}", system.settings().config().getStringList("pekko.cluster.seed-nodes"));
        }
        return mode;
    }
}
