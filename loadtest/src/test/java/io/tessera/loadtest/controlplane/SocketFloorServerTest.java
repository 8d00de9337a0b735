package io.tessera.loadtest.controlplane;

import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The floor server in this JVM, on a real socket: it answers whole and fragmented requests, and answering them
 * starts no thread. The second matters for what it measures: a callback on Pekko's Scala stage that lands on the
 * JDK's default executor starts a thread per call on two cores, which is not the master's cost (its route does
 * not), and made the floor measured before 2026-12-03 too high.
 */
class SocketFloorServerTest {
    private FloorServer floor;
    private int port;

    @BeforeEach
    void start() throws Exception {
        floor = FloorServer.start("socket-floor-test");
        port = floor.port();
    }

    @AfterEach
    void stop() throws Exception {
        floor.close();
    }

    @Test
    void answersWholeAndFragmentedRequestsWithoutStartingAThreadPerRequest() throws Exception {
        AtomicInteger fromServer = new AtomicInteger();
        AtomicInteger seen = new AtomicInteger();
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        HttpClient http = HttpClient.newHttpClient();
        try (RecordingStream threads = new RecordingStream()) {
            threads.enable("jdk.ThreadStart").withStackTrace();
            threads.onEvent("jdk.ThreadStart", start -> {
                seen.incrementAndGet();
                RecordedStackTrace stack = start.getStackTrace();
                if (stack != null && hasFrameOf(stack, "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor")
                        && (hasFrameOf(stack, "org.apache.pekko") || hasFrameOf(stack, "io.tessera"))) {
                    fromServer.incrementAndGet();
                }
            });
            threads.startAsync();
            WebSocket socket = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/openvidu"), new Collector(answers))
                    .get(10, TimeUnit.SECONDS);
            int whole = 20;
            for (int id = 1; id <= whole; id++) {
                socket.sendText(ping(id), true).get(5, TimeUnit.SECONDS);
                assertEquals(pong(id), answers.poll(5, TimeUnit.SECONDS));
            }
            int fragmented = 3;
            for (int id = whole + 1; id <= whole + fragmented; id++) {
                String request = ping(id);
                int half = request.length() / 2;
                socket.sendText(request.substring(0, half), false).get(5, TimeUnit.SECONDS);
                socket.sendText(request.substring(half), true).get(5, TimeUnit.SECONDS);
                assertEquals(pong(id), answers.poll(5, TimeUnit.SECONDS), "a request in two frames");
            }
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            // a thread started now shows that JFR's events arrive in order, the server's before it
            Thread marker = new Thread(() -> { }, "floor-test-marker");
            int before = seen.get();
            marker.start();
            marker.join();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.get() > before);
        }
        assertEquals(0, fromServer.get(), "threads started by callbacks on the default executor for "
                + "23 requests");
    }

    private static String ping(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\",\"params\":{}}";
    }

    private static String pong(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"value\":\"pong\"}}";
    }

    private static boolean hasFrameOf(RecordedStackTrace stack, String typePrefix) {
        return stack.getFrames().stream().anyMatch(f -> f.getMethod().getType().getName().startsWith(typePrefix));
    }

    /** Whole text messages in arrival order (the JDK calls a listener for one message at a time). */
    private static final class Collector implements WebSocket.Listener {
        private final BlockingQueue<String> answers;
        private final StringBuilder partial = new StringBuilder();

        Collector(BlockingQueue<String> answers) {
            this.answers = answers;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                answers.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
