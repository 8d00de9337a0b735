package io.tessera.loadtest.forwarding;

import io.tessera.media.engine.MediaException;
import io.tessera.media.rtp.PlainRtpEngine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The media node's plain RTP engine, driven through its public interface with SDP offers, as a Session does. */
final class EngineForwarder implements Forwarder {
    private static final Pattern ANSWER_PORT = Pattern.compile("m=video (\\d+) RTP/AVP");
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
        String answer = call(() -> engine.publish(STREAM, offer(source.getPort(), "sendonly")));
        Matcher m = ANSWER_PORT.matcher(answer);
        if (!m.find()) {
            throw new IllegalStateException("no port in the engine's answer: " + answer);
        }
        return new InetSocketAddress(host, Integer.parseInt(m.group(1)));
    }

    @Override
    public void addSubscriber(InetSocketAddress subscriber) throws IOException {
        String id = "con_sub" + (subscribers++);
        call(() -> engine.subscribe(STREAM, id, offer(subscriber.getPort(), "recvonly")));
        engine.stats(); // returns once the forwarding thread has the subscription
    }

    @Override
    public long forwarded() {
        return engine.stats().packetsForwarded();
    }

    private String offer(int port, String direction) {
        // RTCP goes to the port after; nobody listens there, which costs the benchmark nothing.
        return "v=0\r\no=- 1 1 IN IP4 " + host + "\r\ns=bench\r\nc=IN IP4 " + host + "\r\nt=0 0\r\n"
                + "m=video " + port + " RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=" + direction + "\r\n";
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
