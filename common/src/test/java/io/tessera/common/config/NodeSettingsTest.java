package io.tessera.common.config;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeSettingsTest {

    @Test
    void seedsBecomePekkoAddresses() {
        assertEquals(List.of("pekko://tessera@127.0.0.1:2551", "pekko://tessera@10.0.0.2:2552"),
                NodeSettings.seedNodes(" 127.0.0.1:2551, 10.0.0.2:2552 ,"));
    }

    @Test
    void badSeedsAreRefusedWithTheirValue() {
        assertThrows(IllegalArgumentException.class, () -> NodeSettings.seedNodes("127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> NodeSettings.seedNodes("h:port"));
        assertThrows(IllegalArgumentException.class, () -> NodeSettings.seedNodes("h:70000"));
        assertThrows(IllegalArgumentException.class, () -> NodeSettings.seedNodes(" , "));
    }

    @Test
    void rolesPortsAndIdComeFromTheConfiguration() {
        NodeSettings s = NodeSettings.load("media", 2651, 4500, ConfigFactory.parseString(
                "pekko.remote.artery.canonical.hostname = \"127.0.0.5\"\n"
                        + "tessera { node-id = \"\", seeds = \"127.0.0.1:2551\", http.host = \"\", secret = s }")
                .withFallback(ConfigFactory.defaultReference()));
        assertEquals("media-2651", s.nodeId);
        assertEquals(4500, s.httpPort);
        assertEquals("127.0.0.5", s.httpHost);
        assertEquals(List.of("media", "id:media-2651"), s.config.getStringList("pekko.cluster.roles"));
    }

    @Test
    void onlyTheFirstSeedWaitsTheFounderWaitBeforeFormingANewCluster() {
        String seeds = "tessera { node-id = \"\", seeds = \"127.0.0.11:2551,127.0.0.12:2551,127.0.0.21:2651\","
                + " http.host = \"\", cluster.founder-wait = 20s }";
        NodeSettings first = NodeSettings.load("master", 2551, 4443, ConfigFactory.parseString(
                "pekko.remote.artery.canonical.hostname = \"127.0.0.11\"\n" + seeds)
                .withFallback(ConfigFactory.defaultReference()));
        NodeSettings second = NodeSettings.load("master", 2551, 4443, ConfigFactory.parseString(
                "pekko.remote.artery.canonical.hostname = \"127.0.0.12\"\n" + seeds)
                .withFallback(ConfigFactory.defaultReference()));
        assertEquals(java.time.Duration.ofSeconds(20), first.config.getDuration("pekko.cluster.seed-node-timeout"));
        // Elsewhere it is how often an unanswered join is retried: Pekko's default, untouched.
        assertEquals(ConfigFactory.defaultReference().getDuration("pekko.cluster.seed-node-timeout"),
                second.config.getDuration("pekko.cluster.seed-node-timeout"));
        assertEquals(java.time.Duration.ofSeconds(20), ConfigFactory.parseResources("tessera-node.conf").resolve()
                .getDuration("tessera.cluster.founder-wait"));
    }

    @Test
    void aNodeIdWithOddCharactersIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> NodeSettings.load("master", 1, 2, ConfigFactory.parseString(
                "pekko.remote.artery.canonical.hostname = h\ntessera { node-id = \"a b\", seeds = \"h:1\", http.host = \"\" }")
                .withFallback(ConfigFactory.defaultReference())));
    }

    @Test
    void bootstrapFormationLeavesTheSeedNodesEmptySoPekkoDoesNotJoinThemToo() {
        NodeSettings s = NodeSettings.load("master", 2551, 4443, ConfigFactory.parseString(
                "pekko.remote.artery.canonical.hostname = \"10.0.1.7\"\n"
                        + "tessera { node-id = \"\", seeds = \"127.0.0.1:2551\", http.host = \"\", cluster.formation = bootstrap }")
                .withFallback(ConfigFactory.defaultReference()));
        assertEquals(List.of(), s.config.getStringList("pekko.cluster.seed-nodes"));
        assertEquals(ClusterFormationMode.BOOTSTRAP, ClusterFormationMode.of(s.config));
    }

    @Test
    void seedsAreTheDefaultFormationAndAnUnknownOneIsRefused() {
        assertEquals(ClusterFormationMode.SEEDS, ClusterFormationMode.of(ConfigFactory.empty()));
        assertThrows(IllegalArgumentException.class, () -> ClusterFormationMode.of(
                ConfigFactory.parseString("tessera.cluster.formation = dns")));
    }

    @Test
    void theNodeDefaultsParseWithSeedsFormationAndTheManagementPort() {
        var config = ConfigFactory.parseResources("tessera-node.conf").resolve();
        assertEquals(ClusterFormationMode.SEEDS, ClusterFormationMode.of(config));
        assertEquals(7626, config.getInt("pekko.management.http.port"));
        assertEquals("tessera-aws-asg",
                config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    }

    @Test
    void tlsKeyStoresAreOpenedWhileLoadingSoABadOneIsASettingsError() {
        String base = "pekko.remote.artery.canonical.hostname = h\ntessera { node-id = \"\", seeds = \"h:1\", http.host = \"\" }\n";
        IllegalArgumentException http = assertThrows(IllegalArgumentException.class, () -> NodeSettings.load("master", 1, 2,
                ConfigFactory.parseString(base + "tessera.http.tls { enabled = on, key-store = /nonexistent.p12,"
                        + " key-store-password = pw }").withFallback(ConfigFactory.defaultReference())));
        assertTrue(http.getMessage().contains("TESSERA_TLS_KEYSTORE"), http.getMessage());
        IllegalArgumentException remoting = assertThrows(IllegalArgumentException.class, () -> NodeSettings.load("media",
                1, 2, ConfigFactory.parseString(base + "tessera.remoting.tls { enabled = on, key-store = /nonexistent.p12,"
                        + " key-store-password = pw, trust-store = \"\", trust-store-password = \"\", protocol = TLSv1.3 }")
                        .withFallback(ConfigFactory.defaultReference())));
        assertTrue(remoting.getMessage().contains("TESSERA_REMOTING_TLS_KEYSTORE"), remoting.getMessage());
    }

    @Test
    void withoutTlsSettingsTheHttpPortIsPlain() {
        NodeSettings s = NodeSettings.load("master", 1, 2, ConfigFactory.parseString(
                "pekko.remote.artery.canonical.hostname = h\ntessera { node-id = \"\", seeds = \"h:1\", http.host = \"\" }")
                .withFallback(ConfigFactory.defaultReference()));
        assertFalse(s.httpTls.enabled());
    }
}
