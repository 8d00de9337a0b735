package io.tessera.master.session;

import io.tessera.common.fuzz.Bounded;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Property-based tests of token URL parsing: any text gives a token or none, and handed-out URLs give their token. */
class TokensFuzzTest {

    @Property(tries = 800)
    void anyTextGivesATokenOrNone(@ForAll @StringLength(max = 100) String text) {
        check(text);
    }

    @Property(tries = 800)
    void urlLikeText(@ForAll("urlish") String text) {
        check(text);
    }

    @Property(tries = 300)
    void handedOutUrlsGiveTheirToken(@ForAll("bases") String base, @ForAll("ids") String sessionId,
                                     @ForAll("ids") String token) {
        String url = new Tokens(base).url(sessionId, "tok_" + token);
        assertEquals(Optional.of("tok_" + token), Tokens.tokenValue(url), url);
        assertEquals(Optional.of("tok_" + token), Tokens.tokenValue("tok_" + token));
    }

    static void check(String text) {
        Object outcome = Bounded.outcome(() -> Tokens.tokenValue(text), text);
        if (!(outcome instanceof Optional<?> token)) {
            fail("tokenValue threw " + outcome + " on " + Bounded.show(text), (Throwable) outcome);
            return;
        }
        token.ifPresent(t -> assertTrue(!((String) t).isEmpty() || text.contains("token="),
                () -> "empty token from " + Bounded.show(text)));
    }

    @Provide
    Arbitrary<String> urlish() {
        return Arbitraries.of("ws://h:1", "wss://h", "http://[::1]:4443", "?", "&", "=", "token", "sessionId", "%", "%2",
                        "%zz", "%C3", "%E2%82%AC", "+", "#", "tok_", "/", ":", " ", "\u00e9", "mailto:", "\ud800")
                .list().ofMaxSize(12).map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<String> bases() {
        return Arbitraries.of("http://127.0.0.1:4443", "https://media.example.com/", "ws://localhost:8080",
                "wss://h.example:443/");
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.strings().alpha().numeric().withChars("-_").ofMinLength(1).ofMaxLength(40);
    }
}
