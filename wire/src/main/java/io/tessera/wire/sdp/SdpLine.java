package io.tessera.wire.sdp;

/**
 * One {@code <type>=<value>} line of an SDP (RFC 4566 section 5), without its line ending.
 *
 * @param type  the one-letter type: v, o, s, c, t, m, a, b...
 * @param value everything after the {@code =}
 */
public record SdpLine(char type, String value) {

    /** Whether this is {@code a=<name>} or {@code a=<name>:<value>}. */
    public boolean isAttribute(String name) {
        return type == 'a' && value.startsWith(name)
                && (value.length() == name.length() || value.charAt(name.length()) == ':');
    }

    /** For an attribute line: the name before the first colon (the whole value of a flag such as {@code sendonly}). */
    public String attributeName() {
        int colon = value.indexOf(':');
        return colon < 0 ? value : value.substring(0, colon);
    }

    /** For an attribute line: what follows the first colon, or "" for a flag attribute. */
    public String attributeValue() {
        int colon = value.indexOf(':');
        return colon < 0 ? "" : value.substring(colon + 1);
    }

    @Override
    public String toString() {
        return type + "=" + value;
    }
}
