package io.tessera.client;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands server events to the application exactly once and in order, whichever socket they came on: drops the
 * duplicates a resume replays, puts each event on a bounded queue (counting, never blocking, when it is full) and
 * then calls the listener. One lock around all of it, so that events of an old and a new socket cannot interleave.
 */
final class EventDelivery {

    private static final Logger log = LoggerFactory.getLogger(EventDelivery.class);

    private final BlockingQueue<ServerEvent> queue;
    private final int capacity;
    private final SignallingListener listener;
    private final EventSequence sequence = new EventSequence();
    private final AtomicLong dropped = new AtomicLong();

    EventDelivery(int capacity, SignallingListener listener) {
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.listener = listener;
    }

    /**
     * Delivers {@code event} unless its {@code seq} was delivered already; {@code accepted} runs first, under the
     * same lock, for what the client itself learns from the event.
     */
    void deliver(ServerEvent event, Runnable accepted) {
        synchronized (this) {
            if (sequence.offer(event.seq()) == EventSequence.Verdict.DUPLICATE) {
                log.debug("dropping {} seq {}: already delivered", event.method(), event.seq());
                return;
            }
            accepted.run();
            if (!queue.offer(event)) {
                long n = dropped.incrementAndGet();
                if (n == 1 || n % 1000 == 0) {
                    log.warn("event queue full (capacity {}): dropped {} event(s) so far, latest {} seq {}",
                            capacity, n, event.method(), event.seq());
                }
            }
            listener.onEvent(event);
        }
    }

    /** A join starts a new participant's sequence at {@code seq}. */
    void restartAt(long seq) {
        sequence.restartAt(seq);
    }

    BlockingQueue<ServerEvent> queue() {
        return queue;
    }

    int capacity() {
        return capacity;
    }

    long dropped() {
        return dropped.get();
    }

    long lastSeq() {
        return sequence.last();
    }

    long gaps() {
        return sequence.gaps();
    }

    long duplicates() {
        return sequence.duplicates();
    }
}
