package io.tessera.master.signalling;

import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.wire.jsonrpc.OpenViduResult;

import java.time.Duration;
import java.util.List;

/**
 * The limits and answers of every client socket on a master ({@link ClientConnection}). How long the media node may
 * take is the {@link MediaNodeClient}'s timeout.
 *
 * @param messagesPerSecond requests over it (bursts of twice as many pass) are answered with 429
 * @param iceServers        joinRoom's {@code customIceServers}, never empty (see {@link OpenViduResult.IceServer})
 * @param reconnectHold     how long a {@code reconnectStream} may wait for its session to move off a dead media node
 *                          ({@link StreamReconnects}); below openvidu-browser's 10 s request timeout
 */
public record SignallingSettings(int maxMetadataLength, int maxMessageBytes, Duration silenceTimeout,
                                 int messagesPerSecond, List<OpenViduResult.IceServer> iceServers,
                                 Duration reconnectHold) {
    /** The default of {@code reconnectHold}. */
    public static final Duration RECONNECT_HOLD = Duration.ofSeconds(8);

    public SignallingSettings {
        iceServers = List.copyOf(iceServers);
        if (iceServers.isEmpty()) {
            throw new IllegalArgumentException("at least one ICE server is needed: openvidu-browser uses public "
                    + "STUN servers when the list is empty");
        }
    }

    public SignallingSettings(int maxMetadataLength, int maxMessageBytes, Duration silenceTimeout,
                              int messagesPerSecond) {
        this(maxMetadataLength, maxMessageBytes, silenceTimeout, messagesPerSecond,
                OpenViduResult.IceServer.parseList(OpenViduResult.IceServer.LOOPBACK_DEFAULT), RECONNECT_HOLD);
    }
}
