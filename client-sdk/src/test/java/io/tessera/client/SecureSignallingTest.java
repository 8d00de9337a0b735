package io.tessera.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss:// with a certificate the JVM does not trust by default: the caller's SSLContext decides. */
class SecureSignallingTest {
    @TempDir
    static Path dir;
    static SSLContext serverContext;
    static SSLContext trustingContext;

    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir);
        serverContext = certificate.server();
        trustingContext = certificate.trusting();
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
