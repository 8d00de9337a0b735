package io.tessera.wire.sdp;

import java.util.List;

/** What the offer and the answer of the plain RTP dialect share: the profile, the media section, numbers. */
final class PlainRtp {

    static final String PROFILE = "RTP/AVP";

    private PlainRtp() {
    }

    /** The media section: m=, a=rtcp, a=rtpmap and a=fmtp per format, a=ssrc, then the direction. */
    static String write(SdpWriter sdp, String media, int rtpPort, int rtcpPort, List<RtpFormat> formats,
                        List<String> ssrcAttributes, Direction direction) {
        StringBuilder m = new StringBuilder(media).append(' ').append(rtpPort).append(' ').append(PROFILE);
        for (RtpFormat format : formats) {
            m.append(' ').append(format.payloadType());
        }
        sdp.line('m', m.toString()).attribute("rtcp", String.valueOf(rtcpPort));
        for (RtpFormat format : formats) {
            sdp.attribute("rtpmap", format.rtpmapValue());
            if (format.fmtp() != null && !format.fmtp().isEmpty()) {
                sdp.attribute("fmtp", format.payloadType() + " " + format.fmtp());
            }
        }
        for (String ssrc : ssrcAttributes) {
            sdp.attribute("ssrc", ssrc);
        }
        return sdp.flag(direction.attribute()).toString();
    }
}
