package io.tessera.client;

/** Where a {@link SignallingClient} is in its life; see {@link SignallingClient#state()}. */
public enum ConnectionState {
    /** The first socket is being opened. */
    CONNECTING,
    /** A socket is open and the client is not (or no longer) in a session. */
    OPEN,
    /** A socket is open and the client has joined a session: a lost socket is resumed when reconnect is on. */
    JOINED,
    /** The socket was lost while joined: the client is opening a new one and resuming with {@code connect}. */
    RECONNECTING,
    /** Ended: closed by the application, by the server, or after reconnecting failed. Final. */
    CLOSED
}
