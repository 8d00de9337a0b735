package io.tessera.media.rtp;

import io.tessera.media.engine.MediaException;
import io.tessera.media.engine.MediaException.Kind;

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
 * The parts of a plain-RTP SDP offer (RFC 4566, profile {@code RTP/AVP}) that the engine needs: where the
 * peer's RTP and RTCP are, which formats it offers, and which way media goes. One media section per offer.
 * Parsing is strict and bounded, and every refusal names the offending line.
 */
record PlainRtpOffer(String media, InetAddress address, int rtpPort, int rtcpPort, List<Format> formats,
                     Direction direction, List<String> ssrcAttributes) {

    static final int MAX_CHARS = 16 * 1024;
    static final int MAX_LINES = 256;
    static final int MAX_FORMATS = 32;
    /** RFC 4566 token characters (encoding names, their parameters). */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+");

    /** One offered payload format: {@code a=rtpmap} plus its optional {@code a=fmtp} parameters. */
    record Format(int payloadType, String encoding, int clockRate, String encodingParameters, String fmtp) {

        boolean sameCodec(Format other) {
            return encoding.equalsIgnoreCase(other.encoding) && clockRate == other.clockRate;
        }

        String rtpmapValue() {
            return payloadType + " " + encoding + "/" + clockRate
                    + (encodingParameters == null ? "" : "/" + encodingParameters);
        }
    }

    enum Direction {
        SENDRECV, SENDONLY, RECVONLY, INACTIVE;

        boolean sends() {
            return this == SENDRECV || this == SENDONLY;
        }

        boolean receives() {
            return this == SENDRECV || this == RECVONLY;
        }
    }

    InetSocketAddress rtpAddress() {
        return new InetSocketAddress(address, rtpPort);
    }

    InetSocketAddress rtcpAddress() {
        return new InetSocketAddress(address, rtcpPort);
    }

    Format firstFormat() {
        return formats.get(0);
    }

    static PlainRtpOffer parse(String sdp) throws MediaException {
        if (sdp == null || sdp.isBlank()) {
            throw invalid("sdpOffer is empty");
        }
        if (sdp.length() > MAX_CHARS) {
            throw invalid("sdpOffer is longer than " + MAX_CHARS + " characters");
        }
        String[] lines = sdp.split("\r?\n");
        if (lines.length > MAX_LINES) {
            throw invalid("sdpOffer has more than " + MAX_LINES + " lines");
        }
        if (!lines[0].trim().equals("v=0")) {
            throw invalid("sdpOffer must start with v=0");
        }
        String sessionConnection = null;
        String mediaConnection = null;
        String mediaLine = null;
        Integer rtcpPort = null;
        Direction direction = Direction.SENDRECV;
        List<Integer> payloadTypes = new ArrayList<>();
        Map<Integer, String[]> rtpmaps = new LinkedHashMap<>();
        Map<Integer, String> fmtps = new LinkedHashMap<>();
        List<String> ssrcs = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.chars().anyMatch(Character::isISOControl)) {
                // A lone CR, NUL, ESC... inside a line: the encoding, fmtp and ssrc values are copied into other
                // participants' answers, where a CR would start a line of the publisher's choosing.
                throw invalid("SDP line '" + shorten(line) + "' holds a control character");
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                throw invalid("malformed SDP line '" + shorten(line) + "': expected <type>=<value>");
            }
            char type = line.charAt(0);
            String value = line.substring(2);
            switch (type) {
                case 'm' -> {
                    if (mediaLine != null) {
                        throw new MediaException(Kind.UNSUPPORTED,
                                "the plain RTP engine takes one m= line per stream; publish audio and video as separate streams");
                    }
                    mediaLine = value;
                }
                case 'c' -> {
                    if (mediaLine == null) {
                        sessionConnection = value;
                    } else {
                        mediaConnection = value;
                    }
                }
                case 'a' -> {
                    if (mediaLine == null) {
                        direction = directionOr(value, direction);
                        continue;
                    }
                    direction = directionOr(value, direction);
                    if (value.startsWith("rtcp:")) {
                        rtcpPort = port(value.substring(5).split(" ")[0], "a=rtcp");
                    } else if (value.startsWith("rtpmap:")) {
                        String[] parts = value.substring(7).split(" ", 2);
                        if (parts.length != 2) {
                            throw invalid("malformed a=rtpmap '" + shorten(value) + "'");
                        }
                        rtpmaps.put(payloadType(parts[0]), parts[1].trim().split("/"));
                    } else if (value.startsWith("fmtp:")) {
                        String[] parts = value.substring(5).split(" ", 2);
                        fmtps.put(payloadType(parts[0]), parts.length > 1 ? parts[1].trim() : "");
                    } else if (value.startsWith("ssrc:") && ssrcs.size() < MAX_FORMATS) {
                        ssrcs.add(value.substring(5));
                    }
                }
                default -> {
                    // v, o, s, t, b and the rest carry nothing the engine uses.
                }
            }
        }
        if (mediaLine == null) {
            throw invalid("sdpOffer has no m= line");
        }
        String[] m = mediaLine.split(" ");
        if (m.length < 4) {
            throw invalid("malformed m= line '" + shorten(mediaLine) + "': expected <media> <port> <proto> <fmt>...");
        }
        String media = m[0].toLowerCase(Locale.ROOT);
        if (!media.equals("video") && !media.equals("audio")) {
            throw new MediaException(Kind.UNSUPPORTED, "media '" + shorten(m[0]) + "' is not supported; use video or audio");
        }
        int rtpPort = port(m[1], "m=");
        if (rtpPort == 0) {
            throw invalid("m= port 0 rejects the stream");
        }
        String profile = m[2];
        if (!profile.equals("RTP/AVP") && !profile.equals("RTP/AVPF")) {
            throw new MediaException(Kind.UNSUPPORTED, "profile '" + shorten(profile)
                    + "' is not supported by the plain RTP engine; offer RTP/AVP (no ICE, DTLS or SRTP)");
        }
        if (m.length - 3 > MAX_FORMATS) {
            throw invalid("more than " + MAX_FORMATS + " formats in the m= line");
        }
        for (int i = 3; i < m.length; i++) {
            int pt = payloadType(m[i]);
            if (payloadTypes.contains(pt)) {
                // one format per payload type: the forwarder maps a packet's payload type to exactly one format
                throw invalid("payload type " + pt + " appears twice in the m= line");
            }
            payloadTypes.add(pt);
        }
        List<Format> formats = new ArrayList<>();
        for (int pt : payloadTypes) {
            String[] map = rtpmaps.get(pt);
            if (map == null) {
                formats.add(staticFormat(pt, fmtps.get(pt)));
            } else {
                if (map.length < 2) {
                    throw invalid("malformed a=rtpmap for payload type " + pt + ": expected <encoding>/<clock rate>");
                }
                String encoding = map[0];
                String parameters = map.length > 2 ? map[2] : null;
                // Both go verbatim into the a=rtpmap line of subscribers' answers: RFC 4566 tokens only.
                if (!TOKEN.matcher(encoding).matches() || (parameters != null && !TOKEN.matcher(parameters).matches())) {
                    throw invalid("malformed a=rtpmap for payload type " + pt + ": encoding '" + shorten(String.join("/", map))
                            + "' is not <name>/<clock rate>[/<parameters>] of token characters");
                }
                formats.add(new Format(pt, encoding, clockRate(map[1], pt), parameters, fmtps.get(pt)));
            }
        }
        String connection = mediaConnection != null ? mediaConnection : sessionConnection;
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
        return new PlainRtpOffer(media, address, rtpPort, rtcpPort != null ? rtcpPort : rtpPort + 1, List.copyOf(formats),
                direction, List.copyOf(ssrcs));
    }

    private static Direction directionOr(String attribute, Direction current) {
        return switch (attribute) {
            case "sendrecv" -> Direction.SENDRECV;
            case "sendonly" -> Direction.SENDONLY;
            case "recvonly" -> Direction.RECVONLY;
            case "inactive" -> Direction.INACTIVE;
            default -> current;
        };
    }

    private static InetAddress address(String connection) throws MediaException {
        String[] c = connection.trim().split(" ");
        if (c.length != 3 || !c[0].equals("IN")) {
            throw invalid("malformed c= line '" + shorten(connection) + "': expected IN IP4 <address>");
        }
        if (!c[1].equals("IP4")) {
            throw new MediaException(Kind.UNSUPPORTED, "address type '" + shorten(c[1]) + "' is not supported; use IP4");
        }
        String host = c[2].contains("/") ? c[2].substring(0, c[2].indexOf('/')) : c[2];
        if (!host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            // Never resolve names here: a DNS lookup would stall the session actor.
            throw invalid("c= address '" + shorten(host) + "' must be an IPv4 literal");
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

    /** Formats with a static payload type (RFC 3551) may omit a=rtpmap. */
    private static Format staticFormat(int pt, String fmtp) throws MediaException {
        return switch (pt) {
            case 0 -> new Format(0, "PCMU", 8000, null, fmtp);
            case 8 -> new Format(8, "PCMA", 8000, null, fmtp);
            case 26 -> new Format(26, "JPEG", 90000, null, fmtp);
            case 32 -> new Format(32, "MPV", 90000, null, fmtp);
            case 34 -> new Format(34, "H263", 90000, null, fmtp);
            default -> throw invalid("payload type " + pt + " has no a=rtpmap");
        };
    }

    private static int port(String text, String where) throws MediaException {
        int port = number(text, where + " port");
        if (port < 0 || port > 65535) {
            throw invalid(where + " port " + port + " is out of range");
        }
        return port;
    }

    private static int payloadType(String text) throws MediaException {
        int pt = number(text, "payload type");
        if (pt < 0 || pt > 127) {
            throw invalid("payload type " + pt + " is out of range 0-127");
        }
        return pt;
    }

    private static int clockRate(String text, int pt) throws MediaException {
        int rate = number(text, "clock rate of payload type " + pt);
        if (rate <= 0) {
            throw invalid("clock rate of payload type " + pt + " must be positive");
        }
        return rate;
    }

    private static int number(String text, String what) throws MediaException {
        String t = text.trim();
        // ASCII digits only: Character.isDigit and Integer.parseInt also take other scripts' digits (U+0661...).
        if (t.isEmpty() || t.length() > 9 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(what + " '" + shorten(t) + "' is not a number");
        }
        return Integer.parseInt(t);
    }

    private static MediaException invalid(String message) {
        return new MediaException(Kind.INVALID_SDP, message);
    }

    private static String shorten(String s) {
        String printable = s.replaceAll("\\p{Cc}", "?"); // C0 and C1 controls (\p{Cntrl} is only C0 and DEL)
        return printable.length() <= 60 ? printable : printable.substring(0, 57) + "...";
    }
}
