package io.tessera.wire.log;

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

    @Test
    void textLosesControlCharactersAndLength() {
        assertEquals("a?b?c", LogSafe.text("a\nb\u0085c"));
        assertEquals(80, LogSafe.text("x".repeat(500)).length());
        assertEquals("-", LogSafe.text(null));
    }

    @Test
    void logFormatIsJsonUnlessText() {
        assertEquals("json", LogFormat.resolve("xml"));
        assertEquals("json", LogFormat.resolve(null));
        assertEquals("text", LogFormat.resolve(" Text "));
        assertEquals(null, LogFormat.warning(" Text "));
        assertEquals(null, LogFormat.warning(null));
        assertTrue(LogFormat.warning("x\ny").contains("'x?y' is neither json nor text"));
    }
}
