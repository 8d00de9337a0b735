package io.tessera.client.rtp;

import io.tessera.wire.rtp.Rtcp;

import java.nio.ByteBuffer;

/**
 * Counts the RTCP that arrives on an RTCP socket: packets of compound datagrams by kind (sender reports, PLIs, FIRs)
 * and datagrams that are not valid RTCP. Written on the reactor thread only.
 */
final class RtcpCounter implements RtpReactor.DatagramHandler, Rtcp.Visitor {

    // Single writer (the reactor thread), so volatile is enough for readers elsewhere. The total is counted before
    // the kind, so that a reader that reads a kind first and the total second never sees fewer in all than of a kind.
    private volatile long packets;
    private volatile long senderReports;
    private volatile long plis;
    private volatile long firs;
    private volatile long malformed;

    @Override
    public void onDatagram(ByteBuffer packet, int length, long arrivalNanos) {
        if (!Rtcp.visit(packet, length, this)) {
            malformed++;
        }
    }

    @Override
    public void onRtcp(int packetType, int format) {
        packets++;
        if (packetType == Rtcp.SENDER_REPORT) {
            senderReports++;
        } else if (packetType == Rtcp.PAYLOAD_FEEDBACK && format == Rtcp.FMT_PLI) {
            plis++;
        } else if (packetType == Rtcp.PAYLOAD_FEEDBACK && format == Rtcp.FMT_FIR) {
            firs++;
        }
    }

    long senderReports() {
        return senderReports;
    }

    /** Valid packets other than sender reports. */
    long notSenderReports() {
        long kind = senderReports;
        return packets - kind;
    }

    long plis() {
        return plis;
    }

    long firs() {
        return firs;
    }

    /** Valid packets other than PLI and FIR. */
    long notKeyframeRequests() {
        long kinds = plis + firs;
        return packets - kinds;
    }

    long malformed() {
        return malformed;
    }
}
