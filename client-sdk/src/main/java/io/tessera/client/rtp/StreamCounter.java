package io.tessera.client.rtp;

import io.tessera.wire.rtp.RtpHeader;

import java.nio.ByteBuffer;
import org.HdrHistogram.Histogram;

/** Everything counted for one SSRC on a receiver. Not thread-safe: the receiver guards it. */
final class StreamCounter {

    final long ssrc;
    private final int clockRate;
    private final long highestLatencyMicros;
    private final SequenceTracker sequences = new SequenceTracker();
    private final Histogram latencyMicros;
    private int payloadType;
    private long bytes;
    private long firstEpochMicros;
    private long lastEpochMicros;
    private boolean hasTransit;
    private long lastTransit;
    private double jitterTicks;
    private long negativeLatencies;
    private long withoutTimestamp;

    StreamCounter(long ssrc, int clockRate, long highestLatencyMicros, int latencyDigits) {
        this.ssrc = ssrc;
        this.clockRate = clockRate;
        this.highestLatencyMicros = highestLatencyMicros;
        this.latencyMicros = new Histogram(highestLatencyMicros, latencyDigits);
    }

    void onRtp(ByteBuffer packet, int length, long arrivalNanos) {
        long nowMicros = RtpClock.epochMicros(arrivalNanos);
        if (firstEpochMicros == 0) {
            firstEpochMicros = nowMicros;
        }
        lastEpochMicros = nowMicros;
        payloadType = RtpHeader.payloadType(packet);
        if (sequences.onPacket(RtpHeader.sequence(packet)) == SequenceTracker.Kind.DUPLICATE) {
            return;
        }
        bytes += length;
        updateJitter(RtpHeader.timestamp(packet), arrivalNanos);
        long sentMicros = RtpPacket.syntheticSendMicros(packet, length);
        if (sentMicros == Long.MIN_VALUE) {
            withoutTimestamp++;
        } else if (nowMicros < sentMicros) {
            negativeLatencies++; // clocks of two processes disagree: not a latency
        } else {
            latencyMicros.recordValue(Math.min(nowMicros - sentMicros, highestLatencyMicros));
        }
    }

    // RFC 3550 6.4.1: J += (|D| - J) / 16, D the change in transit time, all in RTP clock ticks.
    private void updateJitter(long rtpTimestamp, long arrivalNanos) {
        long transit = RtpClock.ticks(arrivalNanos, clockRate) - rtpTimestamp;
        if (hasTransit) {
            int d = (int) (transit - lastTransit); // int: the 32-bit RTP timestamp may have wrapped
            jitterTicks += (Math.abs((double) d) - jitterTicks) / 16.0;
        }
        lastTransit = transit;
        hasTransit = true;
    }

    RtpReceiver.StreamStats snapshot() {
        return new RtpReceiver.StreamStats(ssrc, payloadType, sequences.received(), sequences.lost(),
                sequences.duplicates(), sequences.outOfOrder(), bytes, RtpClock.toInstant(firstEpochMicros),
                RtpClock.toInstant(lastEpochMicros), jitterTicks * 1_000.0 / clockRate, latencyMicros.copy(),
                negativeLatencies, withoutTimestamp);
    }
}
