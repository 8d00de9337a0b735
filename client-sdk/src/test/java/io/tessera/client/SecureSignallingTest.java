package io.tessera.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss:// with a certificate the JVM does not trust by default: the caller's SSLContext decides. */
class SecureSignallingTest {
    private static final char[] PASSWORD = "sdk-test-pw".toCharArray();

    @TempDir
    static Path dir;
    static SSLContext serverContext;
    static SSLContext trustingContext;

    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        Path store = dir.resolve("server.p12");
        String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=sdk-test", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(PASSWORD)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(ks, PASSWORD);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);
        // The certificate of the key entry is trusted as is (self-signed).
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(ks);
        trustingContext = SSLContext.getInstance("TLS");
        trustingContext.init(null, trust.getTrustManagers(), null);
    }

    @Test
    void aCallerSuppliedContextOpensAWssSocket() throws Exception {
        try (MiniWebSocketServer server = MiniWebSocketServer.secure(serverContext);
             SignallingClient client = SignallingClient.builder(server.uri()).sslContext(trustingContext)
                     .keepaliveOff().connect()) {
            assertEquals("wss", server.uri().getScheme());
            server.awaitConnected();
            var answer = client.sendMessage(List.of(), "signal:chat", "over tls");
            String sent = server.nextReceived(Duration.ofSeconds(5));
            JsonNode request = JsonRpcCodec.MAPPER.readTree(sent);
            assertEquals("sendMessage", request.get("method").asText());
            server.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id").asLong() + ",\"result\":{}}");
            answer.get(5, TimeUnit.SECONDS);
            server.sendEvent("participantJoined", 1);
            assertEquals("participantJoined",
                    client.nextEvent(Duration.ofSeconds(5)).orElseThrow().method());
        }
    }

    @Test
    void withoutTheContextAnUntrustedCertificateIsRefused() throws Exception {
        try (MiniWebSocketServer server = MiniWebSocketServer.secure(serverContext)) {
            assertThrows(IOException.class, () -> SignallingClient.builder(server.uri())
                    .connectTimeout(Duration.ofSeconds(5)).keepaliveOff().connect());
            assertFalse(server.wasConnected());
        }
    }
}
