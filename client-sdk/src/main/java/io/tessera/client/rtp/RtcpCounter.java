package io.tessera.client.rtp;

import io.tessera.wire.rtp.Rtcp;

import java.nio.ByteBuffer;

/** Counts the RTCP a publisher receives: PLIs, FIRs, others, malformed. Written on the reactor thread only. */
final class RtcpCounter implements RtpReactor.DatagramHandler, Rtcp.Visitor {

    // Single writer (the reactor thread), so volatile is enough for readers elsewhere.
    private volatile long plis;
    private volatile long firs;
    private volatile long others;
    private volatile long malformed;

    @Override
    public void onDatagram(ByteBuffer packet, int length, long arrivalNanos) {
        if (!Rtcp.visit(packet, length, this)) {
            malformed++;
        }
    }

    @Override
    public void onRtcp(int packetType, int format) {
        if (packetType == Rtcp.PAYLOAD_FEEDBACK && format == Rtcp.FMT_PLI) {
            plis++;
        } else if (packetType == Rtcp.PAYLOAD_FEEDBACK && format == Rtcp.FMT_FIR) {
            firs++;
        } else {
            others++;
        }
    }

    long plis() {
        return plis;
    }

    long firs() {
        return firs;
    }

    long others() {
        return others;
    }

    long malformed() {
        return malformed;
    }
}
