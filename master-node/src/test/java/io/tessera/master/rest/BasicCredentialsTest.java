package io.tessera.master.rest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The one credential check the REST API and the console share. */
class BasicCredentialsTest {
    private final BasicCredentials credentials = new BasicCredentials("s3cret:with-colon");

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theApplicationUserWithTheSecretIsAccepted() {
        assertTrue(credentials.accepts(basic("OPENVIDUAPP:s3cret:with-colon")), "the secret may hold a colon");
        assertTrue(credentials.accepts("basic " + basic("OPENVIDUAPP:s3cret:with-colon").substring(6)),
                "the scheme is case-insensitive");
    }

    @Test
    void anythingElseIsRefused() {
        assertFalse(credentials.accepts(null));
        assertFalse(credentials.accepts(""));
        assertFalse(credentials.accepts(basic("OPENVIDUAPP:wrong")));
        assertFalse(credentials.accepts(basic("OPENVIDUAPP:s3cret")), "a prefix of the secret");
        assertFalse(credentials.accepts(basic("openviduapp:s3cret:with-colon")), "the user name is exact");
        assertFalse(credentials.accepts(basic("OPENVIDUAPPs3cret:with-colon")));
        assertFalse(credentials.accepts(basic("no colon at all")));
        assertFalse(credentials.accepts("Basic not*base64"));
        assertFalse(credentials.accepts("Bearer " + basic("OPENVIDUAPP:s3cret:with-colon").substring(6)));
    }
}
