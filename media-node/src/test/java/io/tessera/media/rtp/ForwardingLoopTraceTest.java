package io.tessera.media.rtp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forwarding thread's debug trace of counters, on a real UDP socket (its priority: PlainRtpEngineTest). */
class ForwardingLoopTraceTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearProperty() {
        System.clearProperty(ForwardingLoop.TRACE_PROPERTY);
    }

    @Test
    void traceWritesTheCountersOfReceivedPacketsWhileTheLoopRuns() throws Exception {
        System.setProperty(ForwardingLoop.TRACE_PROPERTY, dir.toString());
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ForwardingLoop loop = new ForwardingLoop("rtp-test-trace", 16);
             DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
             DatagramChannel client = DatagramChannel.open()) {
            server.configureBlocking(false);
            assertTrue(loop.submit(() -> {
                try {
                    loop.register(server, l -> {
                        while (l.receiveFromLocal(server, loopback) != ForwardingLoop.DRAINED) {
                            l.packetsReceived++;
                        }
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
            for (int i = 0; i < 5; i++) {
                client.send(ByteBuffer.wrap(new byte[]{(byte) i}), server.getLocalAddress());
            }
            Path file = dir.resolve("rtp-test-trace-" + ProcessHandle.current().pid() + ".csv");
            // The loop wakes every 50 ms without traffic and flushes every 20 lines: a line with all 5 shows up.
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(file)
                    && Files.readAllLines(file).stream().skip(1).anyMatch(l -> l.split(",")[1].equals("5")));
            List<String> lines = Files.readAllLines(file);
            assertEquals("wallMs,received,forwarded,dropped", lines.get(0));
            long previous = 0;
            for (String line : lines.subList(1, lines.size())) {
                long wall = Long.parseLong(line.split(",")[0]);
                assertTrue(wall >= previous, "trace lines in time order");
                previous = wall;
            }
        }
    }
}
