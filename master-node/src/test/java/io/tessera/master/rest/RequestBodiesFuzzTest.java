package io.tessera.master.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.common.fuzz.Bounded;
import io.tessera.master.session.ApiError;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property-based tests of REST body validation: any body and any value in the known fields gives a value or a 400
 * {@link ApiError} with a message - never another exception (which the REST layer would answer with a 500).
 */
class RequestBodiesFuzzTest {

    static final long WEEK_MS = 7L * 24 * 3600 * 1000;

    @Property(tries = 600)
    void anyBodyText(@ForAll @StringLength(max = 80) String body) {
        Object outcome = Bounded.outcome(() -> RequestBodies.object(body), body);
        if (outcome instanceof ObjectNode) {
            return;
        }
        expectBadRequest(outcome, body);
    }

    @Property(tries = 600)
    void generatedBodies(@ForAll("bodies") String body) {
        Object outcome = Bounded.outcome(() -> RequestBodies.object(body), body);
        if (!(outcome instanceof ObjectNode object)) {
            expectBadRequest(outcome, body);
            return;
        }
        for (Function<ObjectNode, Object> validation : List.<Function<ObjectNode, Object>>of(
                RequestBodies::newSession, RequestBodies::newConnection,
                o -> RequestBodies.stringList(o, "to"),
                o -> RequestBodies.deadlineMillis(o, "deadline", 0),
                o -> RequestBodies.mediaNodeStatus(o, 3_600_000L))) {
            Object result = Bounded.outcome(() -> validation.apply(object), body);
            if (result instanceof Throwable) {
                expectBadRequest(result, body);
            }
        }
    }

    /** A deadline is refused with a 400 or lies between now and a week ahead (absent: the fallback, now). */
    @Property(tries = 600)
    void deadlines(@ForAll("deadlineValues") String value) {
        String body = "{\"deadline\":" + value + "}";
        long before = System.currentTimeMillis();
        Object outcome = Bounded.outcome(() -> RequestBodies.deadlineMillis(RequestBodies.object(body), "deadline", before), body);
        long after = System.currentTimeMillis();
        if (outcome instanceof Long millis) {
            assertTrue(millis >= before && millis <= after + WEEK_MS, () -> millis + " for " + body);
        } else {
            expectBadRequest(outcome, body);
        }
    }

    static void expectBadRequest(Object outcome, String input) {
        if (!(outcome instanceof ApiError error)) {
            fail("expected a 400 but got " + outcome + " for " + Bounded.show(input),
                    outcome instanceof Throwable t ? t : null);
            return;
        }
        assertEquals(400, error.status(), () -> error.getMessage() + " for " + Bounded.show(input));
        assertTrue(error.getMessage() != null && !error.getMessage().isBlank());
    }

    @Provide
    Arbitrary<String> deadlineValues() {
        Arbitrary<String> years = Arbitraries.oneOf(Arbitraries.integers().between(1970, 2100).map(String::valueOf),
                Arbitraries.of("+999999999", "-999999999", "+1000000000", "+292278994", "-292275055", "0000", "+10000",
                        "99999"));
        Arbitrary<String> instants = Combinators.combine(years, Arbitraries.of("01-01T00:00:00Z", "12-31T23:59:59Z",
                        "06-15T12:00:00.123456789Z", "02-30T00:00:00Z", "13-01T00:00:00Z"))
                .as((y, rest) -> "\"" + y + "-" + rest + "\"");
        return Arbitraries.oneOf(instants,
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.of("604800", "604801", "-1", "0", "1.5", "1e3", "99999999999999999999", "true", "null",
                        "[]", "{}", "\"\"", "\"soon\"", "\"2026-11-24T10:00:00+01:00\""));
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-1", "1.5", "1e400", "99999999999999999999999", "[]", "{}",
                        "[\"a\",1]", "[\"con_1\"]", "{\"id\":\"media-1\"}", "{\"id\":5}", "{\"id\":\"a.b\"}", "\"\"",
                        "\"WEBRTC\"", "\"IPCAM\"", "\"PUBLISHER\"", "\"ROUTED\"", "\"protected\"", "\"2026-11-24T10:00:00Z\"", "\"draining\"", "\"running\""),
                Arbitraries.strings().ofMaxLength(20).map(s -> com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                        .quoteAsString(s)).map(chars -> "\"" + new String(chars) + "\""));
        Arbitrary<String> key = Arbitraries.of("customSessionId", "mediaMode", "recordingMode", "forcedVideoCodec",
                "allowTranscoding", "defaultRecordingProperties", "mediaNode", "priority", "type", "role", "record",
                "data", "kurentoOptions", "to", "deadline", "status", "other");
        return Combinators.combine(key, value).as((k, v) -> "\"" + k + "\":" + v).list().ofMaxSize(6)
                .map(members -> "{" + String.join(",", members) + "}");
    }
}
