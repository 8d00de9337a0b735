package io.tessera.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket that sends arbitrary text, for malformed-input tests the SDK (rightly) cannot produce.
 * Keeps at most 1000 unread messages; more is a test failure, not a silent drop.
 */
final class RawSocket implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int CAPACITY = 1_000;

    private final BlockingQueue<String> messages = new ArrayBlockingQueue<>(CAPACITY);
    private final WebSocket ws;
    private volatile boolean overflowed;

    private RawSocket(URI uri) throws Exception {
        ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, new Collector()).get(10, TimeUnit.SECONDS);
    }

    static RawSocket open(URI uri) throws Exception {
        return new RawSocket(uri);
    }

    void send(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    void sendBinary(byte[] bytes) throws Exception {
        ws.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).get(5, TimeUnit.SECONDS);
    }

    /** The next message parsed as JSON; fails the test if none arrives in time. */
    JsonNode nextJson(Duration timeout) throws Exception {
        if (overflowed) {
            throw new AssertionError("more than " + CAPACITY + " unread messages");
        }
        String text = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (text == null) {
            throw new AssertionError("no message from the server within " + timeout.toMillis() + " ms (socket "
                    + (isOpen() ? "open" : "closed") + ")");
        }
        return TestJson.MAPPER.readTree(text);
    }

    boolean isOpen() {
        return !ws.isInputClosed() && !ws.isOutputClosed();
    }

    @Override
    public void close() {
        ws.abort();
    }

    private final class Collector implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                if (!messages.offer(partial.toString())) {
                    overflowed = true;
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
