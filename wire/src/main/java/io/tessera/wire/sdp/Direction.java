package io.tessera.wire.sdp;

import java.util.Locale;

/** Which way media flows (RFC 4566 section 6), seen from the side that wrote the SDP. */
public enum Direction {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    public boolean sends() {
        return this == SENDRECV || this == SENDONLY;
    }

    public boolean receives() {
        return this == SENDRECV || this == RECVONLY;
    }

    /** The attribute naming it: {@code sendonly}... */
    public String attribute() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The direction an attribute line names, or null when it names none. */
    public static Direction ofAttribute(SdpLine line) {
        if (line.type() != 'a') {
            return null;
        }
        return switch (line.value()) {
            case "sendrecv" -> SENDRECV;
            case "sendonly" -> SENDONLY;
            case "recvonly" -> RECVONLY;
            case "inactive" -> INACTIVE;
            default -> null;
        };
    }
}
