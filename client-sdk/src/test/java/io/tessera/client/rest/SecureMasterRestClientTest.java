package io.tessera.client.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.client.SelfSignedCertificate;
import io.tessera.client.rest.FakeMaster.Answer;
import java.net.http.HttpClient;
import java.nio.file.Path;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An https master whose certificate the JVM does not trust by default: the caller's SSLContext decides. */
class SecureMasterRestClientTest {
    private static final String HEALTH = "{\"status\":\"UP\"}";

    @TempDir
    static Path dir;
    static SelfSignedCertificate certificate;

    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        certificate = SelfSignedCertificate.create(dir);
    }

    @Test
    void theCallersTrustStoreIsUsedThroughTheBuilderOrASharedHttpClient() throws Exception {
        try (FakeMaster master = FakeMaster.startHttps(certificate.server(), request -> Answer.json(200, HEALTH))) {
            assertEquals("https", master.uri().getScheme());
            assertTrue(MasterRestClient.builder(master.uri()).secret("s").sslContext(certificate.trusting()).build()
                    .isHealthy());
            HttpClient shared = HttpClient.newBuilder().sslContext(certificate.trusting()).build();
            assertTrue(MasterRestClient.builder(master.uri()).secret("s").httpClient(shared).build().isHealthy());
            assertThrows(IllegalStateException.class, () -> MasterRestClient.builder(master.uri())
                    .httpClient(shared).sslContext(certificate.trusting()).build());
        }
    }

    @Test
    void withoutItTheCertificateIsRefused() {
        try (FakeMaster master = FakeMaster.startHttps(certificate.server(), request -> Answer.json(200, HEALTH))) {
            assertThrows(SSLHandshakeException.class, () -> MasterRestClient.create(master.uri(), "s").isHealthy());
            assertEquals(0, master.requests().size());
        }
    }
}
