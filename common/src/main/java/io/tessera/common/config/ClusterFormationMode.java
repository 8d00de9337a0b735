package io.tessera.common.config;

import com.typesafe.config.Config;

import java.util.Locale;

/** How a node finds the cluster: {@code tessera.cluster.formation} (env {@code TESSERA_CLUSTER_FORMATION}). */
public enum ClusterFormationMode {
    /** Join the static seed nodes of TESSERA_SEEDS (local runs, tests). */
    SEEDS,
    /** Pekko Cluster Bootstrap with a service discovery (AWS Auto Scaling groups). */
    BOOTSTRAP;

    public static final String PATH = "tessera.cluster.formation";

    public static ClusterFormationMode of(Config config) {
        String value = config.hasPath(PATH) ? config.getString(PATH).trim() : "seeds";
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TESSERA_CLUSTER_FORMATION must be 'seeds' or 'bootstrap', got '" + value + "'");
        }
    }
}
