package io.tessera.loadtest.browser;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a test reads from {@code RTCPeerConnection.getStats()} (via {@code rtc-stats.js}): received media, summed over
 * the inbound-rtp entries of each kind, and the addresses of the selected candidate pair.
 *
 * @param videoFramesDecoded   inbound-rtp video {@code framesDecoded}
 * @param videoPacketsReceived inbound-rtp video {@code packetsReceived}
 * @param audioPacketsReceived inbound-rtp audio {@code packetsReceived}
 * @param videoPacketsSent     outbound-rtp video {@code packetsSent}
 * @param audioPacketsSent     outbound-rtp audio {@code packetsSent}
 * @param localAddress         the selected pair's local candidate address ("" before ICE selected one)
 * @param remoteAddress        the selected pair's remote candidate address
 * @param iceState             {@code RTCPeerConnection.iceConnectionState}
 */
public record RtcStats(long videoFramesDecoded, long videoPacketsReceived, long audioPacketsReceived,
                       long videoPacketsSent, long audioPacketsSent, String localAddress, String remoteAddress,
                       String iceState) {

    static RtcStats from(JsonNode json) {
        return new RtcStats(json.path("videoFramesDecoded").asLong(), json.path("videoPacketsReceived").asLong(),
                json.path("audioPacketsReceived").asLong(), json.path("videoPacketsSent").asLong(),
                json.path("audioPacketsSent").asLong(), json.path("localAddress").asText(""),
                json.path("remoteAddress").asText(""), json.path("iceState").asText(""));
    }

    /** Both ends of the selected pair are IPv4 loopback (127.0.0.0/8). */
    public boolean selectedPairOnLoopback() {
        return localAddress.startsWith("127.") && remoteAddress.startsWith("127.");
    }
}
