package io.tessera.it.capacity;

import io.tessera.client.PublishOptions;
import io.tessera.client.PublishResult;
import io.tessera.client.SignallingClient;
import io.tessera.client.rest.ConnectionProperties;
import io.tessera.client.rest.MasterRestClient;
import io.tessera.client.rtp.RtpReactor;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import io.tessera.wire.sdp.PlainRtpAnswer;

import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The plain RTP side of the capacity benchmark: one Java SDK participant publishing a synthetic RTP stream (the
 * client SDK's {@link SyntheticPublisher}, paced by one {@link RtpReactor}) and N SDK participants each receiving it
 * on an {@link RtpReceiver} of the same reactor, which counts loss from the RTP sequence numbers.
 */
final class PlainRtpFanout implements AutoCloseable {
    private static final long WAIT_SECONDS = 15;

    private final URI webSocket;
    private final MasterRestClient rest;
    private final String sessionId;
    private final RtpReactor reactor;
    private final InetAddress local;
    private final List<SignallingClient> clients = new ArrayList<>();
    private final List<RtpReceiver> receivers = new ArrayList<>();
    private SyntheticPublisher publisher;
    private String streamId;

    PlainRtpFanout(URI webSocket, MasterRestClient rest, String sessionId) throws Exception {
        this.webSocket = webSocket;
        this.rest = rest;
        this.sessionId = sessionId;
        this.reactor = new RtpReactor("capacity-rtp");
        this.local = InetAddress.getByName("127.0.0.1");
    }

    /** Publishes {@code packetsPerSecond} packets of {@code packetSize} bytes (RTP header included), VP8 96. */
    void publish(int packetsPerSecond, int packetSize, int packetsPerFrame) throws Exception {
        SignallingClient client = join("rtp-publisher");
        publisher = SyntheticPublisher.builder(reactor).localAddress(local).packetsPerSecond(packetsPerSecond)
                .packetSize(packetSize).packetsPerFrame(packetsPerFrame).bind();
        PublishResult published = client.publishVideo(PublishOptions.camera(publisher.sdpOffer()))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        streamId = published.streamId();
        publisher.start(PlainRtpAnswer.parse(published.sdpAnswer()));
    }

    /** Adds subscribers until there are {@code total}. */
    void growTo(int total) throws Exception {
        while (receivers.size() < total) {
            SignallingClient client = join("rtp-subscriber-" + receivers.size());
            RtpReceiver receiver = RtpReceiver.builder(reactor).localAddress(local).bind();
            receivers.add(receiver);
            String answer = client.receiveVideoFrom(streamId, receiver.sdpOffer(96, "VP8"))
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            receiver.remote(PlainRtpAnswer.parse(answer));
        }
    }

    int subscribers() {
        return receivers.size();
    }

    long sent() {
        return publisher.sent();
    }

    /** The packets every subscriber received so far, one entry per subscriber. */
    long[] received() {
        return receivers.stream().mapToLong(r -> r.stats().received()).toArray();
    }

    /** The packets every subscriber found missing in the sequence numbers so far, one entry per subscriber. */
    long[] lost() {
        return receivers.stream().mapToLong(r -> r.stats().lost()).toArray();
    }

    private SignallingClient join(String name) throws Exception {
        String token = rest.createConnection(sessionId, ConnectionProperties.publisher(name)).token();
        SignallingClient client = SignallingClient.builder(webSocket).connect();
        clients.add(client);
        client.joinRoom(token, "{}").get(WAIT_SECONDS, TimeUnit.SECONDS);
        return client;
    }

    @Override
    public void close() {
        for (SignallingClient client : clients) {
            try {
                client.leaveRoom().get(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                // leaving is courtesy here: the session is deleted after the run anyway
            }
            client.close();
        }
        receivers.forEach(RtpReceiver::close);
        if (publisher != null) {
            publisher.close();
        }
        reactor.close();
    }
}
