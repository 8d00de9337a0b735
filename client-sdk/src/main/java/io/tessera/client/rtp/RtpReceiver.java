package io.tessera.client.rtp;

import io.tessera.wire.sdp.PlainRtpAnswer;
import io.tessera.wire.sdp.PlainRtpOffer;
import io.tessera.wire.sdp.Direction;

import io.tessera.wire.rtp.RtpHeader;
import io.tessera.wire.rtp.Rtcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;

/**
 * Receives RTP on its own sockets (driven by an {@link RtpReactor}) and counts per SSRC: packets, losses,
 * duplicates, reordering, RFC 3550 jitter and the one-way latency carried by {@link SyntheticPublisher} payloads.
 * Sends PLI and FIR to the media node on request.
 *
 * <pre>{@code
 * RtpReceiver rx = RtpReceiver.builder(reactor).bind();
 * String answer = client.receiveVideoFrom(streamId, rx.sdpOffer(96, "VP8")).get();
 * rx.remote(PlainRtpAnswer.parse(answer));
 * ...
 * RtpReceiver.Stats s = rx.stats();
 * }</pre>
 */
public final class RtpReceiver implements AutoCloseable {

    /**
     * What was received from one SSRC.
     *
     * @param ssrc              the stream's SSRC
     * @param payloadType       the payload type of the latest packet
     * @param received          distinct packets received (duplicates not counted)
     * @param lost              packets expected from the sequence numbers but not received (late ones excluded)
     * @param duplicates        packets whose sequence number was already received
     * @param outOfOrder        packets that arrived after a higher sequence number
     * @param bytes             UDP payload bytes of the distinct packets
     * @param firstPacket       arrival time of the first packet
     * @param lastPacket        arrival time of the latest packet
     * @param jitterMs          RFC 3550 interarrival jitter, in milliseconds
     * @param latencyMicros     one-way latency of the packets with a synthetic timestamp, µs (a private copy)
     * @param negativeLatencies packets whose send time was later than their arrival (clock skew), not recorded
     * @param withoutTimestamp  packets without the synthetic payload prefix, not in the latency histogram
     */
    public record StreamStats(long ssrc, int payloadType, long received, long lost, long duplicates, long outOfOrder,
                              long bytes, Instant firstPacket, Instant lastPacket, double jitterMs,
                              Histogram latencyMicros, long negativeLatencies, long withoutTimestamp) {
    }

    /**
     * A snapshot of a receiver.
     *
     * @param streams         one entry per SSRC, in order of first packet
     * @param malformed       datagrams on the RTP socket that were not RTP version 2 of at least 12 bytes
     * @param overLimit       RTP packets dropped because they came from more SSRCs than the limit
     * @param senderReports   RTCP sender reports (PT=200) received on the RTCP socket
     * @param otherRtcp       other valid RTCP packets received on the RTCP socket
     * @param malformedRtcp   datagrams on the RTCP socket that were not valid RTCP
     */
    public record Stats(List<StreamStats> streams, long malformed, long overLimit, long senderReports, long otherRtcp,
                        long malformedRtcp) {

        public Stats {
            streams = List.copyOf(streams);
        }

        /** The stream with this SSRC, if any packet came from it. */
        public Optional<StreamStats> stream(long ssrc) {
            return streams.stream().filter(s -> s.ssrc() == ssrc).findFirst();
        }

        /** Distinct packets received over all streams. */
        public long received() {
            return streams.stream().mapToLong(StreamStats::received).sum();
        }

        /** Packets lost over all streams. */
        public long lost() {
            return streams.stream().mapToLong(StreamStats::lost).sum();
        }
    }

    private final RtpReactor reactor;
    private final DatagramChannel rtp;
    private final DatagramChannel rtcp;
    private final InetAddress localAddress;
    private final long ownSsrc;
    private final int clockRate;
    private final int maxStreams;
    private final long highestLatencyMicros;
    private final int latencyDigits;
    private final Object lock = new Object(); // uncontended on the hot path: only stats() competes
    private final StreamCounter[] streams; // guarded by lock, filled in order
    private final RtpHandler rtpHandler = new RtpHandler();
    private final RtcpCounter rtcpCounter = new RtcpCounter();
    private final ByteBuffer feedback = ByteBuffer.allocate(Rtcp.FIR_SIZE); // guarded by itself
    private int streamCount; // guarded by lock
    private long malformed; // guarded by lock
    private long overLimit; // guarded by lock
    private volatile InetSocketAddress remoteRtcp;
    private volatile long remoteMediaSsrc = -1;
    private int firSequence; // guarded by feedback
    private volatile boolean closed;

    private RtpReceiver(Builder b, DatagramChannel rtp, DatagramChannel rtcp) {
        this.reactor = b.reactor;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.localAddress = b.localAddress;
        this.ownSsrc = b.ssrc;
        this.clockRate = b.clockRate;
        this.maxStreams = b.maxStreams;
        this.highestLatencyMicros = b.highestLatencyMicros;
        this.latencyDigits = b.latencyDigits;
        this.streams = new StreamCounter[b.maxStreams];
    }

    /** Options for a receiver that will run on {@code reactor}. */
    public static Builder builder(RtpReactor reactor) {
        return new Builder(reactor);
    }

    /** The bound local RTP port. */
    public int rtpPort() {
        return portOf(rtp);
    }

    /** The bound local RTCP port. */
    public int rtcpPort() {
        return portOf(rtcp);
    }

    /** The bound RTP address, e.g. as the target of a publisher in tests. */
    public InetSocketAddress rtpAddress() {
        return new InetSocketAddress(localAddress, rtpPort());
    }

    /** The bound RTCP address. */
    public InetSocketAddress rtcpAddress() {
        return new InetSocketAddress(localAddress, rtcpPort());
    }

    /** Our own SSRC, the sender SSRC of our PLIs and FIRs. */
    public long ssrc() {
        return ownSsrc;
    }

    /** The recvonly SDP offer naming our RTP and RTCP ports, for {@code receiveVideoFrom}. */
    public String sdpOffer(int payloadType, String codec) {
        return PlainRtpOffer.write(localAddress.getHostAddress(), rtpPort(), rtcpPort(), payloadType, codec,
                clockRate, ownSsrc, Direction.RECVONLY);
    }

    /** Takes the media node's RTCP address (and the stream's SSRC if the answer names one) for PLI and FIR. */
    public void remote(PlainRtpAnswer answer) {
        remote(answer.rtcpSocketAddress(), answer.ssrc());
    }

    /**
     * Sets where PLI and FIR go and for which SSRC; {@code mediaSsrc} -1 means the first SSRC received.
     */
    public void remote(InetSocketAddress rtcpTarget, long mediaSsrc) {
        this.remoteRtcp = Objects.requireNonNull(rtcpTarget, "rtcpTarget");
        this.remoteMediaSsrc = mediaSsrc;
    }

    /** Sends a PLI (RTCP PT=206 FMT=1); false when the socket buffer was full. */
    public boolean sendPli() throws IOException {
        return sendFeedback(false);
    }

    /** Sends a FIR (RTCP PT=206 FMT=4, RFC 5104) with the next request sequence number; false when the buffer was full. */
    public boolean sendFir() throws IOException {
        return sendFeedback(true);
    }

    private boolean sendFeedback(boolean fir) throws IOException {
        InetSocketAddress target = remoteRtcp;
        if (target == null) {
            throw new IllegalStateException("no remote RTCP address: call remote(answer) first");
        }
        long media = mediaSsrc();
        synchronized (feedback) {
            feedback.clear();
            if (fir) {
                Rtcp.writeFir(feedback, ownSsrc, media, firSequence++);
                feedback.limit(Rtcp.FIR_SIZE).position(0);
            } else {
                Rtcp.writePli(feedback, ownSsrc, media);
                feedback.limit(Rtcp.PLI_SIZE).position(0);
            }
            return rtcp.send(feedback, target) > 0;
        }
    }

    private long mediaSsrc() {
        long named = remoteMediaSsrc;
        if (named >= 0) {
            return named;
        }
        synchronized (lock) {
            if (streamCount > 0) {
                return streams[0].ssrc;
            }
        }
        throw new IllegalStateException("no media SSRC known yet: the answer names none and no RTP has arrived");
    }

    /** An immutable snapshot of every counter (the latency histograms are copied). */
    public Stats stats() {
        List<StreamStats> list = new ArrayList<>();
        long malformedNow;
        long overLimitNow;
        synchronized (lock) {
            for (int i = 0; i < streamCount; i++) {
                list.add(streams[i].snapshot());
            }
            malformedNow = malformed;
            overLimitNow = overLimit;
        }
        return new Stats(list, malformedNow, overLimitNow, rtcpCounter.senderReports(),
                rtcpCounter.notSenderReports(), rtcpCounter.malformed());
    }

    /** Closes both sockets; returns once their ports are free again. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        reactor.closeAndRelease(rtp, rtcp);
    }

    private static int portOf(DatagramChannel c) {
        try {
            return UdpChannels.localPort(c);
        } catch (IOException e) {
            throw new IllegalStateException("socket is closed", e);
        }
    }

    // ---------------------------------------------------------------- reactor thread

    private final class RtpHandler implements RtpReactor.DatagramHandler {
        @Override
        public void onDatagram(ByteBuffer packet, int length, long arrivalNanos) {
            synchronized (lock) {
                if (!RtpHeader.isRtp(packet, length)) {
                    malformed++;
                    return;
                }
                StreamCounter counter = counterFor(RtpHeader.ssrc(packet));
                if (counter == null) {
                    overLimit++;
                    return;
                }
                counter.onRtp(packet, length, arrivalNanos);
            }
        }

        // A linear scan: a receiver sees one or a few SSRCs, and this allocates nothing.
        private StreamCounter counterFor(long ssrc) {
            for (int i = 0; i < streamCount; i++) {
                if (streams[i].ssrc == ssrc) {
                    return streams[i];
                }
            }
            if (streamCount == maxStreams) {
                return null;
            }
            StreamCounter c = new StreamCounter(ssrc, clockRate, highestLatencyMicros, latencyDigits);
            streams[streamCount++] = c;
            return c;
        }
    }

    /** Options of an {@link RtpReceiver}; every value is checked when set. */
    public static final class Builder {
        private final RtpReactor reactor;
        private InetAddress localAddress = InetAddress.getLoopbackAddress();
        private int rtpPort;
        private int rtcpPort;
        private int clockRate = 90_000;
        private int maxStreams = 8;
        private long highestLatencyMicros = 60_000_000L;
        private int latencyDigits = 2;
        private int receiveBufferBytes = 1024 * 1024;
        private long ssrc = ThreadLocalRandom.current().nextLong(1, 1L << 32);

        private Builder(RtpReactor reactor) {
            this.reactor = Objects.requireNonNull(reactor, "reactor");
        }

        /** The local IP to bind and to name in the offer (default loopback). */
        public Builder localAddress(InetAddress address) {
            this.localAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The local RTP port (default 0: any free port). */
        public Builder rtpPort(int port) {
            UdpChannels.checkPort(port, "rtpPort");
            this.rtpPort = port;
            return this;
        }

        /** The local RTCP port (default 0: any free port). */
        public Builder rtcpPort(int port) {
            UdpChannels.checkPort(port, "rtcpPort");
            this.rtcpPort = port;
            return this;
        }

        /** The RTP clock rate used for jitter (default 90000, video). */
        public Builder clockRate(int hz) {
            if (hz <= 0) {
                throw new IllegalArgumentException("clockRate must be positive, got " + hz);
            }
            this.clockRate = hz;
            return this;
        }

        /** SSRCs counted at most; packets of further SSRCs are dropped and counted (default 8). */
        public Builder maxStreams(int n) {
            if (n < 1 || n > 1_024) {
                throw new IllegalArgumentException("maxStreams must be 1..1024, got " + n);
            }
            this.maxStreams = n;
            return this;
        }

        /**
         * Latency histogram range and precision (default 60 s, 2 significant digits: about 20 KiB per stream);
         * longer latencies are recorded as the highest value.
         */
        public Builder latencyHistogram(long highestMicros, int significantDigits) {
            if (highestMicros < 2 || significantDigits < 1 || significantDigits > 5) {
                throw new IllegalArgumentException("latency histogram needs highestMicros >= 2 and 1..5 digits, got "
                        + highestMicros + ", " + significantDigits);
            }
            this.highestLatencyMicros = highestMicros;
            this.latencyDigits = significantDigits;
            return this;
        }

        /** SO_RCVBUF of the RTP socket (default 1 MiB; the kernel may cap it). */
        public Builder receiveBufferBytes(int bytes) {
            this.receiveBufferBytes = bytes;
            return this;
        }

        /** Our own SSRC for RTCP feedback (default random, never 0). */
        public Builder ssrc(long ssrc) {
            if (ssrc < 0 || ssrc > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("ssrc must fit 32 bits unsigned, got " + ssrc);
            }
            this.ssrc = ssrc;
            return this;
        }

        /** Binds both sockets and registers them with the reactor. */
        public RtpReceiver bind() throws IOException {
            DatagramChannel rtp = UdpChannels.bind(localAddress, rtpPort, receiveBufferBytes);
            DatagramChannel rtcp;
            try {
                rtcp = UdpChannels.bind(localAddress, rtcpPort, 0);
            } catch (IOException | RuntimeException e) {
                rtp.close();
                throw e;
            }
            RtpReceiver r = new RtpReceiver(this, rtp, rtcp);
            try {
                UdpChannels.await(reactor.register(rtp, r.rtpHandler));
                UdpChannels.await(reactor.register(rtcp, r.rtcpCounter));
            } catch (IOException | RuntimeException e) {
                reactor.closeAndRelease(rtp, rtcp);
                throw e;
            }
            return r;
        }
    }
}
