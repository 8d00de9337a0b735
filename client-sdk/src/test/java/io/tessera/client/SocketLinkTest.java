package io.tessera.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@link SocketLink} over a stand-in for the JDK's WebSocket, for what a real one does only by chance: the server's end
 * of the connection lost by the JDK (no onClose, no onError), so that only a failed write tells.
 */
class SocketLinkTest {

    private static final URI URI_OF_MASTER = URI.create("ws://127.0.0.1:1/openvidu");

    /** Records how the link ended. */
    private static final class Ends implements SocketLink.Owner {
        final List<String> reasons = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onText(SocketLink link, String text) {
        }

        @Override
        public void onEnded(SocketLink link, int statusCode, String reason, Throwable error) {
            reasons.add(statusCode + " " + reason);
            errors.add(error);
        }
    }

    /** A socket whose connection is gone: every write fails as the JDK's does after a reset (or answers as told). */
    private static final class DeadSocket implements WebSocket {
        final AtomicBoolean aborted = new AtomicBoolean();
        volatile boolean writesFail = true;

        private CompletableFuture<WebSocket> write() {
            return writesFail ? CompletableFuture.failedFuture(new IOException("Broken pipe"))
                    : CompletableFuture.completedFuture(this);
        }

        @Override
        public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
            return write();
        }

        @Override
        public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
            return write();
        }

        @Override
        public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
            return write();
        }

        @Override
        public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
            return write();
        }

        @Override
        public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
            return write();
        }

        @Override
        public void request(long n) {
        }

        @Override
        public String getSubprotocol() {
            return "";
        }

        @Override
        public boolean isOutputClosed() {
            return false;
        }

        @Override
        public boolean isInputClosed() {
            return false;
        }

        @Override
        public void abort() {
            aborted.set(true);
        }
    }

    @Test
    void aFailedWriteEndsTheSocketOnceWithTheWritesError() {
        DeadSocket socket = new DeadSocket();
        Ends ends = new Ends();
        SocketLink link = SocketLink.attached(socket, URI_OF_MASTER, 1_000, ends);
        assertTrue(link.isOpen());

        link.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}").handle((r, e) -> null).join();
        link.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}").handle((r, e) -> null).join();

        assertEquals(1, ends.reasons.size(), "ended exactly once: " + ends.reasons);
        assertTrue(ends.reasons.get(0).contains("Broken pipe"), ends.reasons.get(0));
        assertInstanceOf(IOException.class, ends.errors.get(0));
        assertTrue(socket.aborted.get(), "the JDK's socket is aborted, not left open");
        assertFalse(link.isOpen());
        assertTrue(link.endedFuture().isDone());
    }

    @Test
    void writesThatSucceedLeaveTheSocketOpen() {
        DeadSocket socket = new DeadSocket();
        socket.writesFail = false;
        Ends ends = new Ends();
        SocketLink link = SocketLink.attached(socket, URI_OF_MASTER, 1_000, ends);

        link.send("{}").join();
        link.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();

        assertTrue(ends.reasons.isEmpty(), ends.reasons.toString());
        assertFalse(socket.aborted.get());
    }
}
