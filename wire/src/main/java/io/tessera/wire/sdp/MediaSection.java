package io.tessera.wire.sdp;

import java.util.List;

/**
 * One media description of an SDP: its {@code m=} line and the lines up to the next {@code m=} line.
 *
 * @param media the value of the {@code m=} line ({@code <media> <port> <proto> <fmt>...})
 * @param lines the lines after it (c=, b=, a=...), in order
 */
public record MediaSection(String media, List<SdpLine> lines) {

    public MediaSection {
        lines = List.copyOf(lines);
    }

    /** The fields of the {@code m=} line, split at single spaces. */
    public String[] mediaFields() {
        return media.split(" ");
    }

    /** The value of the last {@code c=} line of this section, or null. */
    public String connection() {
        return SessionDescription.last(lines, 'c');
    }

    /** The values (after the colon) of every {@code a=<name>:...} line of this section, in order. */
    public List<String> attributes(String name) {
        return SessionDescription.attributes(lines, name);
    }

    /** The value of the first {@code a=<name>:...} line of this section, or null. */
    public String attribute(String name) {
        List<String> values = attributes(name);
        return values.isEmpty() ? null : values.get(0);
    }
}
