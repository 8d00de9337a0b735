package io.tessera.wire.sdp;

/**
 * One payload format of an RTP media section: its {@code a=rtpmap} plus optional {@code a=fmtp} parameters.
 *
 * @param encodingParameters what follows the clock rate in {@code a=rtpmap} (audio channels), or null
 * @param fmtp               the {@code a=fmtp} parameters, or null
 */
public record RtpFormat(int payloadType, String encoding, int clockRate, String encodingParameters, String fmtp) {

    public boolean sameCodec(RtpFormat other) {
        return encoding.equalsIgnoreCase(other.encoding) && clockRate == other.clockRate;
    }

    /** The value of its {@code a=rtpmap:} line. */
    public String rtpmapValue() {
        return payloadType + " " + encoding + "/" + clockRate + (encodingParameters == null ? "" : "/" + encodingParameters);
    }

    /** A format with a static payload type (RFC 3551), which may omit a=rtpmap; null for other payload types. */
    static RtpFormat staticFormat(int pt, String fmtp) {
        return switch (pt) {
            case 0 -> new RtpFormat(0, "PCMU", 8000, null, fmtp);
            case 8 -> new RtpFormat(8, "PCMA", 8000, null, fmtp);
            case 26 -> new RtpFormat(26, "JPEG", 90000, null, fmtp);
            case 32 -> new RtpFormat(32, "MPV", 90000, null, fmtp);
            case 34 -> new RtpFormat(34, "H263", 90000, null, fmtp);
            default -> null;
        };
    }
}
