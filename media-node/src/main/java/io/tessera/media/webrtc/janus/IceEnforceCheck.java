package io.tessera.media.webrtc.janus;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Which local addresses Janus 1.1 will gather candidates on for an {@code ice_enforce_list}, computed the way Janus
 * does it (its {@code src/ice.c}): interfaces that are up and running, never those flagged as loopback, IPv4 only
 * (IPv6 stays off in our config), kept when the interface name or the address starts with an entry of the list.
 *
 * <p>Why it matters: when no address passes, Janus hands libnice none, and libnice then gathers on <em>every</em>
 * interface itself. An enforce list that matches nothing therefore means "everywhere", the opposite of its intent;
 * {@link JanusProcess} refuses to start Janus in that case.
 */
public final class IceEnforceCheck {
    private IceEnforceCheck() {
    }

    /** The addresses Janus would gather on for {@code enforceList} on this host (network namespace). */
    public static List<String> gatheringAddresses(String enforceList) throws IOException {
        List<String> entries = Arrays.stream(enforceList.split(",")).map(String::trim).filter(e -> !e.isEmpty())
                .toList();
        List<String> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (!(address instanceof Inet4Address) || address.isAnyLocalAddress()) {
                        continue;
                    }
                    String text = address.getHostAddress();
                    if (entries.stream().anyMatch(entry -> nic.getName().startsWith(entry) || text.startsWith(entry))) {
                        addresses.add(text);
                    }
                }
            }
        } catch (SocketException e) {
            throw new IOException("cannot list the network interfaces: " + e.getMessage(), e);
        }
        return addresses;
    }

    /** Throws unless {@code enforceList} leaves Janus at least one address to gather on. */
    static void requireMatch(String enforceList) throws IOException {
        if (gatheringAddresses(enforceList).isEmpty()) {
            throw new IOException("ice_enforce_list '" + enforceList + "' matches no interface that is up (Janus "
                    + "never gathers on loopback interfaces); Janus would fall back to gathering on every interface, "
                    + "so it is not started");
        }
    }
}
