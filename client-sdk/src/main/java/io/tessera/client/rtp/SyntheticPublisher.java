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
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Sends a synthetic RTP video stream at a fixed packet rate, paced by its {@link RtpReactor} (no thread of its own),
 * plus an RTCP sender report every second, and counts the RTCP feedback (PLI, FIR) that comes back.
 *
 * <p>Each packet: 12-byte RTP header (sequence +1 per packet, wrapping at 65535; timestamp at the clock rate from the
 * time elapsed since {@link #start}; marker on the last packet of each frame), then magic {@code "TSR1"}, the send
 * time in epoch µs and the packet index (both 8 bytes, big endian), then zeros up to the packet size.
 *
 * <pre>{@code
 * SyntheticPublisher pub = SyntheticPublisher.builder(reactor).packetsPerSecond(200).bind();
 * PublishResult r = client.publishVideo(PublishOptions.camera(pub.sdpOffer())).get();
 * pub.start(PlainRtpAnswer.parse(r.sdpAnswer()));
 * }</pre>
 */
public final class SyntheticPublisher implements AutoCloseable {

    private static final long SR_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Packets sent at most per timer run, so that a late reactor catches up in steps. */
    private static final int MAX_BURST = 64;
    /** Farther behind than this, the publisher stops catching up and skips the missed slots. */
    private static final long MAX_LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final RtpReactor reactor;
    private final DatagramChannel rtp;
    private final DatagramChannel rtcp;
    private final InetAddress localAddress;
    private final int payloadType;
    private final String codec;
    private final int clockRate;
    private final long ssrc;
    private final int packetsPerSecond;
    private final int packetSize;
    private final int packetsPerFrame;
    private final long packetLimit;
    private final long timestampBase;
    private final RtcpCounter feedback = new RtcpCounter();
    private final Object lifecycle = new Object();

    // Written on the reactor thread only (single writer), volatile for readers on other threads.
    private volatile long sent;
    private volatile long sendFailures;
    private volatile long slotsSkipped;
    private volatile long senderReports;

    // Reactor thread only.
    private int sequence;
    private long startNanos;
    private long slot;
    private long frameTimestamp;
    private InetSocketAddress rtpTarget;
    private InetSocketAddress rtcpTarget;

    private RtpReactor.Timer pacer; // guarded by lifecycle
    private RtpReactor.Timer reporter; // guarded by lifecycle
    private boolean started; // guarded by lifecycle
    private boolean stopped; // guarded by lifecycle

    private SyntheticPublisher(Builder b, DatagramChannel rtp, DatagramChannel rtcp) {
        this.reactor = b.reactor;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.localAddress = b.localAddress;
        this.payloadType = b.payloadType;
        this.codec = b.codec;
        this.clockRate = b.clockRate;
        this.ssrc = b.ssrc;
        this.packetsPerSecond = b.packetsPerSecond;
        this.packetSize = b.packetSize;
        this.packetsPerFrame = b.packetsPerFrame;
        this.packetLimit = b.packetLimit;
        this.sequence = b.startSequence;
        this.timestampBase = ThreadLocalRandom.current().nextLong(1L << 32);
    }

    /** Options for a publisher that will run on {@code reactor}. */
    public static Builder builder(RtpReactor reactor) {
        return new Builder(reactor);
    }

    /** The sendonly SDP offer naming our RTP and RTCP address, for {@code publishVideo}. */
    public String sdpOffer() {
        return PlainRtpOffer.write(localAddress.getHostAddress(), rtpPort(), rtcpPort(), payloadType, codec,
                clockRate, ssrc, Direction.SENDONLY);
    }

    /** Starts sending to the RTP and RTCP addresses named by the media node's answer. */
    public void start(PlainRtpAnswer answer) {
        start(answer.rtpSocketAddress(), answer.rtcpSocketAddress());
    }

    /** Starts sending RTP to {@code rtpTarget} and sender reports to {@code rtcpTarget}; at most once. */
    public void start(InetSocketAddress rtpTarget, InetSocketAddress rtcpTarget) {
        Objects.requireNonNull(rtpTarget, "rtpTarget");
        Objects.requireNonNull(rtcpTarget, "rtcpTarget");
        synchronized (lifecycle) {
            if (stopped) {
                throw new IllegalStateException("publisher " + ssrc + " is stopped");
            }
            if (started) {
                throw new IllegalStateException("publisher " + ssrc + " is already started");
            }
            started = true;
            reactor.execute(() -> {
                this.rtpTarget = rtpTarget;
                this.rtcpTarget = rtcpTarget;
                this.startNanos = System.nanoTime();
            });
            long now = System.nanoTime();
            pacer = reactor.schedule(now, this::sendDuePackets);
            reporter = reactor.schedule(now, this::sendSenderReport);
        }
    }

    /**
     * Sends to another media node from now on (after its session moved there), keeping SSRC, sequence numbers
     * and pacing, so a receiver sees one stream with a gap rather than a new stream.
     */
    public void retarget(PlainRtpAnswer answer) {
        InetSocketAddress rtp = answer.rtpSocketAddress();
        InetSocketAddress rtcp = answer.rtcpSocketAddress();
        reactor.execute(() -> {
            this.rtpTarget = rtp;
            this.rtcpTarget = rtcp;
        });
    }

    /** Stops sending and closes both sockets; returns once their ports are free again. Idempotent. */
    public void stop() {
        synchronized (lifecycle) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (pacer != null) {
                pacer.cancel();
                reporter.cancel();
            }
        }
        reactor.closeAndRelease(rtp, rtcp);
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** RTP packets handed to the kernel. */
    public long sent() {
        return sent;
    }

    /** Whether the packet limit was reached (never true without a limit). */
    public boolean finished() {
        return packetLimit > 0 && sent >= packetLimit;
    }

    /** RTP packets the kernel refused (socket buffer full or send error); their sequence numbers were not used. */
    public long sendFailures() {
        return sendFailures;
    }

    /** Packet slots skipped because the reactor fell more than 200 ms behind: the generator is overloaded. */
    public long slotsSkipped() {
        return slotsSkipped;
    }

    /** RTCP sender reports sent. */
    public long senderReportsSent() {
        return senderReports;
    }

    /** PLIs (RTCP PT=206 FMT=1) received on our RTCP socket. */
    public long plisReceived() {
        return feedback.plis();
    }

    /** FIRs (RTCP PT=206 FMT=4) received on our RTCP socket. */
    public long firsReceived() {
        return feedback.firs();
    }

    /** Other valid RTCP packets received on our RTCP socket (receiver reports, ...). */
    public long otherRtcpReceived() {
        return feedback.notKeyframeRequests();
    }

    /** Datagrams on our RTCP socket that were not valid RTCP. */
    public long malformedRtcpReceived() {
        return feedback.malformed();
    }

    /** Our SSRC. */
    public long ssrc() {
        return ssrc;
    }

    /** The bound local RTP port. */
    public int rtpPort() {
        return portOf(rtp);
    }

    /** The bound local RTCP port. */
    public int rtcpPort() {
        return portOf(rtcp);
    }

    private static int portOf(DatagramChannel c) {
        try {
            return UdpChannels.localPort(c);
        } catch (IOException e) {
            throw new IllegalStateException("socket is closed", e);
        }
    }

    // ---------------------------------------------------------------- reactor thread

    private long sendDuePackets(long now) {
        long interval = 1_000_000_000L; // slot k is due at startNanos + k * 1e9 / rate, exact on average
        for (int burst = 0; burst < MAX_BURST; burst++) {
            if (packetLimit > 0 && sent >= packetLimit) {
                return -1;
            }
            long due = startNanos + slot * interval / packetsPerSecond;
            if (due > now) {
                return due;
            }
            sendOne(now);
            slot++;
        }
        long behind = now - (startNanos + slot * interval / packetsPerSecond);
        if (behind > MAX_LAG_NANOS) {
            long skip = behind * packetsPerSecond / interval;
            slot += skip;
            slotsSkipped += skip;
        }
        return now; // more are due: run again after the sockets had their turn
    }

    private void sendOne(long now) {
        long index = sent;
        boolean frameStart = index % packetsPerFrame == 0;
        boolean marker = (index + 1) % packetsPerFrame == 0;
        if (frameStart) {
            frameTimestamp = timestampBase + RtpClock.ticks(now - startNanos, clockRate);
        }
        ByteBuffer b = reactor.sendBuffer();
        b.clear(); // absolute puts are bounded by the limit the previous send left
        RtpHeader.write(b, marker, payloadType, sequence, frameTimestamp, ssrc);
        RtpPacket.writeSyntheticPrefix(b, RtpHeader.SIZE, RtpClock.epochMicros(now), index);
        b.limit(packetSize).position(0);
        try {
            if (rtp.send(b, rtpTarget) > 0) {
                sent = index + 1;
                sequence = (sequence + 1) & 0xFFFF;
            } else {
                sendFailures++;
            }
        } catch (IOException e) {
            sendFailures++; // no log per packet: the counter shows it
        }
    }

    private long sendSenderReport(long now) {
        ByteBuffer b = reactor.sendBuffer();
        b.clear();
        long rtpTimestamp = timestampBase + RtpClock.ticks(now - startNanos, clockRate);
        long packets = sent;
        Rtcp.writeSenderReport(b, ssrc, RtpClock.epochMicros(now), rtpTimestamp, packets,
                packets * (packetSize - RtpHeader.SIZE));
        b.limit(Rtcp.SENDER_REPORT_SIZE).position(0);
        try {
            if (rtcp.send(b, rtcpTarget) > 0) {
                senderReports++;
            }
        } catch (IOException e) {
            // The next report a second later tries again.
        }
        return now + SR_INTERVAL_NANOS;
    }

    /** Options of a {@link SyntheticPublisher}; every value is checked when set. */
    public static final class Builder {
        private final RtpReactor reactor;
        private InetAddress localAddress = InetAddress.getLoopbackAddress();
        private int rtpPort;
        private int rtcpPort;
        private int payloadType = 96;
        private String codec = "VP8";
        private int clockRate = 90_000;
        private long ssrc = ThreadLocalRandom.current().nextLong(1, 1L << 32);
        private int packetsPerSecond = 100;
        private int packetSize = 1_200;
        private int packetsPerFrame = 1;
        private int startSequence = ThreadLocalRandom.current().nextInt(65_536);
        private long packetLimit;
        private int receiveBufferBytes = 256 * 1024;

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

        /** The RTP payload type (default 96). */
        public Builder payloadType(int pt) {
            if (pt < 0 || pt > 127) {
                throw new IllegalArgumentException("payloadType must be 0..127, got " + pt);
            }
            this.payloadType = pt;
            return this;
        }

        /** The codec name and clock rate put in the offer (default VP8/90000); the payload stays synthetic. */
        public Builder codec(String name, int clockRate) {
            if (clockRate <= 0) {
                throw new IllegalArgumentException("clockRate must be positive, got " + clockRate);
            }
            this.codec = Objects.requireNonNull(name, "name");
            this.clockRate = clockRate;
            return this;
        }

        /** Our SSRC (default random, never 0). */
        public Builder ssrc(long ssrc) {
            if (ssrc < 0 || ssrc > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("ssrc must fit 32 bits unsigned, got " + ssrc);
            }
            this.ssrc = ssrc;
            return this;
        }

        /** Packets per second (default 100; 1..100000). */
        public Builder packetsPerSecond(int rate) {
            if (rate < 1 || rate > 100_000) {
                throw new IllegalArgumentException("packetsPerSecond must be 1..100000, got " + rate);
            }
            this.packetsPerSecond = rate;
            return this;
        }

        /** UDP payload size of each RTP packet, header included (default 1200; 32..65507). */
        public Builder packetSize(int bytes) {
            if (bytes < RtpPacket.MIN_SYNTHETIC_SIZE || bytes > RtpReactor.MAX_DATAGRAM) {
                throw new IllegalArgumentException("packetSize must be " + RtpPacket.MIN_SYNTHETIC_SIZE + ".."
                        + RtpReactor.MAX_DATAGRAM + ", got " + bytes);
            }
            this.packetSize = bytes;
            return this;
        }

        /** Packets per video frame: they share a timestamp and the last has the marker bit (default 1). */
        public Builder packetsPerFrame(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("packetsPerFrame must be at least 1, got " + n);
            }
            this.packetsPerFrame = n;
            return this;
        }

        /** The first sequence number (default random), e.g. 65500 to test the wrap. */
        public Builder startSequence(int seq) {
            if (seq < 0 || seq > 65_535) {
                throw new IllegalArgumentException("startSequence must be 0..65535, got " + seq);
            }
            this.startSequence = seq;
            return this;
        }

        /** Stop sending RTP after this many packets (default 0: no limit); sender reports go on. */
        public Builder packetLimit(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("packetLimit must be 0 (none) or positive, got " + n);
            }
            this.packetLimit = n;
            return this;
        }

        /** SO_RCVBUF of the RTCP socket (default 256 KiB; the kernel may cap it). */
        public Builder receiveBufferBytes(int bytes) {
            this.receiveBufferBytes = bytes;
            return this;
        }

        /** Binds both sockets and registers the RTCP one with the reactor; nothing is sent before {@code start}. */
        public SyntheticPublisher bind() throws IOException {
            DatagramChannel rtp = UdpChannels.bind(localAddress, rtpPort, 0);
            DatagramChannel rtcp;
            try {
                rtcp = UdpChannels.bind(localAddress, rtcpPort, receiveBufferBytes);
            } catch (IOException | RuntimeException e) {
                rtp.close();
                throw e;
            }
            SyntheticPublisher p = new SyntheticPublisher(this, rtp, rtcp);
            try {
                UdpChannels.await(reactor.register(rtcp, p.feedback));
            } catch (IOException | RuntimeException e) {
                reactor.closeAndRelease(rtp, rtcp);
                throw e;
            }
            return p;
        }
    }
}
