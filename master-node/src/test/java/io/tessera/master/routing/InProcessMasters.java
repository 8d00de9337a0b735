package io.tessera.master.routing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** Test fixture: the configuration of a master whose actor system runs inside the test's JVM. */
final class InProcessMasters {
    private InProcessMasters() {
    }

    /**
     * A master on a free loopback port that joins no seed and downs nobody (the test forms the cluster itself), with
     * {@code overrides} on top of the shipped tessera-master settings.
     */
    static Config config(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.enabled = off
                pekko.cluster.roles = [master]
                pekko.cluster.distributed-data.role = master
                pekko.cluster.seed-nodes = []
                pekko.cluster.downing-provider-class = ""
                pekko.coordinated-shutdown.exit-jvm = off
                """)).withFallback(ConfigFactory.load("tessera-master"));
    }
}
