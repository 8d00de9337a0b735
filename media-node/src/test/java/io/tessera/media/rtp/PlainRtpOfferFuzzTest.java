package io.tessera.media.rtp;

import io.tessera.wire.sdp.Direction;
import io.tessera.wire.sdp.PlainRtpOffer;
import io.tessera.wire.sdp.RtpFormat;
import io.tessera.wire.sdp.SdpException;
import io.tessera.wire.sdp.SdpException.Kind;
import io.tessera.common.fuzz.Bounded;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static net.jqwik.api.Tuple.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property-based tests of {@link PlainRtpOffer#parse}: generated offers read back as the values put in, and any other
 * text - arbitrary, or a valid offer with lines dropped, repeated, swapped, numbers replaced, characters inserted - gives
 * either an offer whose values are sane (they go into sockets and into other participants' SDP answers) or a
 * {@link SdpException} of kind MALFORMED or UNSUPPORTED with a readable message; never another exception, never a
 * hang.
 */
class PlainRtpOfferFuzzTest {

    /** RFC 4566 token characters: what an encoding name may hold. */
    static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+");

    // ---------------------------------------------------------------- properties

    @Property(tries = 1000)
    void generatedOffersReadBackAsWritten(@ForAll("offers") Spec spec) {
        String text = spec.render();
        Object outcome = outcome(text);
        if (spec.rtcpPort() == null && spec.rtpPort() == 65535) {
            // RTCP would default to port 65536
            expectRefused(outcome, Kind.MALFORMED, text);
            return;
        }
        if (!(outcome instanceof PlainRtpOffer offer)) {
            fail("valid offer refused with " + outcome + ": " + Bounded.show(text));
            return;
        }
        checkSane(offer, text);
        assertEquals(spec.media().toLowerCase(), offer.media());
        assertEquals(spec.address(), offer.address().getHostAddress());
        assertEquals(spec.rtpPort(), offer.rtpPort());
        assertEquals(spec.rtcpPort() != null ? spec.rtcpPort() : spec.rtpPort() + 1, offer.rtcpPort());
        assertEquals(spec.expectedFormats(), offer.formats(), () -> "formats of " + Bounded.show(text));
        assertEquals(spec.direction() == null ? Direction.SENDRECV
                : Direction.valueOf(spec.direction().toUpperCase()), offer.direction());
        assertEquals(spec.ssrcs(), offer.ssrcAttributes());
    }

    @Property(tries = 1000)
    void arbitraryText(@ForAll @StringLength(max = 300) String text) {
        check(text);
    }

    @Property(tries = 600)
    void arbitraryBytesDecodedAsUtf8(@ForAll @Size(max = 300) byte[] bytes) {
        check("v=0\n" + new String(bytes, StandardCharsets.UTF_8));
    }

    @Property(tries = 1000)
    void sdpLineSoup(@ForAll("soup") String text) {
        check(text);
    }

    @Property(tries = 1500)
    void mutatedOffers(@ForAll("offers") Spec spec, @ForAll("mutations") List<Mutation> mutations) {
        List<String> lines = new ArrayList<>(spec.lines());
        for (Mutation m : mutations) {
            m.apply(lines);
        }
        check(String.join(spec.eol(), lines) + spec.eol());
    }

    /** Control characters inside a line (a lone CR, NUL, ESC...) never reach the values copied into answers. */
    @Property(tries = 600)
    void controlCharacterInsideALine(@ForAll("offers") Spec spec, @ForAll @IntRange(min = 0, max = 40) int line,
                                     @ForAll @IntRange(min = 0, max = 200) int column,
                                     @ForAll("controlCharacters") char c) {
        List<String> lines = new ArrayList<>(spec.lines());
        int i = line % lines.size();
        String l = lines.get(i);
        int at = Math.min(l.length(), 2 + column % Math.max(1, l.length() - 1));
        lines.set(i, l.substring(0, at) + c + l.substring(at));
        check(String.join(spec.eol(), lines) + spec.eol());
    }

    /** SDP numbers are ASCII digits: other scripts' digits (which Java's isDigit and parseInt take) are refused. */
    @Property(tries = 300)
    void numbersInOtherScriptsAreRefused(@ForAll("offers") Spec spec, @ForAll("unicodeZeros") char zero) {
        String port = String.valueOf(spec.rtpPort());
        StringBuilder foreign = new StringBuilder();
        for (char d : port.toCharArray()) {
            foreign.append((char) (zero + (d - '0')));
        }
        List<String> lines = new ArrayList<>(spec.lines());
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("m=")) {
                lines.set(i, lines.get(i).replaceFirst(" " + port + " ", " " + foreign + " "));
            }
        }
        String text = String.join(spec.eol(), lines) + spec.eol();
        expectRefused(outcome(text), Kind.MALFORMED, text);
    }

    // ---------------------------------------------------------------- the checks

    static Object outcome(String text) {
        return Bounded.outcome(() -> PlainRtpOffer.parse(text), text);
    }

    static void check(String text) {
        Object outcome = outcome(text);
        if (outcome instanceof PlainRtpOffer offer) {
            checkSane(offer, text);
        } else if (outcome instanceof SdpException e) {
            assertTrue(e.kind() == Kind.MALFORMED || e.kind() == Kind.UNSUPPORTED, () -> e.kind() + " for "
                    + Bounded.show(text));
            checkMessage(e, text);
        } else {
            fail("PlainRtpOffer.parse threw " + outcome + " on " + Bounded.show(text), (Throwable) outcome);
        }
    }

    static void expectRefused(Object outcome, Kind kind, String text) {
        if (!(outcome instanceof SdpException e)) {
            fail("expected " + kind + " but got " + outcome + " for " + Bounded.show(text),
                    outcome instanceof Throwable t ? t : null);
            return;
        }
        assertEquals(kind, e.kind(), () -> e.getMessage() + " for " + Bounded.show(text));
        checkMessage(e, text);
    }

    static void checkMessage(SdpException e, String text) {
        String message = e.getMessage();
        assertTrue(message != null && !message.isBlank(), () -> "no message for " + Bounded.show(text));
        assertTrue(message.length() < 300, () -> "message of " + message.length() + " chars for " + Bounded.show(text));
        assertTrue(noControl(message), () -> "control character in message " + Bounded.show(message));
    }

    /** What the engine relies on: values it puts into sockets and copies into other participants' SDP answers. */
    static void checkSane(PlainRtpOffer offer, String text) {
        String where = " in offer read from " + Bounded.show(text);
        assertTrue(offer.media().equals("video") || offer.media().equals("audio"), "media" + where);
        assertTrue(offer.address() instanceof Inet4Address && !offer.address().isAnyLocalAddress()
                && !offer.address().isMulticastAddress(), "address " + offer.address() + where);
        assertTrue(offer.rtpPort() >= 1 && offer.rtpPort() <= 65535, "rtp port " + offer.rtpPort() + where);
        assertTrue(offer.rtcpPort() >= 1 && offer.rtcpPort() <= 65535, "rtcp port " + offer.rtcpPort() + where);
        offer.rtpAddress();
        offer.rtcpAddress();
        assertTrue(!offer.formats().isEmpty() && offer.formats().size() <= PlainRtpOffer.MAX_FORMATS, "formats" + where);
        Set<Integer> payloadTypes = new HashSet<>();
        for (RtpFormat f : offer.formats()) {
            assertTrue(f.payloadType() >= 0 && f.payloadType() <= 127, "payload type " + f.payloadType() + where);
            assertTrue(payloadTypes.add(f.payloadType()), "payload type " + f.payloadType() + " twice" + where);
            assertTrue(TOKEN.matcher(f.encoding()).matches(), "encoding " + Bounded.show(f.encoding()) + where);
            assertTrue(f.clockRate() > 0, "clock rate" + where);
            assertTrue(f.encodingParameters() == null || TOKEN.matcher(f.encodingParameters()).matches(),
                    "encoding parameters " + f.encodingParameters() + where);
            assertTrue(f.fmtp() == null || noControl(f.fmtp()), "fmtp " + Bounded.show(String.valueOf(f.fmtp())) + where);
        }
        assertTrue(offer.ssrcAttributes().size() <= PlainRtpOffer.MAX_FORMATS, "ssrc count" + where);
        for (String ssrc : offer.ssrcAttributes()) {
            assertTrue(noControl(ssrc), "ssrc " + Bounded.show(ssrc) + where);
        }
        assertTrue(offer.direction() != null, "direction" + where);
    }

    static boolean noControl(String s) {
        return s.chars().noneMatch(Character::isISOControl);
    }

    // ---------------------------------------------------------------- a valid offer, as values and as text

    record Fmt(int payloadType, String encoding, int clockRate, String channels, String fmtp, boolean withRtpmap) {
        RtpFormat expected() {
            return withRtpmap ? new RtpFormat(payloadType, encoding, clockRate, channels, fmtp)
                    : new RtpFormat(payloadType, STATIC.get(payloadType).encoding(),
                    STATIC.get(payloadType).clockRate(), null, fmtp);
        }
    }

    static final java.util.Map<Integer, RtpFormat> STATIC = java.util.Map.of(
            0, new RtpFormat(0, "PCMU", 8000, null, null),
            8, new RtpFormat(8, "PCMA", 8000, null, null),
            26, new RtpFormat(26, "JPEG", 90000, null, null),
            32, new RtpFormat(32, "MPV", 90000, null, null),
            34, new RtpFormat(34, "H263", 90000, null, null));

    record Spec(String media, String address, String ttl, boolean mediaLevelConnection, int rtpPort, Integer rtcpPort,
                List<Fmt> formats, String direction, boolean sessionLevelDirection, List<String> ssrcs, String eol) {

        List<RtpFormat> expectedFormats() {
            return formats.stream().map(Fmt::expected).toList();
        }

        List<String> lines() {
            List<String> l = new ArrayList<>();
            String c = "c=IN IP4 " + address + ttl;
            l.add("v=0");
            l.add("o=- 4242 1 IN IP4 127.0.0.1");
            l.add("s=Fuzz \u00e9t\u00e9");
            if (!mediaLevelConnection) {
                l.add(c);
            }
            l.add("t=0 0");
            l.add("a=tool:libavformat 60.16.100");
            if (direction != null && sessionLevelDirection) {
                l.add("a=" + direction);
            }
            StringBuilder m = new StringBuilder("m=" + media + " " + rtpPort + " RTP/AVP");
            formats.forEach(f -> m.append(' ').append(f.payloadType()));
            l.add(m.toString());
            if (mediaLevelConnection) {
                l.add(c);
            }
            l.add("b=AS:2000");
            if (rtcpPort != null) {
                l.add("a=rtcp:" + rtcpPort);
            }
            for (Fmt f : formats) {
                if (f.withRtpmap()) {
                    l.add("a=rtpmap:" + f.payloadType() + " " + f.encoding() + "/" + f.clockRate()
                            + (f.channels() == null ? "" : "/" + f.channels()));
                }
                if (f.fmtp() != null) {
                    l.add("a=fmtp:" + f.payloadType() + " " + f.fmtp());
                }
            }
            ssrcs.forEach(s -> l.add("a=ssrc:" + s));
            if (direction != null && !sessionLevelDirection) {
                l.add("a=" + direction);
            }
            return l;
        }

        String render() {
            return String.join(eol, lines()) + eol;
        }
    }

    // ---------------------------------------------------------------- generators

    static Arbitrary<Fmt> formats() {
        Arbitrary<String> encoding = Arbitraries.oneOf(Arbitraries.of("VP8", "H264", "opus", "PCMU", "L16", "x-Foo.bar"),
                Arbitraries.strings().withCharRange('A', 'Z').withCharRange('a', 'z').withCharRange('0', '9')
                        .withChars("-_.").ofMinLength(1).ofMaxLength(12));
        Arbitrary<String> fmtp = Arbitraries.oneOf(Arbitraries.just(null),
                Arbitraries.of("packetization-mode=1;profile-level-id=42e01f", "minptime=10; useinbandfec=1", "apt=96"),
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(30)
                        .map(String::trim).filter(s -> !s.isEmpty()));
        Arbitrary<Fmt> dynamic = Builders.withBuilder(() -> new Object[6])
                .use(Arbitraries.integers().between(0, 127)).in((a, pt) -> set(a, 0, pt))
                .use(encoding).in((a, e) -> set(a, 1, e))
                .use(Arbitraries.integers().between(1, 999_999_999)).in((a, r) -> set(a, 2, r))
                .use(Arbitraries.of("1", "2", "8").injectNull(0.7)).in((a, ch) -> set(a, 3, ch))
                .use(fmtp).in((a, f) -> set(a, 4, f))
                .build(a -> new Fmt((Integer) a[0], (String) a[1], (Integer) a[2], (String) a[3], (String) a[4], true));
        Arbitrary<Fmt> statics = Combinators.combine(Arbitraries.of(0, 8, 26, 32, 34), fmtp)
                .as((pt, f) -> new Fmt(pt, null, 0, null, f, false));
        return Arbitraries.frequencyOf(of(4, dynamic), of(1, statics));
    }

    private static Object[] set(Object[] a, int i, Object v) {
        a[i] = v;
        return a;
    }

    @Provide
    Arbitrary<Spec> offers() {
        Arbitrary<String> address = Combinators.combine(Arbitraries.integers().between(1, 223),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(0, 255)).as((a, b, c, d) -> a + "." + b + "." + c + "." + d);
        Arbitrary<Integer> port = Arbitraries.integers().between(1, 65535);
        Arbitrary<String> ssrc = Combinators.combine(Arbitraries.longs().between(0, 4294967295L),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(10))
                .as((id, cname) -> id + " cname:" + cname);
        return Builders.withBuilder(() -> new Object[11])
                .use(Arbitraries.of("video", "audio", "VIDEO", "Audio")).in((a, v) -> set(a, 0, v))
                .use(address).in((a, v) -> set(a, 1, v))
                .use(Arbitraries.of("", "", "", "/127")).in((a, v) -> set(a, 2, v))
                .use(Arbitraries.of(true, false)).in((a, v) -> set(a, 3, v))
                .use(port).in((a, v) -> set(a, 4, v))
                .use(port.injectNull(0.5)).in((a, v) -> set(a, 5, v))
                .use(formats().list().ofMinSize(1).ofMaxSize(5).uniqueElements(Fmt::payloadType)).in((a, v) -> set(a, 6, v))
                .use(Arbitraries.of("sendrecv", "sendonly", "recvonly", "inactive").injectNull(0.3)).in((a, v) -> set(a, 7, v))
                .use(Arbitraries.of(true, false)).in((a, v) -> set(a, 8, v))
                .use(ssrc.list().ofMaxSize(3)).in((a, v) -> set(a, 9, v))
                .use(Arbitraries.of("\n", "\r\n")).in((a, v) -> set(a, 10, v))
                .build(a -> new Spec((String) a[0], (String) a[1], (String) a[2], (Boolean) a[3], (Integer) a[4],
                        (Integer) a[5], castList(a[6]), (String) a[7], (Boolean) a[8], castList(a[9]), (String) a[10]));
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> castList(Object o) {
        return (List<T>) o;
    }

    @Provide
    Arbitrary<String> soup() {
        Arbitrary<String> line = Arbitraries.of("v=0", "m=video 5000 RTP/AVP 96", "m=audio 65535 RTP/AVP 0 8",
                "m=video 0 RTP/AVP 96", "m=video 5000 RTP/AVPF 96 96", "m=video 5000", "m=", "c=IN IP4 10.0.0.1",
                "c=IN IP4 999.1.1.1", "c=IN IP4 224.0.0.1", "c=IN IP4 1.2.3.4/", "c=IN IP6 ::1", "c=", "c=IN",
                "a=rtpmap:96 VP8/90000", "a=rtpmap:96 /90000", "a=rtpmap:96 VP8/", "a=rtpmap:96", "a=rtpmap:",
                "a=rtpmap:96 VP8/0", "a=rtpmap:300 VP8/90000", "a=fmtp:", "a=fmtp:96", "a=fmtp:x y", "a=rtcp:",
                "a=rtcp:0", "a=rtcp:70000", "a=rtcp:5001 IN IP4 1.2.3.4", "a=ssrc:", "a=sendonly", "a=", "=", "",
                " ", "x", "\u00e9=\u00e9", "t=0 0");
        return Arbitraries.oneOf(
                line.list().ofMaxSize(14).map(l -> String.join("\n", l)),
                line.list().ofMaxSize(14).map(l -> "v=0\r\n" + String.join("\r\n", l)));
    }

    /** One change to an offer's lines. */
    interface Mutation {
        void apply(List<String> lines);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 1000);
        Arbitrary<String> weirdNumber = Arbitraries.oneOf(
                Arbitraries.of("", "-1", "0", "65535", "65536", "128", "127", "999999999", "9999999999",
                        "99999999999999999999", "+5", "1e3", "0x10", "5 5", "\u0665\u0660\u0660\u0660", "\uff15", "5.0",
                        "\u00a05"),
                Arbitraries.strings().numeric().ofMaxLength(12));
        Arbitrary<Mutation> drop = index.map(i -> lines -> {
            if (!lines.isEmpty()) {
                lines.remove(i % lines.size());
            }
        });
        Arbitrary<Mutation> duplicate = index.map(i -> lines -> {
            if (!lines.isEmpty()) {
                lines.add(i % lines.size(), lines.get(i % lines.size()));
            }
        });
        Arbitrary<Mutation> swap = Combinators.combine(index, index).as((i, j) -> lines -> {
            if (!lines.isEmpty()) {
                java.util.Collections.swap(lines, i % lines.size(), j % lines.size());
            }
        });
        // replaces the n-th run of digits in a line with something else
        Arbitrary<Mutation> number = Combinators.combine(index, index, weirdNumber).as((i, n, w) -> lines -> {
            if (lines.isEmpty()) {
                return;
            }
            int at = i % lines.size();
            java.util.regex.Matcher m = Pattern.compile("\\d+").matcher(lines.get(at));
            List<int[]> runs = new ArrayList<>();
            while (m.find()) {
                runs.add(new int[]{m.start(), m.end()});
            }
            if (!runs.isEmpty()) {
                int[] r = runs.get(n % runs.size());
                String l = lines.get(at);
                lines.set(at, l.substring(0, r[0]) + w + l.substring(r[1]));
            }
        });
        Arbitrary<Mutation> insert = Combinators.combine(index, index,
                Arbitraries.oneOf(Arbitraries.strings().ofLength(1), Arbitraries.of("\r", "\u0000", " ", "=", "/", ":",
                        "\u00e9", "\ud83d\ude00", "\u2028", "\u0085"))).as((i, col, s) -> lines -> {
            if (!lines.isEmpty()) {
                int at = i % lines.size();
                String l = lines.get(at);
                int c = col % (l.length() + 1);
                lines.set(at, l.substring(0, c) + s + l.substring(c));
            }
        });
        Arbitrary<Mutation> truncate = Combinators.combine(index, index).as((i, col) -> lines -> {
            if (!lines.isEmpty()) {
                int at = i % lines.size();
                String l = lines.get(at);
                lines.set(at, l.substring(0, col % (l.length() + 1)));
                lines.subList(at + 1, lines.size()).clear();
            }
        });
        Arbitrary<Mutation> lineEndings = Arbitraries.of("\r", "\r\r\n", "\n\n", " \n").map(eol -> lines -> {
            String joined = String.join(eol, lines);
            lines.clear();
            lines.add(joined);
        });
        Arbitrary<Mutation> oversize = Arbitraries.of(PlainRtpOffer.MAX_LINES, PlainRtpOffer.MAX_CHARS / 8)
                .map(n -> lines -> {
                    for (int k = 0; k < n; k++) {
                        lines.add("a=x-filler:" + k);
                    }
                });
        Arbitrary<Mutation> manyFormats = Arbitraries.integers().between(30, 40).map(n -> lines -> {
            for (int k = 0; k < lines.size(); k++) {
                if (lines.get(k).startsWith("m=")) {
                    StringBuilder sb = new StringBuilder(lines.get(k));
                    for (int f = 0; f < n; f++) {
                        sb.append(" 0");
                    }
                    lines.set(k, sb.toString());
                }
            }
        });
        return Arbitraries.frequencyOf(of(3, drop), of(3, duplicate), of(2, swap), of(5, number), of(4, insert),
                        of(1, truncate), of(1, lineEndings), of(1, oversize), of(1, manyFormats))
                .list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<Character> controlCharacters() {
        return Arbitraries.oneOf(Arbitraries.chars().range('\u0000', '\u001f').filter(c -> c != '\n'),
                Arbitraries.of('\u007f', '\u0085'));
    }

    /** The zero digit of scripts other than ASCII (Arabic-Indic, Devanagari, fullwidth...). */
    @Provide
    Arbitrary<Character> unicodeZeros() {
        return Arbitraries.of('\u0660', '\u06f0', '\u0966', '\u09e6', '\u0e50', '\uff10', '\u1040');
    }
}
