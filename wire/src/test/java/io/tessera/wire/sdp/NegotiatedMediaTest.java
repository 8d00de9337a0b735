package io.tessera.wire.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NegotiatedMediaTest {

    /** The shape of Janus 1.1's answer to a browser publisher: audio, video and a rejected data channel. */
    private static final String JANUS_ANSWER = String.join("\r\n",
            "v=0",
            "o=- 1 2 IN IP4 127.0.0.2",
            "s=VideoRoom 1",
            "t=0 0",
            "a=group:BUNDLE 0 1",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 127.0.0.2",
            "a=recvonly",
            "a=mid:0",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=fmtp:111 useinbandfec=1",
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
            "c=IN IP4 127.0.0.2",
            "a=recvonly",
            "a=mid:1",
            "a=rtpmap:96 VP8/90000",
            "a=rtcp-fb:96 nack pli",
            "a=rtpmap:97 rtx/90000",
            "a=fmtp:97 apt=96",
            "m=application 0 UDP/DTLS/SCTP webrtc-datachannel",
            "a=mid:2",
            "");

    @Test
    void readsTheAcceptedAudioAndVideoWithTheirMidAndCodec() {
        List<NegotiatedMedia> media = NegotiatedMedia.read(JANUS_ANSWER);
        assertEquals(List.of(
                new NegotiatedMedia("audio", "0", new RtpFormat(111, "opus", 48000, "2", "useinbandfec=1")),
                new NegotiatedMedia("video", "1", new RtpFormat(96, "VP8", 90000, null, null))), media);
        assertEquals("1", NegotiatedMedia.first(media, "video").orElseThrow().mid());
    }

    @Test
    void rejectedAndUnnamedSectionsAreLeftOut() {
        String rejectedVideo = JANUS_ANSWER.replace("m=video 9 ", "m=video 0 ");
        assertEquals(List.of("audio"), NegotiatedMedia.read(rejectedVideo).stream().map(NegotiatedMedia::kind).toList());
        String noMid = JANUS_ANSWER.replace("a=mid:0\r\n", "");
        assertEquals(List.of("video"), NegotiatedMedia.read(noMid).stream().map(NegotiatedMedia::kind).toList());
        assertTrue(NegotiatedMedia.first(NegotiatedMedia.read(rejectedVideo), "video").isEmpty());
    }

    @Test
    void aStaticPayloadTypeNeedsNoRtpmap() {
        String pcmu = JANUS_ANSWER.replace("m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=audio 9 UDP/TLS/RTP/SAVPF 0");
        assertEquals("PCMU", NegotiatedMedia.first(NegotiatedMedia.read(pcmu), "audio").orElseThrow()
                .format().encoding());
    }

    @Test
    void malformedTextIsRefused() {
        assertThrows(SdpException.class, () -> NegotiatedMedia.read("not sdp"));
    }
}
