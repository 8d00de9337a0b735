package io.tessera.media.webrtc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IceAllowListTest {
    private final IceAllowList loopback = IceAllowList.loopback();

    @Test
    void loopbackCandidatesPassOthersDoNot() {
        assertTrue(loopback.allowsCandidate("candidate:1 1 udp 2122260223 127.0.0.1 54400 typ host generation 0"));
        assertTrue(loopback.allowsCandidate("a=candidate:1 1 UDP 2122260223 127.3.4.5 9 typ host"));
        assertTrue(loopback.allowsCandidate("candidate:2 1 udp 2122262783 ::1 40000 typ host"));
        // the addresses Chromium offers on this kind of machine besides loopback
        assertFalse(loopback.allowsCandidate("candidate:3 1 udp 2122194687 192.0.2.2 50001 typ host"));
        assertFalse(loopback.allowsCandidate("candidate:4 1 udp 2122197247 fd00::2 50002 typ host"));
        // mDNS names are never resolved, always dropped
        assertFalse(loopback.allowsCandidate(
                "candidate:5 1 udp 2122260223 2d3bd1a4-5e0b-4a55-9e3d-0c1a7f3f6a0e.local 50003 typ host"));
        assertFalse(IceAllowList.any().allowsCandidate(
                "candidate:5 1 udp 2122260223 2d3bd1a4-5e0b-4a55-9e3d-0c1a7f3f6a0e.local 50003 typ host"));
    }

    @Test
    void malformedCandidatesAreRefused() {
        assertFalse(loopback.allowsCandidate(null));
        assertFalse(loopback.allowsCandidate(""));
        assertFalse(loopback.allowsCandidate("candidate:1 1 udp 2122260223 127.0.0.1"));
        assertFalse(loopback.allowsCandidate("candidate:1 1 udp 2122260223 127.0.0.1 5 host"));
        assertFalse(loopback.allowsCandidate("a=ice-ufrag:abcd"));
        assertFalse(loopback.allowsCandidate("candidate:1 1 udp 1 127.0.0.256 5 typ host"));
        assertFalse(loopback.allowsCandidate("candidate:1 1 udp 1 localhost 5 typ host"));
        assertFalse(loopback.allowsCandidate("candidate:1 1 udp 1 .:: 5 typ host"));
    }

    @Test
    void cidrBlocksOfBothFamilies() {
        IceAllowList list = IceAllowList.parse(" 10.0.0.0/8, 192.168.1.128/25 ,2001:db8::/32, 203.0.113.7");
        assertTrue(list.allowsAddress("10.255.0.1"));
        assertFalse(list.allowsAddress("11.0.0.1"));
        assertTrue(list.allowsAddress("192.168.1.200"));
        assertFalse(list.allowsAddress("192.168.1.127"));
        assertTrue(list.allowsAddress("2001:db8:1::5"));
        assertTrue(list.allowsAddress("[2001:db8::5]"));
        assertTrue(list.allowsAddress("2001:db8::5%eth0"));
        assertFalse(list.allowsAddress("2001:db9::5"));
        assertTrue(list.allowsAddress("203.0.113.7"));
        assertFalse(list.allowsAddress("203.0.113.8"));
        assertTrue(IceAllowList.parse("0.0.0.0/0").allowsAddress("8.8.8.8"));
        assertFalse(IceAllowList.parse("0.0.0.0/0").allowsAddress("::1"));
    }

    @Test
    void badListsNameTheEntry() {
        IllegalArgumentException notCidr = assertThrows(IllegalArgumentException.class,
                () -> IceAllowList.parse("127.0.0.0/8,example.com/24"));
        assertTrue(notCidr.getMessage().contains("'example.com/24'"), notCidr.getMessage());
        IllegalArgumentException prefix = assertThrows(IllegalArgumentException.class,
                () -> IceAllowList.parse("10.0.0.0/33"));
        assertTrue(prefix.getMessage().contains("0-32"), prefix.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IceAllowList.parse("::1/129"));
        assertThrows(IllegalArgumentException.class, () -> IceAllowList.parse(" , "));
        assertThrows(IllegalArgumentException.class, () -> IceAllowList.parse("10.0.0.0/-1"));
    }

    @Test
    void sdpKeepsEverythingButRefusedCandidates() {
        String sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
                + "a=candidate:1 1 udp 2122260223 127.0.0.1 40001 typ host generation 0\r\n"
                + "a=candidate:2 1 udp 2122194687 192.0.2.2 40002 typ host generation 0\r\n"
                + "a=candidate:3 1 udp 2122197247 fd00::2 40003 typ host generation 0\r\n"
                + "a=candidate:4 1 udp 2122260223 abc.local 40004 typ host generation 0\r\n"
                + "a=end-of-candidates\r\n"
                + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                + "a=candidate:1 1 udp 2122260223 127.0.0.1 40001 typ host generation 0\r\n"
                + "a=candidate:2 1 udp 2122194687 192.0.2.2 40002 typ host generation 0";
        String expected = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
                + "a=candidate:1 1 udp 2122260223 127.0.0.1 40001 typ host generation 0\r\n"
                + "a=end-of-candidates\r\n"
                + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                + "a=candidate:1 1 udp 2122260223 127.0.0.1 40001 typ host generation 0\r\n";
        assertEquals(expected, loopback.filterSdp(sdp));
        String lf = sdp.replace("\r\n", "\n");
        assertEquals(expected.replace("\r\n", "\n"), loopback.filterSdp(lf));
    }

    @Test
    void environmentDefaultsToAnyAddress() {
        assertTrue(IceAllowList.fromEnvironment(java.util.Map.of()).allowsAddress("203.0.113.1"));
        IceAllowList configured = IceAllowList.fromEnvironment(java.util.Map.of(IceAllowList.ENV, "127.0.0.0/8"));
        assertTrue(configured.allowsAddress("127.0.0.2"));
        assertFalse(configured.allowsAddress("203.0.113.1"));
    }

    @Test
    void candidateAddressField() {
        assertEquals("127.0.0.1", IceAllowList.candidateAddress(
                "candidate:842163049 1 udp 1677729535 127.0.0.1 3478 typ srflx raddr 0.0.0.0 rport 0").orElseThrow());
        assertTrue(IceAllowList.candidateAddress("candidate:1 1 tcp 1 ::1 9 active typ host").isEmpty());
    }
}
