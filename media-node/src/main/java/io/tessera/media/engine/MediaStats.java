package io.tessera.media.engine;

/**
 * An engine's totals since start.
 *
 * @param publishers          streams currently published
 * @param subscribers         subscriptions currently open
 * @param portsInUse          UDP ports held for endpoints
 * @param packetsReceived     RTP packets accepted from publishers
 * @param packetsForwarded    RTP packets sent to subscribers
 * @param packetsDropped      RTP packets not sent: a subscriber's socket buffer was full
 * @param foreignPackets      packets from an address that is not the stream's publisher, dropped
 * @param rtcpForwarded       RTCP packets passed on (sender reports to subscribers, feedback to publishers)
 * @param feedbackThrottled   keyframe requests not passed on because one had just been sent for the stream
 * @param bytesReceived       RTP bytes (UDP payload) accepted from publishers
 * @param bytesForwarded      RTP bytes sent to subscribers
 * @param forwardingErrors    socket errors and failed commands on the forwarding threads
 * @param commandRejections   endpoints refused because a forwarding thread's command queue was full
 */
public record MediaStats(int publishers, int subscribers, int portsInUse, long packetsReceived,
                         long packetsForwarded, long packetsDropped, long foreignPackets, long rtcpForwarded,
                         long feedbackThrottled, long bytesReceived, long bytesForwarded, long forwardingErrors,
                         long commandRejections) {

    public static final MediaStats EMPTY = new MediaStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public MediaStats plus(MediaStats o) {
        return new MediaStats(publishers + o.publishers, subscribers + o.subscribers, portsInUse + o.portsInUse,
                packetsReceived + o.packetsReceived, packetsForwarded + o.packetsForwarded,
                packetsDropped + o.packetsDropped, foreignPackets + o.foreignPackets, rtcpForwarded + o.rtcpForwarded,
                feedbackThrottled + o.feedbackThrottled, bytesReceived + o.bytesReceived,
                bytesForwarded + o.bytesForwarded, forwardingErrors + o.forwardingErrors,
                commandRejections + o.commandRejections);
    }
}
