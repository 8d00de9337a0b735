package io.tessera.it.history;

import io.tessera.client.JsonRpcException;
import io.tessera.client.rest.RestException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-safe, bounded, append-only log of what the clients of a test did and saw, for {@link HistoryChecker}.
 * Recorded from the test's threads, the SDK clients' socket threads and samplers at once. When full it records no
 * more and counts what it dropped; the checker then reports the history as incomplete rather than passing on part of it.
 */
public final class History {

    public static final int DEFAULT_CAPACITY = 100_000;
    private static final int DETAIL_CHARS = 200;

    private final int capacity;
    private final long startNanos = System.nanoTime();
    private final List<HistoryEntry> entries = new ArrayList<>(); // guarded by this
    private final Set<String> messageKeys = new HashSet<>(); // guarded by this
    private final AtomicLong opIds = new AtomicLong();
    private long dropped; // guarded by this

    public History(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    public History() {
        this(DEFAULT_CAPACITY);
    }

    /** Starts an operation; {@code key} identifies what it carries (a message's data), unique per sendMessage. */
    public long invoked(String client, String operation, String key, List<String> recipients) {
        long opId = opIds.incrementAndGet();
        synchronized (this) {
            if ("sendMessage".equals(operation) && !messageKeys.add(key)) {
                throw new IllegalArgumentException("message data '" + key + "' was sent before: each sendMessage in a "
                        + "history needs data of its own, the checker tells deliveries apart by it");
            }
            append(new HistoryEntry.Invoked(next(), System.nanoTime(), client, opId, operation, key, recipients));
        }
        return opId;
    }

    public synchronized void completed(String client, long opId, Outcome outcome, Object detail) {
        append(new HistoryEntry.Completed(next(), System.nanoTime(), client, opId, outcome, shorten(detail)));
    }

    public synchronized void joined(String client, String sessionId, String connectionId, long seq) {
        append(new HistoryEntry.Joined(next(), System.nanoTime(), client, sessionId, connectionId, seq));
    }

    public synchronized void left(String client, String reason) {
        append(new HistoryEntry.Left(next(), System.nanoTime(), client, reason));
    }

    public synchronized void eventReceived(String client, String method, long seq, String key, String from) {
        append(new HistoryEntry.EventReceived(next(), System.nanoTime(), client, method, seq, key, from));
    }

    public synchronized void mediaSample(long round, String node, String session, double forwarded, boolean fenced) {
        append(new HistoryEntry.MediaSample(next(), System.nanoTime(), round, node, session, forwarded, fenced));
    }

    /**
     * Records {@code request} as an operation of {@code client}: invoked now, completed when it completes. Returns a
     * future that completes after the completion was recorded, with the request's result.
     */
    public <T> CompletableFuture<T> track(String client, String operation, String key, List<String> recipients,
                                          CompletableFuture<T> request) {
        long opId = invoked(client, operation, key, recipients);
        return request.whenComplete((result, error) -> {
            if (error == null) {
                completed(client, opId, Outcome.OK, result);
            } else {
                completed(client, opId, classify(error), error);
            }
        });
    }

    /** Runs a blocking call (a REST request) as an operation of {@code client}, recording how it ended. */
    public <T> T call(String client, String operation, String key, Callable<T> call) throws Exception {
        long opId = invoked(client, operation, key, List.of());
        try {
            T result = call.call();
            completed(client, opId, Outcome.OK, result);
            return result;
        } catch (Exception | AssertionError e) {
            completed(client, opId, classify(e), e);
            throw e;
        }
    }

    /** A server's refusal is a failure; anything else (timeout, lost socket, cancellation) leaves it unknown. */
    static Outcome classify(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof JsonRpcException || cause instanceof RestException ? Outcome.FAILED
                : Outcome.INDETERMINATE;
    }

    /** Every entry so far, in the order recorded. */
    public synchronized List<HistoryEntry> entries() {
        return List.copyOf(entries);
    }

    public synchronized int size() {
        return entries.size();
    }

    /** Entries not recorded because the history was full. */
    public synchronized long dropped() {
        return dropped;
    }

    public int capacity() {
        return capacity;
    }

    /** Milliseconds from the history's start to {@code atNanos}, for readable reports. */
    public long millis(long atNanos) {
        return TimeUnit.NANOSECONDS.toMillis(atNanos - startNanos);
    }

    private long next() {
        return entries.size() + dropped;
    }

    private void append(HistoryEntry entry) {
        if (entries.size() >= capacity) {
            dropped++;
            return;
        }
        entries.add(entry);
    }

    private static String shorten(Object detail) {
        String s = String.valueOf(detail);
        return s.length() <= DETAIL_CHARS ? s : s.substring(0, DETAIL_CHARS) + "...";
    }
}
