package io.tessera.wire.sdp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The SDP offer of plain RTP (RFC 4566, profile {@code RTP/AVP}, one media section): written by a client with
 * {@link #write}, read by the media node's engine with {@link #parse}. The record holds what the engine needs: where the
 * peer's RTP and RTCP are, which formats it offers, and which way media goes.
 *
 * <p>Reading is strict and bounded (docs/CONTRACT.md, "Strict reading"), and every refusal names the offending line:
 * the text rules of {@link SessionDescription#read}, ASCII-digit numbers, RFC 4566 token encoding names, a payload type
 * once in the m= line, an IPv4 literal (never resolved), RTCP port 1-65535.
 */
public record PlainRtpOffer(String media, InetAddress address, int rtpPort, int rtcpPort, List<RtpFormat> formats,
                            Direction direction, List<String> ssrcAttributes) {

    public static final int MAX_CHARS = SessionDescription.MAX_CHARS;
    public static final int MAX_LINES = SessionDescription.MAX_LINES;
    public static final int MAX_FORMATS = 32;
    /** RFC 4566 token characters (encoding names, their parameters). */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+");

    public InetSocketAddress rtpAddress() {
        return new InetSocketAddress(address, rtpPort);
    }

    public InetSocketAddress rtcpAddress() {
        return new InetSocketAddress(address, rtcpPort);
    }

    public RtpFormat firstFormat() {
        return formats.get(0);
    }

    /**
     * A client's offer of one video stream.
     *
     * @param address     our IP address ({@code c=} line)
     * @param rtpPort     our RTP port ({@code m=} line)
     * @param rtcpPort    our RTCP port ({@code a=rtcp:})
     * @param payloadType the RTP payload type (96..127 for dynamic codecs)
     * @param codec       the codec name for {@code a=rtpmap}, e.g. VP8 or H264
     * @param clockRate   the RTP clock rate, 90000 for video
     * @param ssrc        our SSRC for {@code a=ssrc}, or a negative value to leave the line out
     * @param direction   SENDONLY for a publisher, RECVONLY for a subscriber
     * @return the SDP text, CRLF line endings
     * @throws IllegalArgumentException when a value cannot be written
     */
    public static String write(String address, int rtpPort, int rtcpPort, int payloadType, String codec, int clockRate,
                               long ssrc, Direction direction) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("address is empty");
        }
        checkPort(rtpPort, "rtpPort");
        checkPort(rtcpPort, "rtcpPort");
        if (payloadType < 0 || payloadType > 127) {
            throw new IllegalArgumentException("payloadType must be 0..127, got " + payloadType);
        }
        if (codec == null || !TOKEN.matcher(codec).matches()) {
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
        SdpWriter sdp = new SdpWriter("-", ssrc < 0 ? rtpPort : ssrc, "tessera", address);
        List<String> ssrcs = ssrc < 0 ? List.of() : List.of(ssrc + " cname:tessera-" + Long.toHexString(ssrc));
        return PlainRtp.write(sdp, "video", rtpPort, rtcpPort,
                List.of(new RtpFormat(payloadType, codec, clockRate, null, null)), ssrcs, direction);
    }

    private static void checkPort(int port, String what) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(what + " must be 1..65535, got " + port);
        }
    }

    /**
     * Reads an offer strictly.
     *
     * @throws SdpException malformed (400) or unsupported (415), naming the line
     */
    public static PlainRtpOffer parse(String sdp) {
        SessionDescription description = SessionDescription.read(sdp, "sdpOffer");
        if (description.media().isEmpty()) {
            throw invalid("sdpOffer has no m= line");
        }
        if (description.media().size() > 1) {
            throw SdpException.unsupported(
                    "the plain RTP engine takes one m= line per stream; publish audio and video as separate streams");
        }
        MediaSection section = description.media().get(0);
        Direction direction = Direction.SENDRECV;
        for (SdpLine line : description.sessionLines()) {
            Direction named = Direction.ofAttribute(line);
            direction = named != null ? named : direction;
        }
        Integer rtcpPort = null;
        Map<Integer, String[]> rtpmaps = new LinkedHashMap<>();
        Map<Integer, String> fmtps = new LinkedHashMap<>();
        List<String> ssrcs = new ArrayList<>();
        for (SdpLine line : section.lines()) {
            if (line.type() != 'a') {
                continue; // c= is read below; b= and the rest carry nothing the engine uses
            }
            String value = line.value();
            Direction named = Direction.ofAttribute(line);
            direction = named != null ? named : direction;
            if (value.startsWith("rtcp:")) {
                rtcpPort = port(value.substring(5).split(" ")[0], "a=rtcp");
            } else if (value.startsWith("rtpmap:")) {
                String[] parts = value.substring(7).split(" ", 2);
                if (parts.length != 2) {
                    throw invalid("malformed a=rtpmap '" + SdpException.quote(value) + "'");
                }
                rtpmaps.put(payloadType(parts[0]), parts[1].trim().split("/"));
            } else if (value.startsWith("fmtp:")) {
                String[] parts = value.substring(5).split(" ", 2);
                fmtps.put(payloadType(parts[0]), parts.length > 1 ? parts[1].trim() : "");
            } else if (value.startsWith("ssrc:") && ssrcs.size() < MAX_FORMATS) {
                ssrcs.add(value.substring(5));
            }
        }
        String mediaLine = section.media();
        String[] m = section.mediaFields();
        if (m.length < 4) {
            throw invalid("malformed m= line '" + SdpException.quote(mediaLine)
                    + "': expected <media> <port> <proto> <fmt>...");
        }
        String media = m[0].toLowerCase(Locale.ROOT);
        if (!media.equals("video") && !media.equals("audio")) {
            throw SdpException.unsupported("media '" + SdpException.quote(m[0]) + "' is not supported; use video or audio");
        }
        int rtpPort = port(m[1], "m=");
        if (rtpPort == 0) {
            throw invalid("m= port 0 rejects the stream");
        }
        String profile = m[2];
        if (!profile.equals(PlainRtp.PROFILE) && !profile.equals("RTP/AVPF")) {
            throw SdpException.unsupported("profile '" + SdpException.quote(profile)
                    + "' is not supported by the plain RTP engine; offer RTP/AVP (no ICE, DTLS or SRTP)");
        }
        if (m.length - 3 > MAX_FORMATS) {
            throw invalid("more than " + MAX_FORMATS + " formats in the m= line");
        }
        List<Integer> payloadTypes = new ArrayList<>();
        for (int i = 3; i < m.length; i++) {
            int pt = payloadType(m[i]);
            if (payloadTypes.contains(pt)) {
                // one format per payload type: the forwarder maps a packet's payload type to exactly one format
                throw invalid("payload type " + pt + " appears twice in the m= line");
            }
            payloadTypes.add(pt);
        }
        List<RtpFormat> formats = new ArrayList<>();
        for (int pt : payloadTypes) {
            formats.add(format(pt, rtpmaps.get(pt), fmtps.get(pt)));
        }
        String connection = section.connection() != null ? section.connection() : description.connection();
        if (connection == null) {
            throw invalid("sdpOffer has no c= line");
        }
        InetAddress address = address(connection);
        if (rtcpPort == null && rtpPort == 65535) {
            throw invalid("m= port 65535 leaves no port for RTCP (rtp+1); name one with a=rtcp:<port>");
        }
        if (rtcpPort != null && rtcpPort == 0) {
            throw invalid("a=rtcp port 0 is not a port");
        }
        return new PlainRtpOffer(media, address, rtpPort, rtcpPort != null ? rtcpPort : rtpPort + 1,
                List.copyOf(formats), direction, List.copyOf(ssrcs));
    }

    private static RtpFormat format(int pt, String[] map, String fmtp) {
        if (map == null) {
            RtpFormat known = RtpFormat.staticFormat(pt, fmtp);
            if (known == null) {
                throw invalid("payload type " + pt + " has no a=rtpmap");
            }
            return known;
        }
        if (map.length < 2) {
            throw invalid("malformed a=rtpmap for payload type " + pt + ": expected <encoding>/<clock rate>");
        }
        String encoding = map[0];
        String parameters = map.length > 2 ? map[2] : null;
        // Both go verbatim into the a=rtpmap line of subscribers' answers: RFC 4566 tokens only.
        if (!TOKEN.matcher(encoding).matches() || (parameters != null && !TOKEN.matcher(parameters).matches())) {
            throw invalid("malformed a=rtpmap for payload type " + pt + ": encoding '"
                    + SdpException.quote(String.join("/", map))
                    + "' is not <name>/<clock rate>[/<parameters>] of token characters");
        }
        return new RtpFormat(pt, encoding, clockRate(map[1], pt), parameters, fmtp);
    }

    private static InetAddress address(String connection) {
        String[] c = connection.trim().split(" ");
        if (c.length != 3 || !c[0].equals("IN")) {
            throw invalid("malformed c= line '" + SdpException.quote(connection) + "': expected IN IP4 <address>");
        }
        if (!c[1].equals("IP4")) {
            throw SdpException.unsupported("address type '" + SdpException.quote(c[1]) + "' is not supported; use IP4");
        }
        String host = c[2].contains("/") ? c[2].substring(0, c[2].indexOf('/')) : c[2];
        if (!host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            // Never resolve names here: a DNS lookup would stall the session actor.
            throw invalid("c= address '" + SdpException.quote(host) + "' must be an IPv4 literal");
        }
        // The octets are read here, not by InetAddress.getByName, which sends a literal it cannot read
        // (300.1.1.1) to the system resolver as a host name.
        String[] parts = host.split("\\.");
        byte[] octets = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(parts[i]);
            if (octet > 255) {
                throw invalid("c= address '" + host + "' is not a valid IPv4 address");
            }
            octets[i] = (byte) octet;
        }
        InetAddress address;
        try {
            address = InetAddress.getByAddress(octets);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four octets are always an address", e);
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            throw invalid("c= address '" + host + "' must be a unicast IPv4 address");
        }
        return address;
    }

    private static int port(String text, String where) {
        int port = number(text, where + " port");
        if (port < 0 || port > 65535) {
            throw invalid(where + " port " + port + " is out of range");
        }
        return port;
    }

    private static int payloadType(String text) {
        int pt = number(text, "payload type");
        if (pt < 0 || pt > 127) {
            throw invalid("payload type " + pt + " is out of range 0-127");
        }
        return pt;
    }

    private static int clockRate(String text, int pt) {
        int rate = number(text, "clock rate of payload type " + pt);
        if (rate <= 0) {
            throw invalid("clock rate of payload type " + pt + " must be positive");
        }
        return rate;
    }

    private static int number(String text, String what) {
        String t = text.trim();
        // ASCII digits only: Character.isDigit and Integer.parseInt also take other scripts' digits (U+0661...).
        if (t.isEmpty() || t.length() > 9 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(what + " '" + SdpException.quote(t) + "' is not a number");
        }
        return Integer.parseInt(t);
    }

    private static SdpException invalid(String message) {
        return SdpException.malformed(message);
    }
}
