package io.tessera.master.signalling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.common.fuzz.Bounded;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.wire.jsonrpc.JsonRpc;
import io.tessera.wire.jsonrpc.JsonRpc.Invalid;
import io.tessera.wire.jsonrpc.JsonRpc.Request;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static net.jqwik.api.Tuple.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property-based tests of {@link JsonRpc#parse}: whatever the text, the parser answers a request whose fields are
 * what the text says, or one of the documented JSON-RPC errors (docs/CONTRACT.md) - never another exception, never
 * a hang. The expectation comes from a reference reading of the same text by a strict, limit-free Jackson parser
 * (duplicate names and trailing data refused, numbers kept exact).
 */
class JsonRpcFuzzTest {

    static final int MAX_DEPTH = 32;
    /** Number literals up to this length are always accepted; past {@link #NUMBER_REFUSED} always refused. */
    static final int NUMBER_ACCEPTED = 30;
    static final int NUMBER_REFUSED = 40;
    static final int MAX_STRING = 64 * 1024;

    static final ObjectMapper REFERENCE = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(100_000).maxNumberLength(1_000_000).maxStringLength(100_000_000).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    // ---------------------------------------------------------------- properties

    @Property(tries = 1000)
    void arbitraryText(@ForAll @StringLength(max = 120) String text) {
        check(text);
    }

    @Property(tries = 1000)
    void jsonAlphabetSoup(@ForAll("soup") String text) {
        check(text);
    }

    @Property(tries = 600)
    void arbitraryBytesDecodedAsUtf8(@ForAll @Size(max = 160) byte[] bytes) {
        check(new String(bytes, StandardCharsets.UTF_8));
    }

    @Property(tries = 400)
    void anyJsonValue(@ForAll("values") J value) {
        check(value.text());
    }

    @Property(tries = 400)
    void generatedRequests(@ForAll("requests") J request) {
        check(request.text());
    }

    @Property(tries = 200)
    void deepNesting(@ForAll("deepRequests") J request) {
        check(request.text());
    }

    @Property(tries = 300)
    void mutatedValidRequests(@ForAll("validRequests") J request, @ForAll("mutations") Mutation mutation) {
        check(mutation.apply(request.text()));
    }

    /** A valid request written out again (as a client would) reads back as the same request. */
    @Property(tries = 200)
    void validRequestsRoundTrip(@ForAll("validRequests") J generated) throws Exception {
        Object first = Bounded.outcome(() -> JsonRpc.parse(generated.text()), generated.text());
        if (!(first instanceof Request request)) {
            fail("a valid generated request was refused: " + first + " for " + Bounded.show(generated.text()));
            return;
        }
        ObjectNode written = JsonRpc.MAPPER.createObjectNode();
        written.put("jsonrpc", "2.0");
        if (request.id() != null) {
            written.set("id", request.id());
        }
        written.put("method", request.method());
        written.set("params", request.params());
        String text = JsonRpc.MAPPER.writeValueAsString(written);
        Object again = Bounded.outcome(() -> JsonRpc.parse(text), text);
        if (!(again instanceof Request back)) {
            fail("written request refused: " + describe(again) + " for " + Bounded.show(text));
            return;
        }
        // JSON has one number type: 0.0 written as 0 reads back as another node class of the same value
        assertTrue(sameValue(request.id(), back.id()), () -> "id " + back.id() + " after round trip of " + Bounded.show(text));
        assertEquals(request.method(), back.method());
        assertTrue(sameValue(request.params(), back.params()), () -> "params " + back.params() + " after round trip of "
                + Bounded.show(text));
    }

    // ---------------------------------------------------------------- the oracle

    /** What a strict reading of the text finds: the tree, or why there is none, and the sizes the limits look at. */
    record Reading(JsonNode tree, boolean json, int depth, int longestNumber, int longestString) {
    }

    static Reading read(String text) {
        int depth = 0;
        int maxDepth = 0;
        int longestNumber = 0;
        int longestString = 0;
        try (JsonParser p = REFERENCE.getFactory().createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> maxDepth = Math.max(maxDepth, ++depth);
                    case END_OBJECT, END_ARRAY -> depth--;
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> longestNumber = Math.max(longestNumber, p.getTextLength());
                    case VALUE_STRING, FIELD_NAME -> longestString = Math.max(longestString, p.getTextLength());
                    default -> {
                    }
                }
            }
        } catch (Exception e) {
            return new Reading(null, false, maxDepth, longestNumber, longestString);
        }
        JsonNode tree;
        try {
            tree = REFERENCE.readTree(text);
        } catch (Exception e) {
            // Valid JSON grammar whose number cannot be held exactly (an exponent past int range): not a request.
            return new Reading(null, false, maxDepth, longestNumber, longestString);
        }
        // Exponents past JsonRpc.MAX_EXPONENT are refused as unrepresentable, like those past BigDecimal's range.
        boolean json = tree != null && !tree.isMissingNode() && exponentsWithin(tree);
        return new Reading(json ? tree : null, json, maxDepth, longestNumber, longestString);
    }

    static boolean exponentsWithin(JsonNode node) {
        if (node.isBigDecimal()) {
            return Math.abs((long) node.decimalValue().scale()) <= JsonRpc.MAX_EXPONENT;
        }
        for (JsonNode child : node) {
            if (!exponentsWithin(child)) {
                return false;
            }
        }
        return true;
    }

    static void check(String text) {
        Object outcome = Bounded.outcome(() -> JsonRpc.parse(text), text);
        if (!(outcome instanceof Request) && !(outcome instanceof Invalid)) {
            fail("JsonRpc.parse threw " + outcome + " on " + Bounded.show(text), (Throwable) outcome);
        }
        Reading reading = read(text);
        if (!reading.json()) {
            expectRefused(outcome, ErrorCode.PARSE_ERROR.code(), NullNode.getInstance(), text);
            return;
        }
        if (reading.depth() > MAX_DEPTH || reading.longestNumber() > NUMBER_REFUSED || reading.longestString() > MAX_STRING) {
            expectRefused(outcome, ErrorCode.PARSE_ERROR.code(), NullNode.getInstance(), text);
            return;
        }
        if (reading.longestNumber() > NUMBER_ACCEPTED && outcome instanceof Invalid invalid
                && invalid.code() == ErrorCode.PARSE_ERROR.code()) {
            return; // near the number length limit, either answer is right
        }
        JsonNode root = reading.tree();
        if (!root.isObject()) {
            expectRefused(outcome, ErrorCode.INVALID_REQUEST.code(), NullNode.getInstance(), text);
            return;
        }
        JsonNode id = root.get("id");
        if (id != null && !(id.isNumber() || id.isTextual() || id.isNull())) {
            expectRefused(outcome, ErrorCode.INVALID_REQUEST.code(), NullNode.getInstance(), text);
            return;
        }
        JsonNode idOrNull = id == null ? NullNode.getInstance() : id;
        JsonNode version = root.get("jsonrpc");
        if (version != null && !(version.isTextual() && version.textValue().equals("2.0"))) {
            expectRefused(outcome, ErrorCode.INVALID_REQUEST.code(), idOrNull, text);
            return;
        }
        JsonNode method = root.get("method");
        if (method == null || !method.isTextual() || method.textValue().isEmpty()) {
            expectRefused(outcome, ErrorCode.INVALID_REQUEST.code(), idOrNull, text);
            return;
        }
        JsonNode params = root.get("params");
        if (params != null && !params.isNull() && !params.isObject()) {
            expectRefused(outcome, ErrorCode.INVALID_PARAMS.code(), idOrNull, text);
            return;
        }
        if (!(outcome instanceof Request request)) {
            fail("a valid request was refused with " + describe(outcome) + ": " + Bounded.show(text));
            return;
        }
        assertTrue(sameValue(id, request.id()), () -> "id " + request.id() + " instead of " + id + " in " + Bounded.show(text));
        assertEquals(method.textValue(), request.method(), () -> "method of " + Bounded.show(text));
        JsonNode expectedParams = params == null || params.isNull() ? REFERENCE.createObjectNode() : params;
        assertTrue(sameValue(expectedParams, request.params()),
                () -> "params " + request.params() + " instead of " + expectedParams + " in " + Bounded.show(text));
        // The answer must carry the very id the client sent.
        JsonNode answer = readAnswer(JsonRpc.result(request.id(), REFERENCE.createObjectNode()), text);
        assertTrue(sameValue(idOrNull, answer.get("id")),
                () -> "answer id " + answer.get("id") + " instead of " + id + " for " + Bounded.show(text));
    }

    static void expectRefused(Object outcome, int code, JsonNode id, String text) {
        if (!(outcome instanceof Invalid invalid)) {
            fail("expected error " + code + " but got " + describe(outcome) + " for " + Bounded.show(text));
            return;
        }
        assertEquals(code, invalid.code(), () -> "error code (" + invalid.getMessage() + ") for " + Bounded.show(text));
        assertTrue(invalid.getMessage() != null && !invalid.getMessage().isBlank(), "error without a message");
        assertTrue(sameValue(id, invalid.id()), () -> "error id " + invalid.id() + " instead of " + id + " for "
                + Bounded.show(text));
        JsonNode answer = readAnswer(JsonRpc.error(invalid.id(), invalid.code(), invalid.getMessage()), text);
        assertEquals("2.0", answer.path("jsonrpc").textValue());
        assertEquals(code, answer.path("error").path("code").intValue());
        assertTrue(sameValue(id, answer.get("id")), () -> "answer id " + answer.get("id") + " instead of " + id
                + " for " + Bounded.show(text));
    }

    static JsonNode readAnswer(String answer, String input) {
        try {
            return REFERENCE.readTree(answer);
        } catch (Exception e) {
            throw new AssertionError("answer " + answer + " to " + Bounded.show(input) + " is not JSON", e);
        }
    }

    static String describe(Object outcome) {
        return outcome instanceof Invalid i ? "error " + i.code() + " (" + i.getMessage() + ")" : String.valueOf(outcome);
    }

    /** Equal trees, numbers compared by exact value (1.50 = 1.5) and a non-finite double equal to nothing. */
    static boolean sameValue(JsonNode expected, JsonNode actual) {
        if (expected == null || actual == null) {
            return expected == actual;
        }
        return expected.equals(SAME_NUMBER, actual);
    }

    static final Comparator<JsonNode> SAME_NUMBER = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            BigDecimal x = exact(a);
            BigDecimal y = exact(b);
            return x != null && y != null && x.compareTo(y) == 0 ? 0 : 1;
        }
        return a.equals(b) ? 0 : 1;
    };

    static BigDecimal exact(JsonNode n) {
        if ((n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) {
            return null;
        }
        return n.decimalValue();
    }

    // ---------------------------------------------------------------- a JSON model that can also say wrong things

    /** A JSON text built piece by piece, so that it can hold what a tree cannot: duplicate names, odd number forms. */
    interface J {
        void write(StringBuilder sb);

        default String text() {
            StringBuilder sb = new StringBuilder();
            write(sb);
            return sb.toString();
        }
    }

    record Lit(String literal) implements J {
        public void write(StringBuilder sb) {
            sb.append(literal);
        }
    }

    record Str(String value, boolean escapeNonAscii) implements J {
        public void write(StringBuilder sb) {
            sb.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20 || (escapeNonAscii && c > 0x7e) || Character.isSurrogate(c)) {
                            sb.append(String.format("\\u%04X", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }

    record Arr(List<J> items) implements J {
        public void write(StringBuilder sb) {
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                items.get(i).write(sb);
            }
            sb.append(']');
        }
    }

    record Obj(List<Map.Entry<String, J>> members) implements J {
        public void write(StringBuilder sb) {
            sb.append('{');
            for (int i = 0; i < members.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                new Str(members.get(i).getKey(), false).write(sb);
                sb.append(':');
                members.get(i).getValue().write(sb);
            }
            sb.append('}');
        }
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<String> soup() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("{}[]\":,0123456789.eE+-truefalsn \\/u\t\n").ofMaxLength(60),
                Arbitraries.of("\"id\"", "\"method\"", "\"params\"", "\"jsonrpc\"", "\"2.0\"", "{", "}", "[", "]", ":", ",",
                                "1", "-0", "1e400", "null", "\"\\u0000\"", "\"\\ud800\"", " ")
                        .list().ofMaxSize(24).map(parts -> String.join("", parts)));
    }

    static Arbitrary<String> unicodeText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12),
                Arbitraries.strings().all().ofMaxLength(12),
                Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMaxLength(4),
                Arbitraries.strings().withChars("\u00e9\u4e2d\u202e\u200b\ufeff\ud83d\ude00\ud800\udc00").ofMaxLength(6),
                Arbitraries.of("joinRoom", "ping", "publishVideo", "connect", "", "tok_abc", "con_1"));
    }

    static Arbitrary<J> strings() {
        return Combinators.combine(unicodeText(), Arbitraries.of(true, false)).as(Str::new);
    }

    static Arbitrary<String> digits(int min, int max) {
        return Arbitraries.strings().withCharRange('0', '9').ofMinLength(min).ofMaxLength(max);
    }

    static Arbitrary<J> numbers() {
        return Arbitraries.frequencyOf(
                of(3, Arbitraries.integers().map(String::valueOf)),
                of(2, Arbitraries.longs().map(String::valueOf)),
                of(2, anyDouble().map(String::valueOf)),
                // long integers around and past the number-length limit
                of(2, Combinators.combine(Arbitraries.of("", "-"), Arbitraries.integers().between(1, 9),
                        digits(0, 45)).as((sign, lead, rest) -> sign + lead + rest)),
                // fractions and exponents, including ones no double holds (1e400) or no BigDecimal holds
                of(3, Combinators.combine(Arbitraries.of("", "-"), digits(1, 3), Arbitraries.of("", ".5", ".25", ".10"),
                        Arbitraries.of("e", "E", "e+", "E-"), Arbitraries.oneOf(digits(1, 4),
                                Arbitraries.of("400", "308", "309", "324", "2147483647", "2147483648", "9999999999")))
                        .as((sign, m, f, e, x) -> sign + m + f + e + x)),
                of(1, Arbitraries.of("-0", "0.0", "-0.0", "0e0", "1.0", "1.9999999999999999999", "01", "1.", ".5", "+1",
                        "NaN", "Infinity", "0x10")))
                .map(Lit::new);
    }

    /** Any finite double, from its bits (jqwik's own double generator is slow to shrink on Java 17). */
    static Arbitrary<Double> anyDouble() {
        return Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite);
    }

    static Arbitrary<J> scalars() {
        return Arbitraries.frequencyOf(
                of(1, Arbitraries.of("null", "true", "false").map(Lit::new)),
                of(3, numbers()),
                of(3, strings()));
    }

    static Arbitrary<String> keys() {
        return Arbitraries.oneOf(Arbitraries.of("id", "method", "params", "jsonrpc", "token", "session", "a"), unicodeText());
    }

    static Arbitrary<J> containers(Arbitrary<J> inner) {
        return Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(Arr::new),
                Combinators.combine(keys(), inner).as(Map::entry).list().ofMaxSize(4)
                        .map(members -> new Obj(List.copyOf(members))));
    }

    @Provide
    Arbitrary<J> values() {
        return Arbitraries.recursive(JsonRpcFuzzTest::scalars, JsonRpcFuzzTest::containers, 0, 4);
    }

    /** A request's members, each possibly absent, of the right or a wrong type, plus extras, in any order. */
    @Provide
    Arbitrary<J> requests() {
        Arbitrary<J> anything = values();
        Arbitrary<Optional<J>> version = Arbitraries.frequencyOf(
                of(6, Arbitraries.just(Optional.of(new Str("2.0", false)))),
                of(2, Arbitraries.just(Optional.empty())),
                of(2, anything.map(Optional::of)));
        Arbitrary<Optional<J>> id = Arbitraries.frequencyOf(
                of(3, Arbitraries.integers().between(0, 1000).map(i -> Optional.of(new Lit(String.valueOf(i))))),
                of(2, numbers().map(Optional::of)),
                of(2, strings().map(Optional::of)),
                of(1, Arbitraries.just(Optional.of(new Lit("null")))),
                of(1, Arbitraries.just(Optional.empty())),
                of(2, anything.map(Optional::of)));
        Arbitrary<Optional<J>> method = Arbitraries.frequencyOf(
                of(6, strings().map(Optional::of)),
                of(1, Arbitraries.just(Optional.empty())),
                of(2, anything.map(Optional::of)));
        Arbitrary<Optional<J>> params = Arbitraries.frequencyOf(
                of(5, containers(anything).filter(j -> j instanceof Obj).map(Optional::of)),
                of(1, Arbitraries.just(Optional.empty())),
                of(1, Arbitraries.just(Optional.of(new Lit("null")))),
                of(2, anything.map(Optional::of)));
        Arbitrary<List<Map.Entry<String, J>>> extras =
                Combinators.combine(keys(), anything).as(Map::entry).list().ofMaxSize(2);
        Arbitrary<Boolean> duplicate = Arbitraries.frequencyOf(of(1, Arbitraries.just(true)), of(9, Arbitraries.just(false)));
        return Combinators.combine(version, id, method, params, extras, duplicate, anything)
                .as((v, i, m, p, x, dup, other) -> {
                    List<Map.Entry<String, J>> members = new ArrayList<>();
                    v.ifPresent(j -> members.add(Map.entry("jsonrpc", j)));
                    i.ifPresent(j -> members.add(Map.entry("id", j)));
                    m.ifPresent(j -> members.add(Map.entry("method", j)));
                    p.ifPresent(j -> members.add(Map.entry("params", j)));
                    members.addAll(x);
                    if (dup && !members.isEmpty()) {
                        members.add(Map.entry(members.get(0).getKey(), other));
                    }
                    return members;
                })
                .flatMap(Arbitraries::shuffle)
                .map(members -> (J) new Obj(List.copyOf(members)));
    }

    /** Well-formed requests only: the right types everywhere, distinct names. */
    @Provide
    Arbitrary<J> validRequests() {
        Arbitrary<J> paramValue = Arbitraries.recursive(
                () -> Arbitraries.oneOf(Arbitraries.of("null", "true", "false").map(Lit::new), strings(),
                        Arbitraries.integers().map(i -> (J) new Lit(String.valueOf(i))),
                        anyDouble().map(d -> (J) new Lit(String.valueOf(d))),
                        Arbitraries.of("1e400", "-2.50", "123456789012345678901234567890", "1.9999999999999999999")
                                .map(Lit::new)),
                inner -> Arbitraries.oneOf(inner.list().ofMaxSize(3).map(Arr::new),
                        Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6), inner).ofMaxSize(3)
                                .map(m -> new Obj(List.copyOf(m.entrySet())))),
                0, 3);
        Arbitrary<J> params = Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8), paramValue)
                .ofMaxSize(5).map(m -> new Obj(List.copyOf(m.entrySet())));
        Arbitrary<Optional<J>> id = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 100_000).map(i -> Optional.of(new Lit(String.valueOf(i)))),
                Arbitraries.of("1.5", "1e400", "-7", "18446744073709551616").map(s -> Optional.of(new Lit(s))),
                strings().map(Optional::of),
                Arbitraries.just(Optional.empty()));
        Arbitrary<J> method = Combinators.combine(unicodeText().filter(s -> !s.isEmpty()), Arbitraries.of(true, false))
                .as(Str::new);
        return Combinators.combine(id, method, params, Arbitraries.of(true, false)).as((i, m, p, withVersion) -> {
            List<Map.Entry<String, J>> members = new ArrayList<>();
            if (withVersion) {
                members.add(Map.entry("jsonrpc", new Str("2.0", false)));
            }
            i.ifPresent(j -> members.add(Map.entry("id", j)));
            members.add(Map.entry("method", m));
            members.add(Map.entry("params", p));
            return (J) new Obj(members);
        });
    }

    /** Requests whose params nest arrays and objects around the depth limit. */
    @Provide
    Arbitrary<J> deepRequests() {
        return Combinators.combine(Arbitraries.integers().between(MAX_DEPTH - 4, MAX_DEPTH + 8),
                Arbitraries.of(true, false).list().ofSize(MAX_DEPTH + 8), scalars()).as((depth, kinds, leaf) -> {
            J inner = leaf;
            // the request object and params take two levels
            for (int i = 0; i < depth - 2; i++) {
                inner = kinds.get(i) ? new Arr(List.of(inner)) : new Obj(List.of(Map.entry("k", inner)));
            }
            return (J) new Obj(List.of(Map.entry("id", new Lit("1")), Map.entry("method", new Str("ping", false)),
                    Map.entry("params", new Obj(List.of(Map.entry("deep", inner))))));
        });
    }

    /** A change to a request's text: cut it, flip a bit of one of its UTF-8 bytes, or insert or drop a character. */
    interface Mutation {
        String apply(String text);
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Double> where = Arbitraries.integers().between(0, 10_000).map(i -> i / 10_000.0);
        return Arbitraries.oneOf(
                where.map(w -> (Mutation) text -> text.substring(0, (int) (w * text.length()))),
                Combinators.combine(where, Arbitraries.integers().between(0, 7)).as((w, bit) -> (Mutation) text -> {
                    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                    int i = Math.min(bytes.length - 1, (int) (w * bytes.length));
                    bytes[i] ^= (byte) (1 << bit);
                    return new String(bytes, StandardCharsets.UTF_8);
                }),
                Combinators.combine(where, Arbitraries.chars().with("{}[]\":,\\0-e.\u0000\u00ff"))
                        .as((w, c) -> (Mutation) text -> {
                            int i = (int) (w * text.length());
                            return text.substring(0, i) + c + text.substring(i);
                        }),
                where.map(w -> (Mutation) text -> {
                    int i = Math.min(text.length() - 1, (int) (w * text.length()));
                    return text.substring(0, i) + text.substring(i + 1);
                }),
                Arbitraries.of(" ", "}", "{}", " x", "\u0000", "\n{\"id\":2}").map(tail -> (Mutation) text -> text + tail));
    }
}
