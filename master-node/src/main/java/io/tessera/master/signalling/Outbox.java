package io.tessera.master.signalling;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.BufferOverflowException;

/**
 * What a connection's actor has sent and its client has not read yet, bounded in messages (by the stream's buffer)
 * and here in characters: a client that stops reading while large messages pile up would otherwise hold up to
 * {@code outbound-buffer} x {@code max-message-bytes} of the master's memory. Past the bound the socket's outbound
 * stream fails at once, which closes the socket; buffered messages are dropped (the participant can resume).
 */
final class Outbox {

    /** Fails the outbound stream at once (not queued behind what is waiting). */
    static final String OVERFLOW = "\u0000overflow";

    private final ActorRef<String> stream;
    private final long maxChars;
    private final AtomicLong pendingChars = new AtomicLong();

    Outbox(ActorRef<String> stream, long maxChars) {
        this.stream = stream;
        this.maxChars = maxChars;
    }

    /** Called by the connection's actor. */
    void tell(String text) {
        if (text.startsWith("\u0000")) { // CLOSE and OVERFLOW are instructions, not messages
            stream.tell(text);
            return;
        }
        if (pendingChars.addAndGet(text.length()) > maxChars) {
            stream.tell(OVERFLOW);
            return;
        }
        stream.tell(text);
    }

    /** Called by the stream when the socket takes the message. */
    String taken(String text) {
        pendingChars.addAndGet(-text.length());
        return text;
    }

    BufferOverflowException overflow() {
        return new BufferOverflowException("the client did not read " + maxChars
                + " characters of messages (outbound-buffer-bytes)");
    }
}
