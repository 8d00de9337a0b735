package io.tessera.master.placement;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The latest immutable view of the media nodes, published by {@link MediaNodeRegistry} and read without
 * locks by request handlers. Only the registry actor writes it; a reader sees one consistent snapshot.
 */
public final class MediaNodes {
    private final AtomicReference<Map<String, MediaNodeState>> snapshot = new AtomicReference<>(Map.of());
    private final long reportTimeoutMillis;

    public MediaNodes(long reportTimeoutMillis) {
        this.reportTimeoutMillis = reportTimeoutMillis;
    }

    void publish(Map<String, MediaNodeState> nodes) {
        snapshot.set(Map.copyOf(nodes));
    }

    public Collection<MediaNodeState> all() {
        return snapshot.get().values();
    }

    public Optional<MediaNodeState> get(String nodeId) {
        return Optional.ofNullable(snapshot.get().get(nodeId));
    }

    public List<MediaNodeState> available() {
        long now = System.currentTimeMillis();
        return snapshot.get().values().stream().filter(n -> n.available(now, reportTimeoutMillis)).toList();
    }

    /**
     * Whether the node can serve the sessions it hosts, as far as this master knows: a member it hears (gone once
     * downed or left, unreachable while the cluster says so), whatever its status (a draining node still serves).
     */
    public boolean isReachable(String nodeId) {
        MediaNodeState node = snapshot.get().get(nodeId);
        return node != null && node.reachable();
    }

    public boolean isAvailable(String nodeId) {
        MediaNodeState node = snapshot.get().get(nodeId);
        return node != null && node.available(System.currentTimeMillis(), reportTimeoutMillis);
    }
}
