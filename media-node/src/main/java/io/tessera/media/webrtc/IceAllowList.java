package io.tessera.media.webrtc;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which remote ICE candidates may reach the WebRTC engine: those whose connection address lies in one of the allowed
 * networks ({@code TESSERA_ICE_ALLOW}, a comma separated list of CIDR blocks, IPv4 or IPv6).
 *
 * <p>Browsers offer candidates on every interface they see, and hide host addresses behind mDNS names
 * ({@code <uuid>.local}). Filtering before the engine sees them keeps media off networks it must not use (on a test
 * machine: anything but loopback; in production, e.g. private ranges a public node cannot reach) and spares the engine
 * connectivity checks that cannot succeed. mDNS names and anything else that is not an address literal are dropped:
 * resolving them would be a DNS lookup on behalf of a client.
 */
public final class IceAllowList {
    /** The environment variable holding the list. */
    public static final String ENV = "TESSERA_ICE_ALLOW";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("(?=.*:)[0-9A-Fa-f:][0-9A-Fa-f:.]*");

    private final List<Block> blocks;
    private final String text;

    private IceAllowList(List<Block> blocks, String text) {
        this.blocks = List.copyOf(blocks);
        this.text = text;
    }

    /** Loopback only (127.0.0.0/8 and ::1), the rule of a test machine. */
    public static IceAllowList loopback() {
        return parse("127.0.0.0/8,::1/128");
    }

    /** Any address: what a node without {@code TESSERA_ICE_ALLOW} uses (mDNS names are still dropped). */
    public static IceAllowList any() {
        return parse("0.0.0.0/0,::/0");
    }

    /** The list in {@code TESSERA_ICE_ALLOW}, or {@link #any()} when it is unset or blank. */
    public static IceAllowList fromEnvironment(java.util.Map<String, String> env) {
        String value = env.get(ENV);
        return value == null || value.isBlank() ? any() : parse(value);
    }

    /**
     * Parses {@code "127.0.0.0/8, ::1/128, 10.1.2.3"} (a bare address is a /32 or /128).
     *
     * @throws IllegalArgumentException naming the entry that is not a CIDR block
     */
    public static IceAllowList parse(String list) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : list.split(",")) {
            String trimmed = entry.trim();
            if (!trimmed.isEmpty()) {
                blocks.add(Block.parse(trimmed));
            }
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException(ENV + " must list at least one CIDR block, e.g. 127.0.0.0/8");
        }
        return new IceAllowList(blocks, list.trim());
    }

    /** Whether {@code address} (an IP literal) lies in an allowed block; names (mDNS or not) never do. */
    public boolean allowsAddress(String address) {
        return literal(address).map(ip -> blocks.stream().anyMatch(block -> block.contains(ip))).orElse(false);
    }

    /**
     * Whether a candidate may pass. Takes the value of {@code RTCIceCandidate.candidate} or an SDP attribute, with or
     * without {@code a=}/{@code candidate:} prefix: {@code candidate:<foundation> <component> <transport>
     * <priority> <address> <port> typ <type> ...}. A line that does not have this shape is refused.
     */
    public boolean allowsCandidate(String candidate) {
        return candidateAddress(candidate).map(this::allowsAddress).orElse(false);
    }

    /**
     * The SDP without the {@code a=candidate} lines this list refuses; every other line is kept as it was, with the
     * SDP's own line ends.
     */
    public String filterSdp(String sdp) {
        StringBuilder out = new StringBuilder(sdp.length());
        int start = 0;
        while (start < sdp.length()) {
            int newline = sdp.indexOf('\n', start);
            int end = newline < 0 ? sdp.length() : newline + 1;
            String line = sdp.substring(start, end);
            String content = line.strip();
            if (!content.startsWith("a=candidate:") || allowsCandidate(content)) {
                out.append(line);
            }
            start = end;
        }
        return out.toString();
    }

    /** The connection address of a candidate line, if it has the shape RFC 8839 gives it. */
    public static Optional<String> candidateAddress(String candidate) {
        if (candidate == null) {
            return Optional.empty();
        }
        String line = candidate.strip();
        if (line.startsWith("a=")) {
            line = line.substring(2);
        }
        if (!line.startsWith("candidate:")) {
            return Optional.empty();
        }
        String[] fields = line.substring("candidate:".length()).split("\\s+");
        // foundation component transport priority address port "typ" type
        if (fields.length < 8 || !"typ".equals(fields[6])) {
            return Optional.empty();
        }
        return Optional.of(fields[4]);
    }

    @Override
    public String toString() {
        return text;
    }

    /** An address literal, parsed without any name lookup; anything else (names, garbage) is empty. */
    static Optional<byte[]> literal(String address) {
        if (address == null) {
            return Optional.empty();
        }
        String text = address.strip();
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        int zone = text.indexOf('%');
        if (zone >= 0) {
            text = text.substring(0, zone);
        }
        boolean v4 = IPV4.matcher(text).matches();
        if (!v4 && !IPV6.matcher(text).matches()) {
            return Optional.empty();
        }
        if (v4) {
            for (String part : text.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return Optional.empty();
                }
            }
        }
        try {
            // Only literals get here (digits and dots, or a colon), which InetAddress parses without a lookup.
            return Optional.of(InetAddress.getByName(text).getAddress());
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private record Block(byte[] network, int prefix) {
        static Block parse(String entry) {
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            byte[] network = literal(address).orElseThrow(() -> new IllegalArgumentException(
                    ENV + ": '" + entry + "' is not a CIDR block (address/prefix, e.g. 127.0.0.0/8 or ::1/128)"));
            int bits = network.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String length = entry.substring(slash + 1).trim();
                if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits) {
                    throw new IllegalArgumentException(ENV + ": '" + entry + "' has a prefix length outside 0-"
                            + bits);
                }
                prefix = Integer.parseInt(length);
            }
            return new Block(network, prefix);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d-byte block /%d", network.length, prefix);
        }
    }
}
