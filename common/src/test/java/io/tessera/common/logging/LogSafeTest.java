package io.tessera.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogSafeTest {
    @Test
    void idsPassSecretsAndJunkDoNot() {
        assertEquals("ses_Ab3", LogSafe.id("ses_Ab3"));
        assertEquals("media-1", LogSafe.id("media-1"));
        assertEquals("<28 chars>", LogSafe.id("tok_AAAAAAAAAAAAAAAAAAAAAAAA"));
        assertEquals("<32 chars>", LogSafe.id("abcdefghijklmnopqrstuvwxyzABCDEF")); // resume secret shape
        assertEquals("<8 chars>", LogSafe.id("a b\nc\td\u0000"));
        assertEquals("-", LogSafe.id(null));
    }

    @Test
    void fingerprintIsShortStableAndNotTheSecret() {
        String fp = LogSafe.fingerprint("tok_AAAAAAAAAAAAAAAAAAAAAAAA");
        assertTrue(fp.matches("fp:[0-9a-f]{8}"), fp);
        assertEquals(fp, LogSafe.fingerprint("tok_AAAAAAAAAAAAAAAAAAAAAAAA"));
        assertNotEquals(fp, LogSafe.fingerprint("tok_AAAAAAAAAAAAAAAAAAAAAAAB"));
    }
}
