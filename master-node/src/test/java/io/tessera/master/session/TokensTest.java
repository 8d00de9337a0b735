package io.tessera.master.session;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokensTest {

    @Test
    void tokenUrlsUseTheWebSocketSchemeOfThePublicUrl() {
        assertEquals("ws://127.0.0.1:4443?sessionId=s&token=tok_x", new Tokens("http://127.0.0.1:4443").url("s", "tok_x"));
        assertEquals("wss://media.example.com?sessionId=s&token=tok_x", new Tokens("https://media.example.com/").url("s", "tok_x"));
        assertThrows(IllegalArgumentException.class, () -> new Tokens("ftp://x"));
    }

    @Test
    void theTokenValueIsReadFromAUrlOrTakenAsIs() {
        assertEquals(Optional.of("tok_abc"), Tokens.tokenValue("wss://h:1?sessionId=s&token=tok_abc"));
        assertEquals(Optional.of("tok_abc"), Tokens.tokenValue("ws://h:1/openvidu?token=tok_abc&sessionId=s"));
        assertEquals(Optional.of("tok_abc"), Tokens.tokenValue("tok_abc"));
        assertEquals(Optional.empty(), Tokens.tokenValue("wss://h:1?sessionId=s"));
        assertEquals(Optional.empty(), Tokens.tokenValue("ws://h:1?%%%"));
        assertEquals(Optional.empty(), Tokens.tokenValue(""));
        assertEquals(Optional.empty(), Tokens.tokenValue(null));
    }

    @Test
    void constantTimeComparison() {
        assertTrue(Tokens.constantTimeEquals("tok_abc", "tok_abc"));
        assertFalse(Tokens.constantTimeEquals("tok_abc", "tok_abd"));
        assertFalse(Tokens.constantTimeEquals("tok_abc", "tok_ab"));
    }

    @Test
    void generatedIdsAreValidAndDistinct() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            tokens.add(Ids.token());
            assertTrue(Ids.isValidId(Ids.sessionId()));
            assertTrue(Ids.isValidId(Ids.connectionId()));
        }
        assertEquals(1000, tokens.size());
        assertEquals(28, Ids.token().length());
    }

    @Test
    void idValidationRejectsWhatOpenViduRejects() {
        assertTrue(Ids.isValidId("room_1-A"));
        assertFalse(Ids.isValidId("bad id!"));
        assertFalse(Ids.isValidId("x".repeat(129)));
        assertFalse(Ids.isValidId("caf\u00e9"));
        assertFalse(Ids.isValidId("a\u0000b"));
        assertFalse(Ids.isValidId(""));
    }
}
