package io.tessera.wire.sdp;

/** Writes SDP lines, each ending with CRLF (RFC 4566); the session header first, then media sections. */
public final class SdpWriter {

    private final StringBuilder sdp = new StringBuilder(256);

    /**
     * Starts an SDP with {@code v=}, {@code o=}, {@code s=}, a session-level {@code c=} and {@code t=0 0}.
     *
     * @param username   the {@code o=} user name ({@code -} for none)
     * @param sessionId  the {@code o=} session id (also used as its version, 1)
     * @param address    the address of {@code o=} and {@code c=}: IP6 when it holds a colon, else IP4
     */
    public SdpWriter(String username, long sessionId, String sessionName, String address) {
        String ipVersion = address.contains(":") ? "IP6" : "IP4";
        line('v', "0");
        line('o', username + " " + sessionId + " 1 IN " + ipVersion + " " + address);
        line('s', sessionName);
        line('c', "IN " + ipVersion + " " + address);
        line('t', "0 0");
    }

    public SdpWriter line(char type, String value) {
        sdp.append(type).append('=').append(value).append("\r\n");
        return this;
    }

    /** {@code a=<name>:<value>}. */
    public SdpWriter attribute(String name, String value) {
        return line('a', name + ":" + value);
    }

    /** {@code a=<flag>}, e.g. a direction. */
    public SdpWriter flag(String flag) {
        return line('a', flag);
    }

    @Override
    public String toString() {
        return sdp.toString();
    }
}
