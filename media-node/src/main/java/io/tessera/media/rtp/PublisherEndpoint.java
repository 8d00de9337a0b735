package io.tessera.media.rtp;

import io.tessera.media.fencing.MediaFence;
import io.tessera.wire.sdp.PlainRtpOffer;

import io.tessera.wire.rtp.Rtcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;

/**
 * The node's side of one published stream: the RTP socket its publisher sends to and the RTCP socket that
 * exchanges reports and feedback with it. Forwards every RTP packet, untouched, to each subscriber. All
 * methods but the constructor run on the owning {@link ForwardingLoop}.
 */
final class PublisherEndpoint implements ForwardingLoop.ReadHandler {
    private static final SubscriberEndpoint[] NONE = new SubscriberEndpoint[0];

    final String streamId;
    final int rtpPort;
    final PlainRtpOffer offer;
    final DatagramChannel rtp;
    final DatagramChannel rtcp;
    private final InetSocketAddress publisherRtp;
    /** Where subscribers' feedback goes; for a relay, unknown (null) until {@link #feedbackTo} names it. */
    private InetSocketAddress publisherRtcp;
    private final InetAddress publisherHost;
    /**
     * A relay of another engine on this host (a browser's stream forwarded by Janus): RTP is taken from any port of
     * {@link #publisherHost}, or of any loopback address when that is one (the forwarder's socket is not ours to
     * choose, and the kernel gives a packet to 127.0.0.21 the source 127.0.0.1), and what arrives on the RTCP port is not
     * passed on (the forwarder sends only its latching packets there).
     */
    private final boolean relay;
    private final long keyframeRequestIntervalNanos;
    private long lastKeyframeRequest = Long.MIN_VALUE / 2;
    /** Copy-on-write: changed rarely (subscribe/unsubscribe), read for every packet. */
    private SubscriberEndpoint[] subscribers = NONE;

    PublisherEndpoint(String streamId, int rtpPort, PlainRtpOffer offer, DatagramChannel rtp, DatagramChannel rtcp,
                      long keyframeRequestIntervalNanos) {
        this(streamId, rtpPort, offer, rtp, rtcp, keyframeRequestIntervalNanos, false);
    }

    PublisherEndpoint(String streamId, int rtpPort, PlainRtpOffer offer, DatagramChannel rtp, DatagramChannel rtcp,
                      long keyframeRequestIntervalNanos, boolean relay) {
        this.streamId = streamId;
        this.rtpPort = rtpPort;
        this.offer = offer;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.publisherRtp = offer.rtpAddress();
        this.publisherRtcp = relay ? null : offer.rtcpAddress();
        this.publisherHost = offer.address();
        this.keyframeRequestIntervalNanos = keyframeRequestIntervalNanos;
        this.relay = relay;
    }

    /** A relay's feedback target, known once its forwarder exists; loop thread only. */
    void feedbackTo(InetSocketAddress target) {
        publisherRtcp = target;
    }

    void register(ForwardingLoop loop) throws IOException {
        loop.register(rtp, this);
        loop.register(rtcp, this::onRtcp);
    }

    void add(SubscriberEndpoint subscriber) {
        SubscriberEndpoint[] grown = Arrays.copyOf(subscribers, subscribers.length + 1);
        grown[subscribers.length] = subscriber;
        subscribers = grown;
    }

    void remove(SubscriberEndpoint subscriber) {
        subscribers = Arrays.stream(subscribers).filter(s -> s != subscriber).toArray(SubscriberEndpoint[]::new);
    }

    SubscriberEndpoint[] subscribers() {
        return subscribers;
    }

    /** RTP from the publisher: forward each packet to every subscriber. */
    @Override
    public void onReadable(ForwardingLoop loop) throws IOException {
        ByteBuffer buffer = loop.buffer;
        for (int i = 0; i < ForwardingLoop.READ_BUDGET; i++) {
            buffer.clear();
            SocketAddress from = rtp.receive(buffer);
            if (from == null) {
                return;
            }
            if (relay ? !ForwardingLoop.sameHost(publisherHost, ((InetSocketAddress) from).getAddress())
                    : !publisherRtp.equals(from)) {
                loop.foreignPackets++;
                continue;
            }
            buffer.flip();
            loop.packetsReceived++;
            loop.bytesReceived += buffer.remaining();
            MediaFence fence = loop.fence;
            if (fence != null && fence.isFenced()) {
                fence.packetHeldBack(); // this node was cut off: the session now runs on another one
                continue;
            }
            for (SubscriberEndpoint subscriber : subscribers) {
                buffer.rewind();
                int sent = subscriber.sendRtp(buffer);
                if (sent > 0) {
                    loop.packetsForwarded++;
                    loop.bytesForwarded += sent;
                } else {
                    loop.packetsDropped++;
                }
            }
        }
    }

    /** RTCP from the publisher (sender reports, SDES, BYE): pass it on to every subscriber. */
    private void onRtcp(ForwardingLoop loop) throws IOException {
        ByteBuffer buffer = loop.buffer;
        for (int i = 0; i < ForwardingLoop.READ_BUDGET; i++) {
            int read = loop.receiveFrom(rtcp, publisherHost);
            if (read == ForwardingLoop.DRAINED) {
                return;
            }
            if (read == ForwardingLoop.FOREIGN || relay) {
                continue;
            }
            MediaFence fence = loop.fence;
            if (fence != null && fence.isFenced()) {
                continue; // sender reports of a session that now runs elsewhere
            }
            for (SubscriberEndpoint subscriber : subscribers) {
                buffer.rewind();
                if (subscriber.sendRtcp(buffer)) {
                    loop.rtcpForwarded++;
                }
            }
        }
    }

    /**
     * Feedback from a subscriber, in {@code buffer}: passed on to the publisher. Keyframe requests from many
     * subscribers at once are collapsed to one per interval, or a publisher would send nothing but keyframes.
     */
    void sendFeedback(ForwardingLoop loop, ByteBuffer buffer, Rtcp.Feedback feedback) throws IOException {
        InetSocketAddress target = publisherRtcp;
        if (target == null) {
            return; // a relay whose forwarder is not set up yet; a request dropped here does not count as sent
        }
        if (feedback == Rtcp.Feedback.KEYFRAME) {
            long now = System.nanoTime();
            if (now - lastKeyframeRequest < keyframeRequestIntervalNanos) {
                loop.feedbackThrottled++;
                return;
            }
            lastKeyframeRequest = now;
        }
        buffer.rewind();
        if (rtcp.send(buffer, target) > 0) {
            loop.rtcpForwarded++;
        }
    }

    void close() {
        closeQuietly(rtp);
        closeQuietly(rtcp);
    }

    static void closeQuietly(DatagramChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a datagram socket cannot lose data; nothing to do.
        }
    }
}
