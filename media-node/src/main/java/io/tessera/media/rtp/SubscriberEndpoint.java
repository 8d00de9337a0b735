package io.tessera.media.rtp;

import io.tessera.wire.sdp.PlainRtpOffer;

import io.tessera.wire.rtp.Rtcp;
import io.tessera.wire.rtp.RtpHeader;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The node's side of one subscription: RTP leaves from its own port (the one in the subscriber's answer),
 * and the subscriber's RTCP (receiver reports, PLI, FIR, NACK) arrives on the port after it. Methods run on
 * the owning {@link ForwardingLoop}.
 */
final class SubscriberEndpoint {
    final String subscriberId;
    final int rtpPort;
    final PublisherEndpoint publisher;
    final DatagramChannel rtp;
    final DatagramChannel rtcp;
    private final InetSocketAddress subscriberRtp;
    private final InetSocketAddress subscriberRtcp;
    private final InetAddress subscriberHost;
    private final ForwardingLoop.ReadHandler rtcpHandler = this::onRtcp;
    /**
     * The SSRC every packet is sent with, or -1 to keep the publisher's. Janus's remote publisher (VideoRoom
     * {@code add_remote_publisher}) tells its streams apart by SSRC alone, so the packets it gets must carry the one it
     * expects for the stream's m-index.
     */
    private final long ssrc;

    SubscriberEndpoint(String subscriberId, int rtpPort, PublisherEndpoint publisher, PlainRtpOffer offer,
                       DatagramChannel rtp, DatagramChannel rtcp) {
        this(subscriberId, rtpPort, publisher, offer, rtp, rtcp, -1);
    }

    SubscriberEndpoint(String subscriberId, int rtpPort, PublisherEndpoint publisher, PlainRtpOffer offer,
                       DatagramChannel rtp, DatagramChannel rtcp, long ssrc) {
        this.ssrc = ssrc;
        this.subscriberId = subscriberId;
        this.rtpPort = rtpPort;
        this.publisher = publisher;
        this.rtp = rtp;
        this.rtcp = rtcp;
        this.subscriberRtp = offer.rtpAddress();
        this.subscriberRtcp = offer.rtcpAddress();
        this.subscriberHost = offer.address();
    }

    void register(ForwardingLoop loop) throws IOException {
        // The RTP socket only sends; the RTCP socket listens for the subscriber's reports and feedback.
        loop.register(rtcp, rtcpHandler);
    }

    /** Bytes sent; 0 when the socket's send buffer is full or the send failed (the packet is dropped, never queued). */
    int sendRtp(ByteBuffer packet) {
        if (ssrc >= 0) {
            return sendRewritten(packet);
        }
        try {
            return rtp.send(packet, subscriberRtp);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Sends the packet with this subscription's SSRC. The buffer is shared by every subscriber of the stream, so the
     * publisher's SSRC is put back afterwards: no copy, nothing allocated.
     */
    private int sendRewritten(ByteBuffer packet) {
        int start = packet.position();
        if (packet.remaining() < RtpHeader.SIZE) {
            return 0; // not RTP: nothing to rewrite, and the peer would drop it
        }
        int original = packet.getInt(start + 8);
        packet.putInt(start + 8, (int) ssrc);
        try {
            return rtp.send(packet, subscriberRtp);
        } catch (IOException e) {
            return 0;
        } finally {
            packet.putInt(start + 8, original);
        }
    }

    boolean sendRtcp(ByteBuffer packet) {
        try {
            return rtcp.send(packet, subscriberRtcp) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private void onRtcp(ForwardingLoop loop) throws IOException {
        ByteBuffer buffer = loop.buffer;
        for (int i = 0; i < ForwardingLoop.READ_BUDGET; i++) {
            // Janus, fed by a rewriting subscription, answers from whichever loopback address its route gives it
            int read = ssrc >= 0 ? loop.receiveFromLocal(rtcp, subscriberHost) : loop.receiveFrom(rtcp, subscriberHost);
            if (read == ForwardingLoop.DRAINED) {
                return;
            }
            if (read == ForwardingLoop.FOREIGN) {
                continue;
            }
            Rtcp.Feedback feedback = Rtcp.feedbackIn(buffer);
            // Receiver reports end here (the node is the subscriber's RTP peer); feedback goes to the publisher.
            if (feedback != Rtcp.Feedback.NONE) {
                publisher.sendFeedback(loop, buffer, feedback);
            }
        }
    }

    void close() {
        PublisherEndpoint.closeQuietly(rtp);
        PublisherEndpoint.closeQuietly(rtcp);
    }
}
