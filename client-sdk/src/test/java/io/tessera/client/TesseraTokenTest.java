package io.tessera.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TesseraTokenTest {

    @Test
    void parsesTheContractExample() {
        TesseraToken t = TesseraToken.parse("ws://127.0.0.1:4443?sessionId=S&token=tok_X");
        assertEquals(URI.create("ws://127.0.0.1:4443/openvidu"), t.webSocketUri());
        assertEquals("S", t.sessionId());
        assertEquals("tok_X", t.token());
        assertEquals("ws://127.0.0.1:4443?sessionId=S&token=tok_X", t.raw());
    }

    @ParameterizedTest
    @CsvSource({
            "ws://h:1?sessionId=s&token=tok_a,            ws://h:1/openvidu",
            "wss://h:1?sessionId=s&token=tok_a,           wss://h:1/openvidu",
            "http://h:1?sessionId=s&token=tok_a,          ws://h:1/openvidu",
            "https://h?sessionId=s&token=tok_a,           wss://h/openvidu",
            "HTTPS://h?sessionId=s&token=tok_a,           wss://h/openvidu",
            "wss://h/?sessionId=s&token=tok_a,            wss://h/openvidu",
            "wss://h/base/?sessionId=s&token=tok_a,       wss://h/base/openvidu",
            "wss://h/openvidu?sessionId=s&token=tok_a,    wss://h/openvidu",
            "ws://[::1]:4443?sessionId=s&token=tok_a,     ws://[::1]:4443/openvidu",
    })
    void mapsSchemesAndPaths(String raw, String expectedUri) {
        TesseraToken t = TesseraToken.parse(raw);
        assertEquals(URI.create(expectedUri), t.webSocketUri());
        assertEquals("s", t.sessionId());
        assertEquals("tok_a", t.token());
    }

    @Test
    void decodesParametersAndIgnoresUnknownOnes() {
        TesseraToken t = TesseraToken.parse("ws://h:1?role=PUBLISHER&sessionId=my%20room&token=tok_%2Bx&edition=ce");
        assertEquals("my room", t.sessionId());
        assertEquals("tok_+x", t.token());
    }

    @Test
    void toStringDoesNotLeakTheTokenValue() {
        TesseraToken t = TesseraToken.parse("ws://h:1?sessionId=s&token=tok_secret");
        assertFalse(t.toString().contains("tok_secret"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "   ",
            "tok_abc",
            "ftp://h?sessionId=s&token=tok_a",
            "ws:///?sessionId=s&token=tok_a",
            "ws://h:1",
            "ws://h:1?token=tok_a",
            "ws://h:1?sessionId=s",
            "ws://h:1?sessionId=&token=tok_a",
            "ws://h:1?sessionId=s&token=",
            "ws://h 1?sessionId=s&token=tok_a",
            "ws://h:1?sessionId=%zz&token=tok_a",
    })
    void rejectsMalformedTokensClearly(String raw) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TesseraToken.parse(raw));
        assertTrue(e.getMessage() != null && e.getMessage().startsWith("token"), e.getMessage());
    }
}
