package io.tessera.master.rest;

import io.tessera.master.session.ApiError;
import io.tessera.master.session.SessionService.NewConnection;
import io.tessera.master.session.SessionService.NewSession;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestBodiesTest {

    private static ApiError refused(Runnable parse) {
        return assertThrows(ApiError.class, parse::run);
    }

    @Test
    void sessionDefaultsAreOpenVidus() {
        NewSession s = RequestBodies.newSession(RequestBodies.object(""));
        assertNull(s.customSessionId());
        assertEquals("ROUTED", s.mediaMode());
        assertEquals("MANUAL", s.recordingMode());
        assertEquals("MEDIA_SERVER_PREFERRED", s.forcedVideoCodec());
        assertEquals("best-effort", s.priority());
    }

    @Test
    void sessionFieldsAreValidated() {
        assertEquals(400, refused(() -> RequestBodies.object("{oops")).status());
        assertEquals(400, refused(() -> RequestBodies.object("{} {}")).status(), "data after the object");
        assertEquals(400, refused(() -> RequestBodies.object("{\"a\":1,\"a\":2}")).status(), "a member twice");
        assertEquals(400, refused(() -> RequestBodies.object("[1]")).status());
        assertTrue(refused(() -> RequestBodies.newSession(RequestBodies.object("{\"customSessionId\":5}")))
                .getMessage().contains("customSessionId"));
        refused(() -> RequestBodies.newSession(RequestBodies.object("{\"customSessionId\":\"bad id!\"}")));
        refused(() -> RequestBodies.newSession(RequestBodies.object("{\"mediaMode\":\"SIDEWAYS\"}")));
        refused(() -> RequestBodies.newSession(RequestBodies.object("{\"allowTranscoding\":\"yes\"}")));
        refused(() -> RequestBodies.newSession(RequestBodies.object("{\"mediaNode\":\"media-1\"}")));
        refused(() -> RequestBodies.newSession(RequestBodies.object("{\"priority\":\"urgent\"}")));
        NewSession s = RequestBodies.newSession(RequestBodies.object(
                "{\"customSessionId\":\"room-1\",\"mediaNode\":{\"id\":\"media-2\"},\"priority\":\"protected\",\"unknown\":[1]}"));
        assertEquals("room-1", s.customSessionId());
        assertEquals("media-2", s.mediaNodeId());
        assertEquals("protected", s.priority());
    }

    @Test
    void connectionFieldsAreValidated() {
        NewConnection c = RequestBodies.newConnection(RequestBodies.object("{\"role\":\"SUBSCRIBER\",\"data\":\"d\",\"record\":false}"));
        assertEquals("SUBSCRIBER", c.role());
        assertEquals("d", c.serverData());
        refused(() -> RequestBodies.newConnection(RequestBodies.object("{\"role\":\"ADMIN\"}")));
        refused(() -> RequestBodies.newConnection(RequestBodies.object("{\"type\":\"IPCAM\"}")));
        refused(() -> RequestBodies.newConnection(RequestBodies.object("{\"data\":{}}")));
        refused(() -> RequestBodies.newConnection(RequestBodies.object("{\"data\":\"" + "x".repeat(10_001) + "\"}")));
    }

    @Test
    void farAwayDeadlinesAreRefusedOrClampedNotOverflowed() {
        assertEquals(400, refused(() -> RequestBodies.deadlineMillis(
                RequestBodies.object("{\"d\":\"+999999999-01-01T00:00:00Z\"}"), "d", 0)).status());
        long before = System.currentTimeMillis();
        long past = RequestBodies.deadlineMillis(RequestBodies.object("{\"d\":\"-999999999-01-01T00:00:00Z\"}"), "d", 0);
        assertTrue(past >= before, "a deadline in the past is now");
    }

    @Test
    void mediaNodeStatusNeedsAStatusAndTakesADeadlineOnlyWhenDraining() {
        ApiError noStatus = refused(() -> RequestBodies.mediaNodeStatus(RequestBodies.object("{\"deadline\":5}"), 1000));
        assertEquals(400, noStatus.status(), "a deadline without status is a bad body, not a server error");
        assertTrue(noStatus.getMessage().contains("'status' is required"), noStatus.getMessage());
        assertEquals(400, refused(() -> RequestBodies.mediaNodeStatus(RequestBodies.object("{}"), 1000)).status());
        assertEquals(400, refused(() -> RequestBodies.mediaNodeStatus(
                RequestBodies.object("{\"status\":\"sleeping\"}"), 1000)).status());
        ApiError runningWithDeadline = refused(() -> RequestBodies.mediaNodeStatus(
                RequestBodies.object("{\"status\":\"running\",\"deadline\":5}"), 1000));
        assertTrue(runningWithDeadline.getMessage().contains("only to status draining"), runningWithDeadline.getMessage());
        assertEquals("running", RequestBodies.mediaNodeStatus(RequestBodies.object("{\"status\":\"running\"}"), 1000).status());
        long before = System.currentTimeMillis();
        RequestBodies.StatusChange drain = RequestBodies.mediaNodeStatus(RequestBodies.object("{\"status\":\"draining\"}"), 60_000);
        assertTrue(drain.deadlineMillis() >= before + 60_000, "the default drain time applies");
    }

    @Test
    void aDeadlineInThePastMeansAtOnceWhateverItsForm() {
        long before = System.currentTimeMillis();
        for (String past : new String[]{"-5", "0", "\"2001-01-01T00:00:00Z\"", "-9223372036854775808"}) {
            long deadline = RequestBodies.deadlineMillis(RequestBodies.object("{\"d\":" + past + "}"), "d", 0);
            long after = System.currentTimeMillis();
            assertTrue(deadline >= before && deadline <= after, past + " is now, got " + deadline);
        }
        long in5 = RequestBodies.deadlineMillis(RequestBodies.object("{\"d\":5}"), "d", 0);
        assertTrue(in5 >= before + 5000, "seconds from now");
        assertEquals(400, refused(() -> RequestBodies.deadlineMillis(RequestBodies.object("{\"d\":604801}"), "d", 0)).status());
        assertEquals(400, refused(() -> RequestBodies.deadlineMillis(RequestBodies.object("{\"d\":1.5}"), "d", 0)).status());
        assertEquals(400, refused(() -> RequestBodies.deadlineMillis(RequestBodies.object("{\"d\":\"soon\"}"), "d", 0)).status());
        assertEquals(400, refused(() -> RequestBodies.deadlineMillis(
                RequestBodies.object("{\"d\":99999999999999999999}"), "d", 0)).status());
    }
}
