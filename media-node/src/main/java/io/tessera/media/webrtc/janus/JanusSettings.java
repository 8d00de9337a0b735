package io.tessera.media.webrtc.janus;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How one media node runs its Janus: where its files go, which ports it uses and which addresses it offers.
 *
 * @param binary         the janus executable ({@code TESSERA_JANUS_BINARY}, default {@code /usr/bin/janus})
 * @param libraryDir     the folder holding Janus's {@code plugins/} and {@code transports/} (the Debian layout)
 * @param workDir        a directory of this node alone: config files, the Janus log
 * @param wsPort         the loopback port of Janus's WebSocket API ({@code TESSERA_JANUS_WS_PORT}, default 8188)
 * @param adminWsPort    the loopback port of Janus's admin WebSocket API; 0 leaves it off
 * @param rtpPortMin     the first UDP port of the media range ({@code TESSERA_WEBRTC_PORT_MIN}, default 20000)
 * @param rtpPortMax     the last UDP port of the media range ({@code TESSERA_WEBRTC_PORT_MAX}, default 20999)
 * @param publicAddress  the address clients reach this node at, written as {@code nat_1_1_mapping}
 *                       ({@code TESSERA_PUBLIC_ADDRESS}; empty: the host's own addresses)
 * @param iceEnforceList interfaces or address prefixes Janus gathers candidates on ({@code ice_enforce_list},
 *                       {@code TESSERA_JANUS_ICE_ENFORCE_LIST}; empty: every interface)
 * @param sdpAddress     the address Janus writes in its SDP's {@code c=} line ({@code interface}); empty: Janus picks
 * @param startTimeout   how long Janus may take until its WebSocket answers
 */
public record JanusSettings(Path binary, Path libraryDir, Path workDir, int wsPort, int adminWsPort, int rtpPortMin,
                            int rtpPortMax, Optional<String> publicAddress, Optional<String> iceEnforceList,
                            Optional<String> sdpAddress, Duration startTimeout) {

    public static final Path DEFAULT_BINARY = Path.of("/usr/bin/janus");
    /** Where Debian's {@code janus} package puts its plugins and transports ({@code dpkg -L janus}). */
    public static final Path DEFAULT_LIBRARY_DIR = Path.of("/usr/lib/x86_64-linux-gnu/janus");
    public static final int DEFAULT_WS_PORT = 8188;
    public static final int DEFAULT_PORT_MIN = 20000;
    public static final int DEFAULT_PORT_MAX = 20999;

    public JanusSettings {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(libraryDir, "libraryDir");
        Objects.requireNonNull(workDir, "workDir");
        requirePort("Janus WebSocket port", wsPort);
        if (adminWsPort != 0) {
            requirePort("Janus admin WebSocket port", adminWsPort);
            if (adminWsPort == wsPort) {
                throw new IllegalArgumentException("the Janus admin WebSocket port must differ from its API port "
                        + wsPort);
            }
        }
        requirePort("TESSERA_WEBRTC_PORT_MIN", rtpPortMin);
        requirePort("TESSERA_WEBRTC_PORT_MAX", rtpPortMax);
        if (rtpPortMin > rtpPortMax) {
            throw new IllegalArgumentException("TESSERA_WEBRTC_PORT_MIN " + rtpPortMin
                    + " is above TESSERA_WEBRTC_PORT_MAX " + rtpPortMax);
        }
        publicAddress = nonBlank(publicAddress);
        iceEnforceList = nonBlank(iceEnforceList);
        sdpAddress = nonBlank(sdpAddress);
        publicAddress.ifPresent(value -> requireConfigSafe("TESSERA_PUBLIC_ADDRESS", value));
        iceEnforceList.ifPresent(value -> requireConfigSafe("TESSERA_JANUS_ICE_ENFORCE_LIST", value));
        sdpAddress.ifPresent(value -> requireConfigSafe("SDP address", value));
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("the Janus start timeout must be positive, not " + startTimeout);
        }
    }

    /**
     * Settings from the node's environment ({@code TESSERA_JANUS_BINARY}, {@code TESSERA_JANUS_WS_PORT},
     * {@code TESSERA_WEBRTC_PORT_MIN/MAX}, {@code TESSERA_PUBLIC_ADDRESS}, {@code TESSERA_JANUS_ICE_ENFORCE_LIST}).
     */
    public static JanusSettings fromEnvironment(Map<String, String> env, Path workDir) {
        return new JanusSettings(
                Path.of(env.getOrDefault("TESSERA_JANUS_BINARY", DEFAULT_BINARY.toString())),
                DEFAULT_LIBRARY_DIR,
                workDir,
                intValue(env, "TESSERA_JANUS_WS_PORT", DEFAULT_WS_PORT),
                0,
                intValue(env, "TESSERA_WEBRTC_PORT_MIN", DEFAULT_PORT_MIN),
                intValue(env, "TESSERA_WEBRTC_PORT_MAX", DEFAULT_PORT_MAX),
                Optional.ofNullable(env.get("TESSERA_PUBLIC_ADDRESS")),
                Optional.ofNullable(env.get("TESSERA_JANUS_ICE_ENFORCE_LIST")),
                // one address to gather on is also the one for the SDP's c= line
                Optional.ofNullable(env.get("TESSERA_JANUS_ICE_ENFORCE_LIST")).map(String::trim)
                        .filter(list -> list.matches("[0-9.]+|[0-9A-Fa-f:]+")),
                Duration.ofSeconds(20));
    }

    /**
     * Janus on this host with its API on the given loopback ports and no address restriction (it gathers on every
     * interface that is up, as on a developer's machine).
     */
    public static JanusSettings local(Path workDir, int wsPort, int adminWsPort, int rtpPortMin, int rtpPortMax) {
        return new JanusSettings(DEFAULT_BINARY, DEFAULT_LIBRARY_DIR, workDir, wsPort, adminWsPort, rtpPortMin,
                rtpPortMax, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(20));
    }

    /**
     * These settings, gathering only on {@code address} (written as {@code ice_enforce_list}, and as the SDP's
     * {@code interface}). Janus 1.1 never gathers on an interface flagged as loopback, so a loopback-only test puts
     * its address (e.g. 127.0.0.2) on an interface of a network namespace of its own; see {@link IceEnforceCheck}.
     */
    public JanusSettings gatheringOnlyOn(String address) {
        return new JanusSettings(binary, libraryDir, workDir, wsPort, adminWsPort, rtpPortMin, rtpPortMax,
                publicAddress, Optional.of(address), Optional.of(address), startTimeout);
    }

    public JanusSettings withBinary(Path otherBinary) {
        return new JanusSettings(otherBinary, libraryDir, workDir, wsPort, adminWsPort, rtpPortMin, rtpPortMax,
                publicAddress, iceEnforceList, sdpAddress, startTimeout);
    }

    public JanusSettings withStartTimeout(Duration timeout) {
        return new JanusSettings(binary, libraryDir, workDir, wsPort, adminWsPort, rtpPortMin, rtpPortMax,
                publicAddress, iceEnforceList, sdpAddress, timeout);
    }

    /** {@code name}'s value as a number, {@code fallback} when unset; also {@link JanusWorkDir}'s reading of the port. */
    static int intValue(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, not '" + value + "'");
        }
    }

    private static void requirePort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be a port number (1-65535), not " + port);
        }
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.map(String::trim).filter(text -> !text.isEmpty());
    }

    /** Values go into Janus's libconfig files between quotes: refuse anything that could end the string. */
    private static void requireConfigSafe(String name, String value) {
        if (!value.matches("[A-Za-z0-9.:,_\\-/ ]+")) {
            throw new IllegalArgumentException(name + " may only hold letters, digits and . : , _ - /, not '"
                    + value + "'");
        }
    }
}
