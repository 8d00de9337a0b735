package io.tessera.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment of a test cluster whose media node runs Janus: in the browser execution's network namespace
 * ({@code src/test/netns/bin/java}) Janus gathers on 127.0.0.2, and remote candidates are limited to loopback, so
 * media never leaves the machine. One place for what every WebRTC test of the kit sets.
 */
public final class JanusEnvironment {
    /** The address Janus gathers on inside the browser tests' network namespace. */
    public static final String JANUS_ADDRESS = "127.0.0.2";

    private JanusEnvironment() {
    }

    /**
     * One Janus (a free WebSocket API port) with its UDP range {@code portMin}-{@code portMax}, plus {@code extra}
     * (which wins over these).
     */
    public static Map<String, String> of(int portMin, int portMax, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("TESSERA_WEBRTC_ENGINE", "janus");
        env.put("TESSERA_JANUS_WS_PORT", Integer.toString(freeLoopbackPort()));
        env.put("TESSERA_JANUS_ICE_ENFORCE_LIST", JANUS_ADDRESS);
        env.put("TESSERA_WEBRTC_PORT_MIN", Integer.toString(portMin));
        env.put("TESSERA_WEBRTC_PORT_MAX", Integer.toString(portMax));
        env.put("TESSERA_ICE_ALLOW", "127.0.0.0/8");
        env.putAll(extra);
        return Map.copyOf(env);
    }

    /** A port free on the loopback address now (for a Janus WebSocket API, a page server...). */
    public static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }
}
