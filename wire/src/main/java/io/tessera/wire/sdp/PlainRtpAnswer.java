package io.tessera.wire.sdp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The SDP answer of plain RTP: written by the media node's engine with {@link #write}, read by a client with
 * {@link #parse}. The record is what the client needs of it: the node's media address and ports.
 *
 * @param address     the {@code c=} address (media level wins over session level)
 * @param rtpPort     the {@code m=} port
 * @param rtcpAddress the address of {@code a=rtcp:} when it names one, else {@code address}
 * @param rtcpPort    the {@code a=rtcp:} port, or {@code rtpPort + 1} without that line
 * @param payloadType the first payload type of the m-line
 * @param codec       the codec of that payload type's {@code a=rtpmap}, or null
 * @param clockRate   its clock rate, or 0 without {@code a=rtpmap}
 * @param ssrc        the first {@code a=ssrc}, or -1 when absent
 * @param direction   the direction attribute, or null when absent (SDP then means sendrecv)
 */
public record PlainRtpAnswer(String address, int rtpPort, String rtcpAddress, int rtcpPort, int payloadType,
                             String codec, int clockRate, long ssrc, Direction direction) {

    /** Where to send RTP. */
    public InetSocketAddress rtpSocketAddress() {
        return socketAddress(address, rtpPort);
    }

    /** Where to send RTCP (sender reports, PLI, FIR). */
    public InetSocketAddress rtcpSocketAddress() {
        return socketAddress(rtcpAddress, rtcpPort);
    }

    /**
     * The engine's answer: the node's address and the endpoint's port pair (RTCP on the next port).
     *
     * @param sessionVersion the {@code o=} session id, new for each answer of the engine
     * @param direction      RECVONLY for a publisher's endpoint (the node receives), SENDONLY for a subscriber's
     * @param ssrcAttributes {@code a=ssrc:} values to announce (the publisher's, in a subscriber's answer)
     */
    public static String write(String publicAddress, long sessionVersion, String media, int rtpPort,
                               List<RtpFormat> formats, Direction direction, List<String> ssrcAttributes) {
        return PlainRtp.write(new SdpWriter("tessera", sessionVersion, "Tessera", publicAddress), media, rtpPort,
                rtpPort + 1, formats, ssrcAttributes, direction);
    }

    /**
     * Reads the answer (or any SDP of one plain RTP stream; only its first m= line). Under the text rules of
     * {@link SessionDescription#read}; addresses may be IPv6 or names, resolved when a socket address is asked for.
     *
     * @throws SdpException naming the line that cannot be read
     */
    public static PlainRtpAnswer parse(String sdp) {
        SessionDescription description = SessionDescription.read(sdp, "SDP answer");
        if (description.media().isEmpty()) {
            throw SdpException.malformed("SDP has no m= line");
        }
        MediaSection section = description.media().get(0); // only the first m-line is ours
        String[] f = section.media().split(" +");
        if (f.length < 4) {
            throw SdpException.malformed("m= line needs '<media> <port> <proto> <fmt>': 'm="
                    + SdpException.quote(section.media()) + "'");
        }
        if (!PlainRtp.PROFILE.equals(f[2])) {
            throw SdpException.unsupported("m= line profile must be " + PlainRtp.PROFILE + " (plain RTP), got '"
                    + SdpException.quote(f[2]) + "'");
        }
        String port = f[1].contains("/") ? f[1].substring(0, f[1].indexOf('/')) : f[1];
        int rtpPort = parseInt(port, "m= line port");
        if (rtpPort == 0) {
            throw SdpException.malformed("m= line port is 0: the media was rejected");
        }
        checkPort(rtpPort, "m= line port");
        int payloadType = parseInt(f[3], "m= line payload type");

        String rtcpAddress = null;
        int rtcpPort = -1;
        String codec = null;
        int clockRate = 0;
        long ssrc = -1;
        Direction direction = null;
        for (SdpLine line : section.lines()) {
            if (line.type() != 'a') {
                continue;
            }
            String arg = line.attributeValue().strip();
            switch (line.attributeName()) {
                case "rtcp" -> {
                    String[] r = arg.split(" +");
                    rtcpPort = parseInt(r[0], "a=rtcp port");
                    checkPort(rtcpPort, "a=rtcp port");
                    if (r.length >= 4) {
                        rtcpAddress = r[3];
                    }
                }
                case "rtpmap" -> {
                    String[] r = arg.split(" +", 2);
                    if (r.length == 2 && parseInt(r[0], "a=rtpmap payload type") == payloadType && codec == null) {
                        String[] enc = r[1].split("/");
                        codec = enc[0];
                        clockRate = enc.length > 1 ? parseInt(enc[1], "a=rtpmap clock rate") : 0;
                    }
                }
                case "ssrc" -> {
                    if (ssrc < 0) {
                        ssrc = parseLong(arg.split(" +", 2)[0], "a=ssrc id");
                    }
                }
                default -> {
                    Direction named = Direction.ofAttribute(line);
                    direction = named != null ? named : direction;
                }
            }
        }
        String mediaConnection = section.connection();
        String connection = mediaConnection != null ? mediaConnection : description.connection();
        if (connection == null) {
            throw SdpException.malformed("SDP has no c= line (neither session nor media level)");
        }
        String address = connectionAddress(connection);
        if (rtcpPort < 0) {
            rtcpPort = rtpPort + 1; // RFC 3605 default
        }
        return new PlainRtpAnswer(address, rtpPort, rtcpAddress != null ? rtcpAddress : address, rtcpPort, payloadType,
                codec, clockRate, ssrc, direction);
    }

    private static String connectionAddress(String value) {
        String[] f = value.strip().split(" +");
        if (f.length != 3 || !"IN".equals(f[0]) || !("IP4".equals(f[1]) || "IP6".equals(f[1]))) {
            throw SdpException.malformed("c= line must be 'IN IP4 <address>' or 'IN IP6 <address>', got 'c="
                    + SdpException.quote(value) + "'");
        }
        String address = f[2];
        int slash = address.indexOf('/'); // multicast TTL
        return slash < 0 ? address : address.substring(0, slash);
    }

    private static InetSocketAddress socketAddress(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("SDP address '" + SdpException.quote(host) + "' does not resolve", e);
        }
    }

    private static int parseInt(String s, String what) {
        long value = parseLong(s, what);
        if (value > Integer.MAX_VALUE) {
            throw SdpException.malformed(what + " is not a number: '" + SdpException.quote(s) + "'");
        }
        return (int) value;
    }

    private static long parseLong(String s, String what) {
        // ASCII digits only, as everywhere in SDP (Long.parseLong also takes other scripts' digits and a sign)
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw SdpException.malformed(what + " is not a number: '" + SdpException.quote(s) + "'");
        }
        return Long.parseLong(s);
    }

    private static void checkPort(int port, String what) {
        if (port < 1 || port > 65_535) {
            throw SdpException.malformed(what + " must be 1..65535, got " + port);
        }
    }
}
