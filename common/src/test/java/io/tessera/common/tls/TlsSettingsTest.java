package io.tessera.common.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsSettingsTest {
    private static final String PASSWORD = "pw-Secret-4711";

    @TempDir
    static Path dir;
    static Path store;

    @BeforeAll
    static void makeStore() throws Exception {
        store = KeyTool.selfSigned(dir.resolve("node.p12"), "tessera-node", PASSWORD);
    }

    private static Config http(Map<String, Object> tls) {
        return ConfigFactory.parseMap(Map.of("tessera.http.tls", tls));
    }

    private static Config remoting(Map<String, Object> tls) {
        Map<String, Object> all = new java.util.HashMap<>(Map.of("enabled", true, "key-store", store.toString(),
                "key-store-password", PASSWORD, "trust-store", "", "trust-store-password", "", "protocol", "TLSv1.3"));
        all.putAll(tls);
        return ConfigFactory.parseMap(Map.of("tessera.remoting.tls", all));
    }

    /** The error a node prints before exiting with 2: it must say what is wrong and must never show the password. */
    private static String refusal(Runnable load) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, load::run);
        assertFalse(e.getMessage().contains(PASSWORD), () -> "password in: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void httpTlsIsOffUnlessEnabled() {
        assertFalse(HttpTls.fromConfig(ConfigFactory.empty()).enabled());
        assertEquals("http", HttpTls.fromConfig(http(Map.of("enabled", false, "key-store", ""))).scheme());
    }

    @Test
    void httpTlsOpensThePkcs12StoreWithItsPassword() {
        HttpTls tls = HttpTls.fromConfig(http(Map.of("enabled", true, "key-store", store.toString(),
                "key-store-password", PASSWORD)));
        assertTrue(tls.enabled());
        assertEquals("https", tls.scheme());
        assertTrue(tls.context().isPresent());
    }

    @Test
    void thePasswordCanComeFromAFileWithATrailingLineBreak() throws Exception {
        Path file = Files.writeString(dir.resolve("password.txt"), PASSWORD + "\n");
        assertTrue(HttpTls.fromConfig(http(Map.of("enabled", true, "key-store", store.toString(),
                "key-store-password", "not used", "key-store-password-file", file.toString()))).enabled());
    }

    @Test
    void aWrongPasswordIsRefusedWithoutShowingAnyPassword() {
        String message = refusal(() -> HttpTls.fromConfig(http(Map.of("enabled", true, "key-store", store.toString(),
                "key-store-password", PASSWORD + "x"))));
        assertTrue(message.contains("TESSERA_TLS_KEYSTORE") && message.contains(store.toString()), message);
        assertFalse(message.contains(PASSWORD + "x"), message);
    }

    @Test
    void aMissingStoreOrPasswordFileIsNamed() {
        String message = refusal(() -> HttpTls.fromConfig(http(Map.of("enabled", true,
                "key-store", dir.resolve("nope.p12").toString(), "key-store-password", PASSWORD))));
        assertTrue(message.contains("nope.p12") && message.contains("no such file"), message);
        message = refusal(() -> HttpTls.fromConfig(http(Map.of("enabled", true, "key-store", store.toString(),
                "key-store-password-file", dir.resolve("nope.txt").toString()))));
        assertTrue(message.contains("nope.txt"), message);
        message = refusal(() -> HttpTls.fromConfig(http(Map.of("enabled", true, "key-store", ""))));
        assertTrue(message.contains("(TESSERA_TLS_KEYSTORE) is not set"), message);
    }

    @Test
    void aFileThatIsNotAKeyStoreIsRefused() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.p12"), "not a key store");
        String message = refusal(() -> HttpTls.fromConfig(http(Map.of("enabled", true, "key-store", junk.toString(),
                "key-store-password", PASSWORD))));
        assertTrue(message.contains("junk.p12"), message);
    }

    @Test
    void remotingTlsIsOffUnlessEnabled() {
        assertTrue(RemotingTls.arteryOverrides(ConfigFactory.empty()).isEmpty());
        assertTrue(RemotingTls.arteryOverrides(remoting(Map.of("enabled", false))).isEmpty());
    }

    @Test
    void remotingTlsSwitchesArteryToMutualTls() {
        Config artery = RemotingTls.arteryOverrides(remoting(Map.of())).getConfig("pekko.remote.artery");
        assertEquals("tls-tcp", artery.getString("transport"));
        Config engine = artery.getConfig("ssl.config-ssl-engine");
        assertTrue(engine.getBoolean("require-mutual-authentication"));
        assertEquals("TLSv1.3", engine.getString("protocol"));
        // Without a trust store of its own the node trusts the cluster certificate of its key store.
        assertEquals(store.toAbsolutePath().toString(), engine.getString("trust-store"));
        assertEquals(PASSWORD, engine.getString("trust-store-password"));
        assertEquals(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"),
                engine.getStringList("enabled-algorithms"));
    }

    @Test
    void remotingTlsRefusesAWrongTrustStorePasswordAndAnUnknownProtocol() {
        String message = refusal(() -> RemotingTls.arteryOverrides(remoting(Map.of("trust-store", store.toString(),
                "trust-store-password", "wrong"))));
        assertTrue(message.contains("TESSERA_REMOTING_TLS_TRUSTSTORE"), message);
        message = refusal(() -> RemotingTls.arteryOverrides(remoting(Map.of("protocol", "SSLv3"))));
        assertTrue(message.contains("TESSERA_REMOTING_TLS_PROTOCOL"), message);
        assertEquals("TLSv1.2", RemotingTls.arteryOverrides(remoting(Map.of("protocol", "TLSv1.2")))
                .getString("pekko.remote.artery.ssl.config-ssl-engine.protocol"));
    }
}
