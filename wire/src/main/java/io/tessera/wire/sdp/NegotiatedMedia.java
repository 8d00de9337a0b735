package io.tessera.wire.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One media stream a WebRTC answer accepted: its kind, its {@code a=mid} and the codec it settled on (the first
 * payload type of the answer's {@code m=} line, with its {@code a=rtpmap} and {@code a=fmtp}). The media node reads
 * Janus's answer to a browser with it, to forward that stream as plain RTP (the forwarded packets keep the browser's
 * payload type, so a plain RTP subscriber is told that one).
 *
 * @param kind   {@code audio} or {@code video} ({@code application} sections are skipped)
 * @param mid    the section's {@code a=mid}
 * @param format the negotiated codec
 */
public record NegotiatedMedia(String kind, String mid, RtpFormat format) {

    /**
     * The accepted audio and video sections of {@code sdp}, in order; rejected ones (port 0), sections without a
     * mid or without an {@code a=rtpmap} for their first payload type are left out.
     *
     * @throws SdpException (malformed) when the text breaks the rules of {@link SessionDescription#read}
     */
    public static List<NegotiatedMedia> read(String sdp) {
        SessionDescription description = SessionDescription.read(sdp, "SDP answer");
        List<NegotiatedMedia> found = new ArrayList<>();
        for (MediaSection section : description.media()) {
            String[] m = section.mediaFields();
            if (m.length < 4 || !(m[0].equals("audio") || m[0].equals("video")) || m[1].equals("0")) {
                continue;
            }
            String mid = section.attribute("mid");
            if (mid == null || mid.isBlank()) {
                continue;
            }
            formatOf(section, m[3]).ifPresent(format -> found.add(new NegotiatedMedia(m[0], mid.strip(), format)));
        }
        return found;
    }

    /** The first section of this kind, if the answer accepted one. */
    public static Optional<NegotiatedMedia> first(List<NegotiatedMedia> media, String kind) {
        return media.stream().filter(n -> n.kind.equals(kind)).findFirst();
    }

    private static Optional<RtpFormat> formatOf(MediaSection section, String payloadType) {
        int pt;
        try {
            pt = Integer.parseInt(payloadType);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (pt < 0 || pt > 127) {
            return Optional.empty();
        }
        String fmtp = null;
        for (String value : section.attributes("fmtp")) {
            String[] parts = value.split(" ", 2);
            if (parts[0].equals(payloadType) && parts.length == 2) {
                fmtp = parts[1].strip();
            }
        }
        for (String value : section.attributes("rtpmap")) {
            String[] parts = value.split(" ", 2);
            if (!parts[0].equals(payloadType) || parts.length != 2) {
                continue;
            }
            String[] codec = parts[1].strip().split("/");
            if (codec.length < 2) {
                return Optional.empty();
            }
            try {
                return Optional.of(new RtpFormat(pt, codec[0], Integer.parseInt(codec[1]),
                        codec.length > 2 ? codec[2] : null, fmtp));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(RtpFormat.staticFormat(pt, fmtp));
    }
}
