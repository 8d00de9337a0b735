package io.tessera.common.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import java.util.List;

/**
 * Mutual TLS between cluster members (Pekko Artery's {@code tls-tcp} transport), from {@code tessera.remoting.tls}.
 * Every node presents the key store's certificate and accepts only peers whose certificate its trust store trusts:
 * a node without the cluster certificate cannot complete a handshake, so it can neither join nor send a message.
 */
public final class RemotingTls {
    private static final String SECTION = "tessera.remoting.tls";
    static final String KEY_STORE_SETTING = "tessera.remoting.tls.key-store (TESSERA_REMOTING_TLS_KEYSTORE)";
    static final String TRUST_STORE_SETTING = "tessera.remoting.tls.trust-store (TESSERA_REMOTING_TLS_TRUSTSTORE)";
    private static final String ENGINE = "pekko.remote.artery.ssl.config-ssl-engine.";

    private RemotingTls() {
    }

    /**
     * The Artery settings that switch remoting to mutual TLS, or an empty config when it is off. Both stores are
     * opened now, so that a missing file or a wrong password stops the start instead of failing the first handshake
     * (Pekko opens them lazily).
     */
    public static Config arteryOverrides(Config config) {
        if (!config.hasPath(SECTION) || !config.getBoolean(SECTION + ".enabled")) {
            return ConfigFactory.empty();
        }
        Config section = config.getConfig(SECTION);
        KeyStoreFile keyStore = KeyStoreFile.fromConfig(section, "key-store", KEY_STORE_SETTING);
        keyStore.loadWithPrivateKey();
        // Without a trust store of its own, a node trusts the certificate it presents: one cluster certificate.
        KeyStoreFile trustStore = section.getString("trust-store").isBlank() ? KeyStoreFile.sameAs(keyStore)
                : KeyStoreFile.fromConfig(section, "trust-store", TRUST_STORE_SETTING, keyStore);
        trustStore.loadWithCertificates();
        String protocol = section.getString("protocol");
        List<String> algorithms = switch (protocol) {
            case "TLSv1.3" -> List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");
            case "TLSv1.2" -> List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
            default -> throw new IllegalArgumentException("tessera.remoting.tls.protocol (TESSERA_REMOTING_TLS_PROTOCOL)"
                    + " must be TLSv1.3 or TLSv1.2, got '" + protocol + "'");
        };
        return ConfigFactory.empty()
                .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
                .withValue(ENGINE + "key-store", ConfigValueFactory.fromAnyRef(keyStore.path().toAbsolutePath().toString()))
                .withValue(ENGINE + "key-store-password", ConfigValueFactory.fromAnyRef(keyStore.passwordString()))
                // keytool gives a PKCS12 key the store's password.
                .withValue(ENGINE + "key-password", ConfigValueFactory.fromAnyRef(keyStore.passwordString()))
                .withValue(ENGINE + "trust-store",
                        ConfigValueFactory.fromAnyRef(trustStore.path().toAbsolutePath().toString()))
                .withValue(ENGINE + "trust-store-password", ConfigValueFactory.fromAnyRef(trustStore.passwordString()))
                .withValue(ENGINE + "protocol", ConfigValueFactory.fromAnyRef(protocol))
                .withValue(ENGINE + "enabled-algorithms", ConfigValueFactory.fromIterable(algorithms))
                // The accepting side checks the connecting node's certificate too: that is what keeps strangers out.
                .withValue(ENGINE + "require-mutual-authentication", ConfigValueFactory.fromAnyRef(true))
                // Nodes find each other by IP (seeds, Cluster Bootstrap), which a shared certificate cannot name.
                .withValue(ENGINE + "hostname-verification", ConfigValueFactory.fromAnyRef(false));
    }
}
