package io.tessera.loadtest.forwarding;

import io.tessera.media.engine.MediaException;
import io.tessera.media.rtp.PlainRtpEngine;
import io.tessera.wire.sdp.Direction;
import io.tessera.wire.sdp.PlainRtpAnswer;
import io.tessera.wire.sdp.PlainRtpOffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The media node's plain RTP engine, driven through its public interface with SDP offers, as a Session does. */
final class EngineForwarder implements Forwarder {
    private static final String STREAM = "str_CAM_Bnch_con_bench";

    private final String host;
    private final PlainRtpEngine engine;
    private int subscribers;

    EngineForwarder(String host, int minPort, int maxPort, int socketBuffer) throws IOException {
        this.host = host;
        this.engine = new PlainRtpEngine(new PlainRtpEngine.Settings(host, host, minPort, maxPort, 1, socketBuffer,
                4096, Duration.ofMillis(200)));
    }

    @Override
    public String name() {
        return "Tessera plain RTP engine";
    }

    @Override
    public InetSocketAddress start(InetSocketAddress source) throws IOException {
        String answer = call(() -> engine.publish(STREAM, offer(source.getPort(), Direction.SENDONLY)));
        return new InetSocketAddress(host, PlainRtpAnswer.parse(answer).rtpPort());
    }

    @Override
    public void addSubscriber(InetSocketAddress subscriber) throws IOException {
        String id = "con_sub" + (subscribers++);
        call(() -> engine.subscribe(STREAM, id, offer(subscriber.getPort(), Direction.RECVONLY)));
        engine.stats(); // returns once the forwarding thread has the subscription
    }

    @Override
    public long forwarded() {
        return engine.stats().packetsForwarded();
    }

    private String offer(int port, Direction direction) {
        // RTCP goes to the port after; nobody listens there, which costs the benchmark nothing.
        return PlainRtpOffer.write(host, port, port + 1, 96, "VP8", 90_000, -1, direction);
    }

    private interface EngineCall {
        String run() throws MediaException;
    }

    private static String call(EngineCall call) throws IOException {
        try {
            return call.run();
        } catch (MediaException e) {
            throw new IOException("engine refused: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
