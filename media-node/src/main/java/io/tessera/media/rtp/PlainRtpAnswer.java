package io.tessera.media.rtp;

import java.util.List;

/** Writes the SDP answers of the plain RTP engine: the node's public address and the endpoint's port pair. */
final class PlainRtpAnswer {
    private PlainRtpAnswer() {
    }

    /**
     * @param direction {@code recvonly} for a publisher's endpoint (the node receives), {@code sendonly} for a subscriber's
     * @param ssrcAttributes {@code a=ssrc:} values to announce (the publisher's, in a subscriber's answer)
     */
    static String build(String publicAddress, long sessionVersion, String media, int rtpPort,
                        List<PlainRtpOffer.Format> formats, String direction, List<String> ssrcAttributes) {
        StringBuilder sdp = new StringBuilder(256)
                .append("v=0\r\n")
                .append("o=tessera ").append(sessionVersion).append(" 1 IN IP4 ").append(publicAddress).append("\r\n")
                .append("s=Tessera\r\n")
                .append("c=IN IP4 ").append(publicAddress).append("\r\n")
                .append("t=0 0\r\n")
                .append("m=").append(media).append(' ').append(rtpPort).append(" RTP/AVP");
        for (PlainRtpOffer.Format format : formats) {
            sdp.append(' ').append(format.payloadType());
        }
        sdp.append("\r\n").append("a=rtcp:").append(rtpPort + 1).append("\r\n");
        for (PlainRtpOffer.Format format : formats) {
            sdp.append("a=rtpmap:").append(format.rtpmapValue()).append("\r\n");
            if (format.fmtp() != null && !format.fmtp().isEmpty()) {
                sdp.append("a=fmtp:").append(format.payloadType()).append(' ').append(format.fmtp()).append("\r\n");
            }
        }
        for (String ssrc : ssrcAttributes) {
            sdp.append("a=ssrc:").append(ssrc).append("\r\n");
        }
        sdp.append("a=").append(direction).append("\r\n");
        return sdp.toString();
    }
}
