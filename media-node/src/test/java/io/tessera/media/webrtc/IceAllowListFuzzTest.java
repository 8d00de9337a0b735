package io.tessera.media.webrtc;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the candidate allow-list against generated addresses, prefixes and candidate lines. */
class IceAllowListFuzzTest {

    @Property(tries = 500)
    void anIpv4AddressIsInsideABlockExactlyWhenItsLeadingBitsMatch(@ForAll("ipv4") byte[] network,
                                                                   @ForAll @IntRange(min = 0, max = 32) int prefix,
                                                                   @ForAll("ipv4") byte[] address)
            throws UnknownHostException {
        IceAllowList list = IceAllowList.parse(InetAddress.getByAddress(network).getHostAddress() + "/" + prefix);
        assertEquals(sameLeadingBits(network, address, prefix),
                list.allowsAddress(InetAddress.getByAddress(address).getHostAddress()));
    }

    @Property(tries = 500)
    void anIpv6AddressIsInsideABlockExactlyWhenItsLeadingBitsMatch(@ForAll("ipv6") byte[] network,
                                                                   @ForAll @IntRange(min = 0, max = 128) int prefix,
                                                                   @ForAll("ipv6") byte[] address)
            throws UnknownHostException {
        IceAllowList list = IceAllowList.parse(InetAddress.getByAddress(network).getHostAddress() + "/" + prefix);
        String text = InetAddress.getByAddress(address).getHostAddress();
        assertEquals(sameLeadingBits(network, address, prefix), list.allowsAddress(text), text);
    }

    @Property(tries = 300)
    void aBlockAlwaysContainsItsOwnNetwork(@ForAll("ipv6") byte[] network, @ForAll @IntRange(max = 128) int prefix)
            throws UnknownHostException {
        String address = InetAddress.getByAddress(network).getHostAddress();
        assertTrue(IceAllowList.parse(address + "/" + prefix).allowsAddress(address));
    }

    @Property(tries = 300)
    void filteringKeepsExactlyTheAllowedCandidatesAndEveryOtherLine(@ForAll("sdpLines") List<String> lines,
                                                                    @ForAll boolean crlf) {
        String end = crlf ? "\r\n" : "\n";
        StringBuilder sdp = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (String line : lines) {
            sdp.append(line).append(end);
            if (!line.startsWith("a=candidate:") || line.contains(" 127.0.0.1 ") || line.contains(" ::1 ")) {
                expected.append(line).append(end);
            }
        }
        IceAllowList loopback = IceAllowList.loopback();
        String filtered = loopback.filterSdp(sdp.toString());
        assertEquals(expected.toString(), filtered);
        assertEquals(filtered, loopback.filterSdp(filtered), "filtering twice changes nothing");
    }

    @Property(tries = 300)
    void namesAreNeverAllowed(@ForAll("hostNames") String name) {
        assertFalse(IceAllowList.any().allowsCandidate("candidate:1 1 udp 2122260223 " + name + " 5000 typ host"),
                name);
    }

    @Provide
    Arbitrary<byte[]> ipv4() {
        return Arbitraries.bytes().array(byte[].class).ofSize(4);
    }

    @Provide
    Arbitrary<byte[]> ipv6() {
        // keep clear of IPv4-mapped addresses, which the JDK turns into IPv4 ones
        return Arbitraries.bytes().array(byte[].class).ofSize(16).filter(bytes -> bytes[0] != 0);
    }

    @Provide
    Arbitrary<List<String>> sdpLines() {
        Arbitrary<String> candidate = Arbitraries.of("127.0.0.1", "::1", "192.0.2.2", "fd00::2", "x.local", "10.0.0.1")
                .map(address -> "a=candidate:1 1 udp 2122260223 " + address + " 40000 typ host generation 0");
        Arbitrary<String> other = Arbitraries.of("v=0", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:0",
                "a=end-of-candidates", "c=IN IP4 0.0.0.0", "a=rtpmap:111 opus/48000/2");
        return Arbitraries.oneOf(candidate, other).list().ofMaxSize(20);
    }

    @Provide
    Arbitrary<String> hostNames() {
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('-')
                .ofMinLength(1).ofMaxLength(12).filter(text -> Character.isLetter(text.charAt(0)));
        return label.list().ofMinSize(1).ofMaxSize(4).map(labels -> String.join(".", labels))
                .flatMap(name -> Arbitraries.of(name, name + ".local"));
    }

    private static boolean sameLeadingBits(byte[] a, byte[] b, int bits) {
        for (int bit = 0; bit < bits; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
