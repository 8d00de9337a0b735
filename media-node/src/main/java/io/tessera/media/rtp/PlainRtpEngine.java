package io.tessera.media.rtp;

import io.tessera.media.fencing.MediaFence;
import io.tessera.wire.sdp.Direction;
import io.tessera.wire.sdp.PlainRtpAnswer;
import io.tessera.wire.sdp.PlainRtpOffer;
import io.tessera.wire.sdp.RtpFormat;
import io.tessera.wire.sdp.SdpException;

import com.typesafe.config.Config;
import io.tessera.media.engine.MediaEngine;
import io.tessera.media.engine.MediaException;
import io.tessera.media.engine.MediaException.Kind;
import io.tessera.media.engine.MediaStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Plain RTP/RTCP over UDP (SDP {@code RTP/AVP}), as mediasoup's PlainTransport or an IP camera: each
 * publisher sends to a port pair of its own on this node, and each subscriber receives from a port pair of
 * its own. Packets are forwarded unchanged (SSRC, sequence numbers and payload kept); the publisher's RTCP
 * goes to the subscribers, and their keyframe requests and NACKs go back to the publisher.
 *
 * <p>Control calls are serialized on this object; packets move on {@link ForwardingLoop} threads, each
 * owning the sockets of the streams hashed to it, so a stream and all its subscriptions share one thread.
 */
public final class PlainRtpEngine implements MediaEngine {
    private static final Logger log = LoggerFactory.getLogger(PlainRtpEngine.class);

    /**
     * @param bindAddress   local address the UDP sockets bind to
     * @param publicAddress address written into SDP answers (the node's public IP behind NAT)
     * @param minPort       first port of the RTP range (pairs: even RTP port, RTCP on the next)
     * @param maxPort       last port of the range
     * @param eventLoops    forwarding threads
     * @param socketBufferBytes SO_RCVBUF / SO_SNDBUF asked for each socket (the kernel may cap it)
     * @param commandQueue  pending control commands per loop before new endpoints are refused
     * @param keyframeRequestInterval at most one PLI/FIR per stream is passed to the publisher per interval
     */
    public record Settings(String bindAddress, String publicAddress, int minPort, int maxPort, int eventLoops,
                           int socketBufferBytes, int commandQueue, Duration keyframeRequestInterval) {

        /** Reads {@code tessera.media.rtp}; empty addresses default to the node's host. */
        public static Settings fromConfig(Config rtp, String host, String publicAddress) {
            String bind = rtp.getString("bind-address").isBlank() ? host : rtp.getString("bind-address");
            return new Settings(bind, publicAddress, rtp.getInt("port-min"), rtp.getInt("port-max"),
                    rtp.getInt("event-loops"), (int) rtp.getBytes("socket-buffer").longValue(),
                    rtp.getInt("command-queue"), rtp.getDuration("keyframe-request-interval"));
        }
    }

    private final Settings settings;
    private final ForwardingLoop[] loops;
    private final PortPairs ports;
    /** Ports whose sockets a loop has closed, given back to {@link #ports} by the next control call. */
    private final Queue<Integer> closedPorts = new ConcurrentLinkedQueue<>();
    private final Map<String, PublisherEndpoint> publishers = new HashMap<>();
    private final Map<String, Map<String, SubscriberEndpoint>> subscriptions = new HashMap<>();
    private final long answerVersion = System.currentTimeMillis() / 1000;
    private volatile MediaStats lastStats = MediaStats.EMPTY;
    /** Endpoints refused because a forwarding thread's command queue was full. */
    private final java.util.concurrent.atomic.AtomicLong commandRejections = new java.util.concurrent.atomic.AtomicLong();
    private boolean closed;

    public PlainRtpEngine(Settings settings) throws IOException {
        if (settings.eventLoops() < 1) {
            throw new IllegalArgumentException("tessera.media.rtp.event-loops must be at least 1");
        }
        this.settings = settings;
        this.ports = new PortPairs(settings.minPort(), settings.maxPort());
        this.loops = new ForwardingLoop[settings.eventLoops()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new ForwardingLoop("rtp-forwarding-" + i, settings.commandQueue());
        }
        log.info("plain RTP engine: {} port pairs {}-{} on {}, public address {}, {} forwarding thread(s)",
                ports.capacity(), settings.minPort(), settings.maxPort(), settings.bindAddress(),
                settings.publicAddress(), loops.length);
    }

    @Override
    public String name() {
        return "plain-rtp";
    }

    /**
     * From now on no packet is forwarded while {@code fence} is closed (each is read, counted by the fence and
     * dropped): a media node cut off from the masters must not go on forwarding sessions that now run elsewhere.
     */
    public void forwardOnlyWhileOpen(MediaFence fence) {
        for (ForwardingLoop loop : loops) {
            loop.fence = fence;
        }
    }

    @Override
    public String publish(String streamId, String sdpOffer) throws MediaException {
        PlainRtpOffer offer = readOffer(sdpOffer);
        if (!offer.direction().sends()) {
            throw new MediaException(Kind.INVALID_SDP, "a publisher's offer must send (sendonly or sendrecv), this one is "
                    + offer.direction().name().toLowerCase());
        }
        PublisherEndpoint publisher = open(streamId, offer, false);
        return PlainRtpAnswer.write(settings.publicAddress(), answerVersion, offer.media(), publisher.rtpPort,
                offer.formats(), Direction.RECVONLY, List.of());
    }

    /**
     * Opens a stream fed by another engine on this host: a browser's stream that the WebRTC engine forwards as plain
     * RTP. Its RTP is taken from any port of {@code source} (the forwarder picks its own), its subscribers are told
     * {@code format} and {@code ssrc}, and their keyframe requests go where {@link #relayFeedbackTo} says once the
     * forwarder exists.
     *
     * @return the RTP port the forwarder sends to (its RTCP port is the next one)
     */
    @Override
    public int publishRelay(String streamId, String media, RtpFormat format, long ssrc, InetAddress source)
            throws MediaException {
        PlainRtpOffer described = new PlainRtpOffer(media, source, 9, 9, List.of(format), Direction.SENDONLY,
                List.of(ssrc + " cname:tessera-relay"));
        return open(streamId, described, true).rtpPort;
    }

    /** Where a relayed stream's keyframe requests go (the forwarder's RTCP port). Unknown ids are ignored. */
    @Override
    public void relayFeedbackTo(String streamId, InetSocketAddress target) {
        PublisherEndpoint publisher;
        synchronized (this) {
            publisher = publishers.get(streamId);
        }
        if (publisher != null) {
            loopFor(streamId).submitSurely(() -> publisher.feedbackTo(target));
        }
    }

    /** The address the engine's sockets are bound to: where another engine on this host forwards to. */
    @Override
    public String bindAddress() {
        return settings.bindAddress();
    }

    private PublisherEndpoint open(String streamId, PlainRtpOffer offer, boolean relay) throws MediaException {
        synchronized (this) {
            checkOpen();
            if (publishers.containsKey(streamId)) {
                throw new MediaException(Kind.CONFLICT, "stream " + streamId + " is already published");
            }
            BoundPair pair = bindPair();
            PublisherEndpoint publisher = new PublisherEndpoint(streamId, pair.rtpPort, offer, pair.rtp, pair.rtcp,
                    settings.keyframeRequestInterval().toNanos(), relay);
            ForwardingLoop loop = loopFor(streamId);
            if (!loop.submit(() -> registerOrClose(loop, publisher, null))) {
                publisher.close();
                ports.release(pair.rtpPort);
                commandRejections.incrementAndGet();
                throw busy();
            }
            publishers.put(streamId, publisher);
            subscriptions.put(streamId, new LinkedHashMap<>());
            return publisher;
        }
    }

    @Override
    public String subscribe(String streamId, String subscriberId, String sdpOffer) throws MediaException {
        PlainRtpOffer offer = readOffer(sdpOffer);
        if (!offer.direction().receives()) {
            throw new MediaException(Kind.INVALID_SDP, "a subscriber's offer must receive (recvonly or sendrecv), this one is "
                    + offer.direction().name().toLowerCase());
        }
        PublisherEndpoint publisher;
        SubscriberEndpoint subscriber;
        List<RtpFormat> formats;
        synchronized (this) {
            checkOpen();
            publisher = publishers.get(streamId);
            if (publisher == null) {
                throw new MediaException(Kind.UNKNOWN_STREAM, "stream " + streamId + " is not published on this node");
            }
            if (subscriptions.get(streamId).containsKey(subscriberId)) {
                throw new MediaException(Kind.CONFLICT, subscriberId + " already receives stream " + streamId);
            }
            formats = commonFormats(publisher.offer, offer);
            BoundPair pair = bindPair();
            subscriber = new SubscriberEndpoint(subscriberId, pair.rtpPort, publisher, offer, pair.rtp, pair.rtcp);
            ForwardingLoop loop = loopFor(streamId);
            SubscriberEndpoint registered = subscriber;
            if (!loop.submit(() -> registerOrClose(loop, null, registered))) {
                subscriber.close();
                ports.release(pair.rtpPort);
                commandRejections.incrementAndGet();
                throw busy();
            }
            subscriptions.get(streamId).put(subscriberId, subscriber);
        }
        // Packets are forwarded unchanged, so the answer names the publisher's payload types and SSRCs.
        return PlainRtpAnswer.write(settings.publicAddress(), answerVersion, publisher.offer.media(), subscriber.rtpPort,
                formats, Direction.SENDONLY, publisher.offer.ssrcAttributes());
    }

    /**
     * Sends a stream to another engine on this host with every packet's SSRC set to {@code ssrc}: a plain RTP stream
     * re-sent to Janus's remote publisher (VideoRoom {@code add_remote_publisher}), which tells streams apart by SSRC.
     * The subscription takes keyframe requests on its RTCP port from {@code rtcpTarget}'s host and passes them to the
     * publisher; one receiver report is sent to {@code rtcpTarget} at once, so that a peer which learns its RTCP
     * destination from the first packet it gets (Janus does) can send them.
     */
    @Override
    public void subscribeRewriting(String streamId, String subscriberId, InetSocketAddress rtpTarget,
                                   InetSocketAddress rtcpTarget, long ssrc) throws MediaException {
        PublisherEndpoint publisher;
        SubscriberEndpoint subscriber;
        synchronized (this) {
            checkOpen();
            publisher = publishers.get(streamId);
            if (publisher == null) {
                throw new MediaException(Kind.UNKNOWN_STREAM, "stream " + streamId + " is not published on this node");
            }
            if (subscriptions.get(streamId).containsKey(subscriberId)) {
                throw new MediaException(Kind.CONFLICT, subscriberId + " already receives stream " + streamId);
            }
            PlainRtpOffer target = new PlainRtpOffer(publisher.offer.media(), rtpTarget.getAddress(),
                    rtpTarget.getPort(), rtcpTarget.getPort(), publisher.offer.formats(), Direction.RECVONLY, List.of());
            BoundPair pair = bindPair();
            subscriber = new SubscriberEndpoint(subscriberId, pair.rtpPort, publisher, target, pair.rtp, pair.rtcp,
                    ssrc);
            ForwardingLoop loop = loopFor(streamId);
            SubscriberEndpoint registered = subscriber;
            if (!loop.submit(() -> {
                registerOrClose(loop, null, registered);
                registered.sendRtcp(receiverReport(ssrc));
            })) {
                subscriber.close();
                ports.release(pair.rtpPort);
                commandRejections.incrementAndGet();
                throw busy();
            }
            subscriptions.get(streamId).put(subscriberId, subscriber);
        }
    }

    /** An empty receiver report (RFC 3550 6.4.2, no report blocks) from {@code ssrc}. */
    static java.nio.ByteBuffer receiverReport(long ssrc) {
        java.nio.ByteBuffer report = java.nio.ByteBuffer.allocate(8);
        report.put(0, (byte) 0x80).put(1, (byte) io.tessera.wire.rtp.Rtcp.RECEIVER_REPORT).putShort(2, (short) 1)
                .putInt(4, (int) ssrc);
        return report;
    }

    @Override
    public void unpublish(String streamId) {
        PublisherEndpoint publisher;
        List<SubscriberEndpoint> subscribers;
        synchronized (this) {
            publisher = publishers.remove(streamId);
            Map<String, SubscriberEndpoint> subs = subscriptions.remove(streamId);
            if (publisher == null) {
                return;
            }
            subscribers = new ArrayList<>(subs.values());
        }
        loopFor(streamId).submitSurely(() -> {
            for (SubscriberEndpoint subscriber : subscribers) {
                publisher.remove(subscriber);
                subscriber.close();
                closedPorts.add(subscriber.rtpPort);
            }
            publisher.close();
            closedPorts.add(publisher.rtpPort);
        });
    }

    @Override
    public void unsubscribe(String streamId, String subscriberId) {
        SubscriberEndpoint subscriber;
        synchronized (this) {
            Map<String, SubscriberEndpoint> subs = subscriptions.get(streamId);
            subscriber = subs == null ? null : subs.remove(subscriberId);
            if (subscriber == null) {
                return;
            }
        }
        loopFor(streamId).submitSurely(() -> {
            subscriber.publisher.remove(subscriber);
            subscriber.close();
            closedPorts.add(subscriber.rtpPort);
        });
    }

    @Override
    public MediaStats stats() {
        int publisherCount;
        int subscriberCount;
        int portsInUse;
        synchronized (this) {
            reclaimPorts();
            publisherCount = publishers.size();
            subscriberCount = subscriptions.values().stream().mapToInt(Map::size).sum();
            portsInUse = ports.inUse() * 2;
        }
        long[] totals = new long[ForwardingLoop.COUNTERS];
        try {
            for (ForwardingLoop loop : loops) {
                long[] counters = loop.counters().get(1, TimeUnit.SECONDS);
                for (int i = 0; i < totals.length; i++) {
                    totals[i] += counters[i];
                }
            }
        } catch (Exception e) {
            // A loop that cannot answer within a second is overloaded; report the last known totals.
            MediaStats last = lastStats;
            return new MediaStats(publisherCount, subscriberCount, portsInUse, last.packetsReceived(),
                    last.packetsForwarded(), last.packetsDropped(), last.foreignPackets(), last.rtcpForwarded(),
                    last.feedbackThrottled(), last.bytesReceived(), last.bytesForwarded(), last.forwardingErrors(),
                    commandRejections.get());
        }
        MediaStats stats = new MediaStats(publisherCount, subscriberCount, portsInUse, totals[0], totals[1], totals[2],
                totals[3], totals[4], totals[5], totals[6], totals[7], totals[8], commandRejections.get());
        lastStats = stats;
        return stats;
    }

    /** Port pairs the range holds in all. */
    public int portPairCapacity() {
        return ports.capacity();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            publishers.clear();
            subscriptions.clear();
        }
        for (ForwardingLoop loop : loops) {
            loop.close();
        }
    }

    private static void registerOrClose(ForwardingLoop loop, PublisherEndpoint publisher, SubscriberEndpoint subscriber) {
        try {
            if (publisher != null) {
                publisher.register(loop);
            } else {
                subscriber.register(loop);
                subscriber.publisher.add(subscriber);
            }
        } catch (IOException e) {
            // Only possible if the endpoint was closed before the loop got to it: nothing left to register.
            log.debug("endpoint closed before registration: {}", e.toString());
        }
    }

    private static PlainRtpOffer readOffer(String sdpOffer) throws MediaException {
        try {
            return PlainRtpOffer.parse(sdpOffer);
        } catch (SdpException e) {
            throw new MediaException(e.kind() == SdpException.Kind.UNSUPPORTED ? Kind.UNSUPPORTED : Kind.INVALID_SDP,
                    e.getMessage());
        }
    }

    private List<RtpFormat> commonFormats(PlainRtpOffer published, PlainRtpOffer subscriber)
            throws MediaException {
        if (!published.media().equals(subscriber.media())) {
            throw new MediaException(Kind.UNSUPPORTED, "the stream is " + published.media() + ", the offer asks for "
                    + subscriber.media());
        }
        List<RtpFormat> common = new ArrayList<>();
        for (RtpFormat format : published.formats()) {
            if (subscriber.formats().stream().anyMatch(format::sameCodec)) {
                common.add(format);
            }
        }
        if (common.isEmpty()) {
            throw new MediaException(Kind.UNSUPPORTED, "the offer accepts none of the stream's codecs ("
                    + published.formats().stream().map(f -> f.encoding() + "/" + f.clockRate()).toList() + ")");
        }
        return common;
    }

    private record BoundPair(int rtpPort, DatagramChannel rtp, DatagramChannel rtcp) {
    }

    /** Binds the next free port pair; a pair that another process holds is skipped. Caller holds the lock. */
    private BoundPair bindPair() throws MediaException {
        reclaimPorts();
        int attempts = Math.min(ports.capacity(), 32);
        for (int i = 0; i < attempts; i++) {
            int port = ports.take();
            if (port < 0) {
                break;
            }
            DatagramChannel rtp = null;
            try {
                rtp = open(port);
                return new BoundPair(port, rtp, open(port + 1));
            } catch (IOException e) {
                if (rtp != null) {
                    PublisherEndpoint.closeQuietly(rtp);
                }
                ports.release(port);
            }
        }
        throw new MediaException(Kind.NO_CAPACITY, "no free RTP port pair on this media node (range "
                + settings.minPort() + "-" + settings.maxPort() + ", " + ports.inUse() + " of " + ports.capacity()
                + " pairs in use)");
    }

    private DatagramChannel open(int port) throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, settings.socketBufferBytes());
            channel.setOption(StandardSocketOptions.SO_SNDBUF, settings.socketBufferBytes());
            channel.bind(new InetSocketAddress(settings.bindAddress(), port));
            channel.configureBlocking(false);
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    private void reclaimPorts() {
        Integer port;
        while ((port = closedPorts.poll()) != null) {
            ports.release(port);
        }
    }

    private ForwardingLoop loopFor(String streamId) {
        return loops[Math.floorMod(streamId.hashCode(), loops.length)];
    }

    private void checkOpen() throws MediaException {
        if (closed) {
            throw new MediaException(Kind.NO_CAPACITY, "the media engine is shut down");
        }
    }

    private static MediaException busy() {
        return new MediaException(Kind.NO_CAPACITY, "the media engine's command queue is full; try again");
    }
}
