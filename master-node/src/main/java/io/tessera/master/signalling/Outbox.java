package io.tessera.master.signalling;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.BufferOverflowException;

/**
 * What a connection's actor has sent and its client has not read yet, bounded in messages (by the stream's buffer)
 * and here in characters: a client that stops reading while large messages pile up would otherwise hold up to
 * {@code outbound-buffer} x {@code max-message-bytes} of the master's memory. Past the bound the socket's outbound
 * stream fails at once, which closes the socket; buffered messages are dropped (the participant can resume).
 *
 * <p>The outbound stream is the socket's own: it is materialized with the rest of the socket's flow, after the
 * connection's actor exists ({@link #attach}), rather than in a stream of its own (one more actor and a
 * publisher/subscriber hop for every message, on every socket). What the actor sends before that (only a
 * {@code masterLeaving} or a close can come so early) waits here and goes out first.
 */
final class Outbox {

    /** Fails the outbound stream at once (not queued behind what is waiting). */
    static final String OVERFLOW = "\u0000overflow";

    /**
     * Before {@link #attach}: at most this many messages wait (an early close and a notification or two); past it
     * the stream is failed as soon as it runs, as a client that does not read would be.
     */
    private static final int MAX_EARLY = 16;

    private final long maxChars;
    private final AtomicLong pendingChars = new AtomicLong();
    /** Set once, by {@link #attach}, after what waited in {@link #early} went out. */
    private volatile ActorRef<String> stream;
    /** Guarded by {@code this}; null once attached. */
    private List<String> early = new ArrayList<>(0);
    /** Guarded by {@code this}: more than {@link #MAX_EARLY} came before the stream; it fails once attached. */
    private boolean earlyOverflow;

    /** An outbox whose stream is attached later, when the socket's flow is materialized. */
    Outbox(long maxChars) {
        this.maxChars = maxChars;
    }

    Outbox(ActorRef<String> stream, long maxChars) {
        this(maxChars);
        attach(stream);
    }

    /** The socket's outbound stream now runs: what waited goes out, in order, and everything after it directly. */
    synchronized void attach(ActorRef<String> stream) {
        if (this.stream != null) {
            throw new IllegalStateException("the outbox's stream is attached already");
        }
        early.forEach(stream::tell);
        early = null;
        this.stream = stream;
    }

    /** Called by the connection's actor. */
    void tell(String text) {
        if (!text.startsWith("\u0000") && pendingChars.addAndGet(text.length()) > maxChars) {
            text = OVERFLOW; // CLOSE and OVERFLOW are instructions, not messages: they are not counted
        }
        ActorRef<String> to = stream;
        if (to == null) {
            to = attachedOrKept(text);
        }
        if (to != null) {
            to.tell(text);
        }
    }

    /** The stream, or null when {@code text} was kept until it is attached. */
    private synchronized ActorRef<String> attachedOrKept(String text) {
        if (stream == null) {
            if (earlyOverflow) {
                return null; // the stream fails as soon as it runs
            }
            if (early.size() < MAX_EARLY) {
                early.add(text);
            } else {
                earlyOverflow = true;
                early = new ArrayList<>(List.of(OVERFLOW));
            }
            return null;
        }
        return stream;
    }

    /** Called by the stream when the socket takes the message. */
    String taken(String text) {
        pendingChars.addAndGet(-text.length());
        return text;
    }

    /** The failure of an outbound stream whose outbox held more than {@code maxChars}. */
    static BufferOverflowException overflow(long maxChars) {
        return new BufferOverflowException("the client did not read " + maxChars
                + " characters of messages (outbound-buffer-bytes)");
    }
}
