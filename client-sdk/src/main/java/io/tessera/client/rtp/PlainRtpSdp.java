package io.tessera.client.rtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The SDP of plain RTP over UDP ({@code RTP/AVP}, one video m-line): builds offers and parses answers.
 *
 * <p>Output lines end with CRLF; input may use CRLF or LF. Only the first m-line is read.
 */
public final class PlainRtpSdp {

    private static final String CRLF = "\r\n";
    private static final String PROFILE = "RTP/AVP";

    private PlainRtpSdp() {
    }

    /** Which way media flows, from the point of view of the side that wrote the SDP. */
    public enum Direction {
        SENDONLY, RECVONLY, SENDRECV, INACTIVE;

        String attribute() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * An offer naming where we send from or want to receive on.
     *
     * @param address     our IP address ({@code c=} line)
     * @param rtpPort     our RTP port ({@code m=} line)
     * @param rtcpPort    our RTCP port ({@code a=rtcp:})
     * @param payloadType the RTP payload type (96..127 for dynamic codecs)
     * @param codec       the codec name for {@code a=rtpmap}, e.g. VP8 or H264
     * @param clockRate   the RTP clock rate, 90000 for video
     * @param ssrc        our SSRC for {@code a=ssrc}, or a negative value to leave the line out
     * @param direction   SENDONLY for a publisher, RECVONLY for a subscriber
     */
    public record Offer(String address, int rtpPort, int rtcpPort, int payloadType, String codec, int clockRate,
                        long ssrc, Direction direction) {

        public Offer {
            if (address == null || address.isBlank()) {
                throw new IllegalArgumentException("address is empty");
            }
            checkPort(rtpPort, "rtpPort");
            checkPort(rtcpPort, "rtcpPort");
            if (payloadType < 0 || payloadType > 127) {
                throw new IllegalArgumentException("payloadType must be 0..127, got " + payloadType);
            }
            if (codec == null || codec.isBlank() || codec.contains("/") || codec.contains(" ")) {
                throw new IllegalArgumentException("codec must be a bare name like VP8, got '" + codec + "'");
            }
            if (clockRate <= 0) {
                throw new IllegalArgumentException("clockRate must be positive, got " + clockRate);
            }
            if (ssrc > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("ssrc must fit 32 bits, got " + ssrc);
            }
            if (direction == null) {
                throw new IllegalArgumentException("direction is null");
            }
        }

        /** The SDP text, CRLF line endings. */
        public String toSdp() {
            String ipVersion = address.contains(":") ? "IP6" : "IP4";
            StringBuilder sb = new StringBuilder(256);
            sb.append("v=0").append(CRLF);
            sb.append("o=- ").append(ssrc < 0 ? rtpPort : ssrc).append(" 1 IN ").append(ipVersion).append(' ')
                    .append(address).append(CRLF);
            sb.append("s=tessera").append(CRLF);
            sb.append("c=IN ").append(ipVersion).append(' ').append(address).append(CRLF);
            sb.append("t=0 0").append(CRLF);
            sb.append("m=video ").append(rtpPort).append(' ').append(PROFILE).append(' ').append(payloadType).append(CRLF);
            sb.append("a=rtcp:").append(rtcpPort).append(CRLF);
            sb.append("a=rtpmap:").append(payloadType).append(' ').append(codec).append('/').append(clockRate).append(CRLF);
            if (ssrc >= 0) {
                sb.append("a=ssrc:").append(ssrc).append(" cname:tessera-").append(Long.toHexString(ssrc)).append(CRLF);
            }
            sb.append("a=").append(direction.attribute()).append(CRLF);
            return sb.toString();
        }
    }

    /**
     * What a parsed SDP names: the peer's media address and ports.
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
    public record Answer(String address, int rtpPort, String rtcpAddress, int rtcpPort, int payloadType, String codec,
                         int clockRate, long ssrc, Direction direction) {

        /** Where to send RTP. */
        public InetSocketAddress rtpSocketAddress() {
            return socketAddress(address, rtpPort);
        }

        /** Where to send RTCP (sender reports, PLI, FIR). */
        public InetSocketAddress rtcpSocketAddress() {
            return socketAddress(rtcpAddress, rtcpPort);
        }
    }

    /** Parses an SDP (normally the answer) of one plain RTP video stream; throws IllegalArgumentException on bad input. */
    public static Answer parseAnswer(String sdp) {
        if (sdp == null || sdp.isBlank()) {
            throw new IllegalArgumentException("SDP is empty");
        }
        String sessionAddress = null;
        String mediaAddress = null;
        String rtcpAddress = null;
        int rtpPort = -1;
        int rtcpPort = -1;
        int payloadType = -1;
        String codec = null;
        int clockRate = 0;
        long ssrc = -1;
        Direction direction = null;
        boolean inMedia = false;
        boolean mediaSeen = false;
        int lineNo = 0;
        for (String rawLine : sdp.split("\r?\n", -1)) {
            lineNo++;
            String line = rawLine.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                throw new IllegalArgumentException("SDP line " + lineNo + " is not <type>=<value>: '" + cut(line) + "'");
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            if (type == 'm') {
                if (mediaSeen) {
                    break; // only the first m-line is ours
                }
                mediaSeen = true;
                inMedia = true;
                String[] f = value.split(" +");
                if (f.length < 4) {
                    throw new IllegalArgumentException("m= line needs '<media> <port> <proto> <fmt>': 'm=" + cut(value) + "'");
                }
                if (!PROFILE.equals(f[2])) {
                    throw new IllegalArgumentException("m= line profile must be " + PROFILE + " (plain RTP), got '" + cut(f[2]) + "'");
                }
                String port = f[1].contains("/") ? f[1].substring(0, f[1].indexOf('/')) : f[1];
                rtpPort = parseInt(port, "m= line port");
                if (rtpPort == 0) {
                    throw new IllegalArgumentException("m= line port is 0: the media was rejected");
                }
                checkPort(rtpPort, "m= line port");
                payloadType = parseInt(f[3], "m= line payload type");
            } else if (type == 'c') {
                String address = connectionAddress(value);
                if (inMedia) {
                    mediaAddress = address;
                } else {
                    sessionAddress = address;
                }
            } else if (type == 'a' && inMedia) {
                int colon = value.indexOf(':');
                String name = colon < 0 ? value : value.substring(0, colon);
                String arg = colon < 0 ? "" : value.substring(colon + 1).strip();
                switch (name) {
                    case "rtcp" -> {
                        String[] f = arg.split(" +");
                        rtcpPort = parseInt(f[0], "a=rtcp port");
                        checkPort(rtcpPort, "a=rtcp port");
                        if (f.length >= 4) {
                            rtcpAddress = f[3];
                        }
                    }
                    case "rtpmap" -> {
                        String[] f = arg.split(" +", 2);
                        if (f.length == 2 && parseInt(f[0], "a=rtpmap payload type") == payloadType && codec == null) {
                            String[] enc = f[1].split("/");
                            codec = enc[0];
                            clockRate = enc.length > 1 ? parseInt(enc[1], "a=rtpmap clock rate") : 0;
                        }
                    }
                    case "ssrc" -> {
                        if (ssrc < 0) {
                            String id = arg.split(" +", 2)[0];
                            ssrc = parseLong(id, "a=ssrc id");
                        }
                    }
                    case "sendonly", "recvonly", "sendrecv", "inactive" ->
                            direction = Direction.valueOf(name.toUpperCase(Locale.ROOT));
                    default -> { }
                }
            }
        }
        if (!mediaSeen) {
            throw new IllegalArgumentException("SDP has no m= line");
        }
        String address = mediaAddress != null ? mediaAddress : sessionAddress;
        if (address == null) {
            throw new IllegalArgumentException("SDP has no c= line (neither session nor media level)");
        }
        if (rtcpPort < 0) {
            rtcpPort = rtpPort + 1; // RFC 3605 default
        }
        return new Answer(address, rtpPort, rtcpAddress != null ? rtcpAddress : address, rtcpPort, payloadType,
                codec, clockRate, ssrc, direction);
    }

    private static String connectionAddress(String value) {
        String[] f = value.strip().split(" +");
        if (f.length != 3 || !"IN".equals(f[0]) || !("IP4".equals(f[1]) || "IP6".equals(f[1]))) {
            throw new IllegalArgumentException("c= line must be 'IN IP4 <address>' or 'IN IP6 <address>', got 'c=" + cut(value) + "'");
        }
        String address = f[2];
        int slash = address.indexOf('/'); // multicast TTL
        return slash < 0 ? address : address.substring(0, slash);
    }

    private static InetSocketAddress socketAddress(String host, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("SDP address '" + cut(host) + "' does not resolve", e);
        }
    }

    private static int parseInt(String s, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a number: '" + cut(s) + "'");
        }
    }

    private static long parseLong(String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a number: '" + cut(s) + "'");
        }
    }

    private static void checkPort(int port, String what) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(what + " must be 1..65535, got " + port);
        }
    }

    // Bounded error messages whatever the input.
    private static String cut(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
