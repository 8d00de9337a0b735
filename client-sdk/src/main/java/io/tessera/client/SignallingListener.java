package io.tessera.client;

import java.net.URI;
import java.time.Duration;

/**
 * What a {@link SignallingClient} tells the application besides the answers to its requests: server events, and the
 * life of the connection (resume attempts, resumes, giving up, the end). Every method does nothing by default, so an
 * application implements only what it needs and hands the listener to {@link SignallingClientBuilder#listener}; or it
 * sets single callbacks ({@link SignallingClientBuilder#onEvent}, {@link SignallingClientBuilder#onClose}, ...).
 *
 * <p>Methods run on SDK threads (a socket's or a timer's): keep them short. An exception thrown by one is logged and
 * otherwise ignored, so that an application bug cannot stop the SDK from reading its socket.
 */
public interface SignallingListener {

    /** A server event, after it was queued on {@link SignallingClient#events()}; each {@code seq} once, in order. */
    default void onEvent(ServerEvent event) {
    }

    /** A resume attempt is about to start (after {@link Reconnecting#delay()}). */
    default void onReconnecting(Reconnecting attempt) {
    }

    /** The client resumed on a new socket: the same object keeps working. */
    default void onReconnected(Reconnected info) {
    }

    /** Resuming failed for good ({@link #onClose} follows); the application must join again. */
    default void onDisconnected(Disconnected info) {
    }

    /** The client ended, once (not when a socket is lost and resumed). */
    default void onClose(CloseInfo info) {
    }

    /**
     * How the client ended: the close code and reason sent by the server, or an error (code -1).
     *
     * @param statusCode the WebSocket close code, -1 when the socket failed or resuming failed
     * @param reason     the close reason or a description of the failure
     * @param error      the failure, null for a clean close
     */
    record CloseInfo(int statusCode, String reason, Throwable error) {
    }

    /**
     * An attempt to resume is about to start (after {@code delay}).
     *
     * @param attempt the attempt number in this outage, from 1
     * @param uri     the master this attempt goes to
     * @param delay   the jittered backoff waited before the attempt
     * @param cause   why the previous socket or attempt failed
     */
    record Reconnecting(int attempt, URI uri, Duration delay, Throwable cause) {
    }

    /**
     * The client resumed on a new socket.
     *
     * @param uri            the master that resumed it
     * @param attempts       how many attempts it took
     * @param elapsed        from losing the socket to the {@code connect} answer
     * @param replayedEvents missed events delivered on the new socket before its {@code connect} answer (more may
     *                       follow it)
     * @param result         the {@code connect} result: the participants and streams now, the media node
     */
    record Reconnected(URI uri, int attempts, Duration elapsed, int replayedEvents, JoinResult result) {
    }

    /** Why resuming ended without success; after any of them the application must join again. */
    enum DisconnectReason {
        /** {@code connect} failed with 401: the resume secret was not accepted. */
        RESUME_REJECTED,
        /** {@code connect} failed with 404: the grace window passed or the session ended. */
        PARTICIPANT_GONE,
        /** {@code connect} failed with 409: the server no longer holds all the events this client missed. */
        EVENTS_LOST,
        /** No master resumed the session within {@link ReconnectPolicy#maxTotalTime()}. */
        GAVE_UP
    }

    /**
     * Resuming ended without success and the client is closed.
     *
     * @param reason   why
     * @param detail   a readable description
     * @param attempts how many attempts were made
     * @param elapsed  from losing the socket to giving up
     * @param cause    the last failure (the error response, transport failure or timeout); may be null
     */
    record Disconnected(DisconnectReason reason, String detail, int attempts, Duration elapsed, Throwable cause) {
    }
}
