package io.tessera.wire.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * An SDP (RFC 4566) split into lines and sections, read under the rules every dialect shares. Dialects (plain RTP
 * here; WebRTC with its several m= lines, ICE and DTLS attributes beside it) read their meaning from this model and
 * write with {@link SdpWriter}.
 *
 * <p>Reading is strict and bounded, and every refusal names the offending line: the text is at most
 * {@link #MAX_CHARS} characters and {@link #MAX_LINES} lines, starts with {@code v=0}, and each non-empty line is
 * {@code <type>=<value>} without a control character. Lines end with CRLF or LF; surrounding blanks are ignored.
 *
 * @param sessionLines the lines before the first {@code m=} line
 * @param media        the media sections, in order
 */
public record SessionDescription(List<SdpLine> sessionLines, List<MediaSection> media) {

    public static final int MAX_CHARS = 16 * 1024;
    public static final int MAX_LINES = 256;

    public SessionDescription {
        sessionLines = List.copyOf(sessionLines);
        media = List.copyOf(media);
    }

    /**
     * Reads {@code text}; {@code what} names it in messages ({@code sdpOffer}, {@code SDP answer}).
     *
     * @throws SdpException (malformed) when a rule above is broken
     */
    public static SessionDescription read(String text, String what) {
        if (text == null || text.isBlank()) {
            throw SdpException.malformed(what + " is empty");
        }
        if (text.length() > MAX_CHARS) {
            throw SdpException.malformed(what + " is longer than " + MAX_CHARS + " characters");
        }
        String[] rawLines = text.split("\r?\n");
        if (rawLines.length > MAX_LINES) {
            throw SdpException.malformed(what + " has more than " + MAX_LINES + " lines");
        }
        if (!rawLines[0].trim().equals("v=0")) {
            throw SdpException.malformed(what + " must start with v=0");
        }
        List<SdpLine> session = new ArrayList<>();
        List<MediaSection> sections = new ArrayList<>();
        String mediaLine = null;
        List<SdpLine> mediaLines = new ArrayList<>();
        for (String raw : rawLines) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.chars().anyMatch(Character::isISOControl)) {
                // A lone CR, NUL, ESC... inside a line: values are copied into other participants' SDP, where a CR
                // would start a line of the sender's choosing.
                throw SdpException.malformed("SDP line '" + SdpException.quote(line) + "' holds a control character");
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                throw SdpException.malformed("malformed SDP line '" + SdpException.quote(line)
                        + "': expected <type>=<value>");
            }
            SdpLine parsed = new SdpLine(line.charAt(0), line.substring(2));
            if (parsed.type() == 'm') {
                if (mediaLine != null) {
                    sections.add(new MediaSection(mediaLine, mediaLines));
                    mediaLines = new ArrayList<>();
                }
                mediaLine = parsed.value();
            } else if (mediaLine == null) {
                session.add(parsed);
            } else {
                mediaLines.add(parsed);
            }
        }
        if (mediaLine != null) {
            sections.add(new MediaSection(mediaLine, mediaLines));
        }
        return new SessionDescription(session, sections);
    }

    /** The value of the last session-level {@code c=} line, or null. */
    public String connection() {
        return last(sessionLines, 'c');
    }

    /** The values (after the colon) of every session-level {@code a=<name>:...} line, in order. */
    public List<String> attributes(String name) {
        return attributes(sessionLines, name);
    }

    static String last(List<SdpLine> lines, char type) {
        String found = null;
        for (SdpLine line : lines) {
            if (line.type() == type) {
                found = line.value();
            }
        }
        return found;
    }

    static List<String> attributes(List<SdpLine> lines, String name) {
        List<String> values = new ArrayList<>();
        for (SdpLine line : lines) {
            if (line.isAttribute(name)) {
                values.add(line.attributeValue());
            }
        }
        return values;
    }
}
