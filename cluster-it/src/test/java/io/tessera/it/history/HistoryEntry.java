package io.tessera.it.history;

import java.util.List;

/**
 * One timed entry of a {@link History}: {@code index} is its place in the history (the order entries were recorded),
 * {@code atNanos} the {@link System#nanoTime()} it was recorded at.
 */
public sealed interface HistoryEntry {

    long index();

    long atNanos();

    /** A client started an operation ({@code sendMessage}, {@code joinRoom}, a REST call). */
    record Invoked(long index, long atNanos, String client, long opId, String operation, String key,
                   List<String> recipients) implements HistoryEntry {
        public Invoked {
            recipients = List.copyOf(recipients);
        }
    }

    /** How an operation ended; {@code detail} is its result or error, shortened. */
    record Completed(long index, long atNanos, String client, long opId, Outcome outcome, String detail)
            implements HistoryEntry {
    }

    /** A client joined a session as {@code connectionId}; its next event carries {@code seq + 1}. */
    record Joined(long index, long atNanos, String client, String sessionId, String connectionId, long seq)
            implements HistoryEntry {
    }

    /** A client left its session, or ended (it expects no more events). */
    record Left(long index, long atNanos, String client, String reason) implements HistoryEntry {
    }

    /**
     * A server event as the client handed it to the application. {@code key} names what the event is about (a
     * message's data, the connection a {@code participantJoined} is about), {@code from} a message's sender.
     */
    record EventReceived(long index, long atNanos, String client, String method, long seq, String key, String from)
            implements HistoryEntry {
    }

    /**
     * One media node's RTP forwarding counter for a session, read in sampling round {@code round} (every node is read
     * once a round), and whether the node said it was fenced.
     */
    record MediaSample(long index, long atNanos, long round, String node, String session, double forwarded,
                       boolean fenced) implements HistoryEntry {
    }
}
