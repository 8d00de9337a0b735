package io.tessera.media.webrtc.janus;

import io.tessera.media.fencing.MediaFence;
import io.tessera.media.webrtc.IceAllowList;
import io.tessera.media.webrtc.WebRtcEngine.PlainForward;
import io.tessera.media.webrtc.WebRtcEngine.RemoteFeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The media node's fence honoured by a real Janus: a publisher's media stops being relayed while the node is fenced and
 * flows again on the same publisher and forward when the fence lifts. The publisher is a remote (plain RTP fed)
 * publisher and its relay is observed through a plain RTP forward, so no browser is needed: Janus 1.1.2 drops a muted
 * stream's packets in the same place ({@code janus_videoroom_incoming_rtp_internal}) for browser publishers, before
 * both their subscribers and their forwards. Every packet carries its number in its payload (Janus relays the payload
 * unchanged), so packets sent before a change are told apart from those sent after.
 */
class JanusEngineFenceTest {
    @TempDir
    Path dir;

    private int sent;

    @Test
    void aFencedNodesJanusRelaysNothingAndResumesWhenTheFenceLifts() throws Exception {
        MediaFence fence = new MediaFence();
        try (JanusEngine engine = JanusEngine.start(JanusTestSupport.loopbackSettings(dir), IceAllowList.loopback());
             DatagramChannel publisher = loopbackUdp(); DatagramChannel forwarded = loopbackUdp();
             DatagramChannel feedback = loopbackUdp()) {
            engine.forwardOnlyWhileOpen(fence);
            String room = "fenced-room";
            RemoteFeed feed = get(engine.publishRemote(room, "cam", "cam-video", "video", "vp8"));
            PlainForward forward = get(engine.forwardPlain(room, "cam", "0", "127.0.0.1", port(forwarded),
                    port(feedback), 0xBEEFL));
            InetSocketAddress janus = new InetSocketAddress("127.0.0.1", feed.port());

            await("the publisher's media relayed before the fence").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> sendThenHighestRelayed(publisher, janus, feed.ssrc(), forwarded) >= 0);

            fence.close("cut off (test)");
            get(engine.fenceApplied());
            int firstWhileFenced = sent;
            await("nothing sent while fenced is relayed").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> sendThenHighestRelayed(publisher, janus, feed.ssrc(), forwarded) < firstWhileFenced);

            fence.lift();
            get(engine.fenceApplied());
            int firstAfterLift = sent;
            await("media relayed again on the same publisher and forward").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> sendThenHighestRelayed(publisher, janus, feed.ssrc(), forwarded) >= firstAfterLift);
            engine.stopForward(room, forward);
            assertEquals(1, engine.stats().publishers(), "the publisher was neither removed nor published again");
        }
    }

    /**
     * Sends one numbered RTP packet to Janus, then reads what the forward relayed so far without waiting: the highest
     * number relayed, or -1.
     */
    private int sendThenHighestRelayed(DatagramChannel publisher, InetSocketAddress janus, long ssrc,
                                       DatagramChannel forwarded) throws IOException {
        publisher.send(rtp(sent++, ssrc), janus);
        int highest = -1;
        ByteBuffer in = ByteBuffer.allocate(1500);
        SocketAddress from;
        while ((from = forwarded.receive(in.clear())) != null) {
            in.flip();
            if (in.remaining() >= 12 + 5) {
                highest = Math.max(highest, in.getInt(12 + 1));
            }
        }
        return highest;
    }

    /** RTP version 2, VP8 (96), this packet's number as its sequence number, timestamp and in its payload. */
    private static ByteBuffer rtp(int number, long ssrc) {
        ByteBuffer packet = ByteBuffer.allocate(12 + 5 + 20);
        packet.put((byte) 0x80).put((byte) 96).putShort((short) number).putInt(number * 3000).putInt((int) ssrc);
        packet.put((byte) 0x10); // VP8 payload descriptor: start of a partition
        packet.putInt(number);
        return packet.clear();
    }

    private static DatagramChannel loopbackUdp() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.configureBlocking(false);
        return channel;
    }

    private static int port(DatagramChannel channel) throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
