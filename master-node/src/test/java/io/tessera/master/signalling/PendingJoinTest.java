package io.tessera.master.signalling;

import io.tessera.wire.log.LogSafe;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What a refused join or resume logs about who asked: a fingerprint or an id, never the token. */
class PendingJoinTest {
    private static final String TOKEN = "tok_AbCdEfGhIjKlMnOpQrStUvWx";

    @Test
    void aJoinIsDescribedByItsTokensFingerprintWhetherTheTokenCameBareOrInItsUrl() {
        String expected = "token " + LogSafe.fingerprint(TOKEN);
        assertEquals(expected, PendingJoin.Attempt.join("ses_1", TOKEN).who());
        PendingJoin.Attempt fromUrl = PendingJoin.Attempt.join("ses_1",
                "wss://tessera.example:4443?sessionId=ses_1&token=" + TOKEN);
        assertEquals(expected, fromUrl.who());
        assertFalse(fromUrl.toString().contains(TOKEN), fromUrl.toString());
        assertFalse(fromUrl.who().contains(TOKEN));
    }

    @Test
    void aResumeIsDescribedByItsConnectionId() {
        assertEquals("connection con_Xy12Zw34Ab56", PendingJoin.Attempt.resume("ses_1", "con_Xy12Zw34Ab56").who());
        assertEquals("ses_1", PendingJoin.Attempt.resume("ses_1", "con_Xy12Zw34Ab56").mdcSessionId());
    }
}
