package io.tessera.master.console;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one master sees of the cluster at one instant, reduced to what the console's timeline compares: masters by
 * id with their membership state, media nodes by id, and each session's media node. Immutable; two consecutive
 * snapshots are diffed by {@link SnapshotDiff}.
 *
 * <p>The sessions come in shards, as the routing table holds them. A shard that did not change between two samples is
 * the same map object in both, so the diff skips it without reading it: a sample of a cluster holding 10 000 sessions
 * costs what the shards written since the last sample hold, not the whole table (docs/BENCHMARKS.md "As the cluster
 * fills").
 *
 * @param masters       master id -> member status as the cluster shows it ({@code up}, {@code leaving}, ...)
 *                      plus whether this master can reach it
 * @param mediaNodes    media node id -> its reported status and reachability
 * @param sessionShards per shard: session id -> the media node id the routing table names for it; every session in
 *                      one shard only, and the same number of shards in every sample of one sampler
 */
public record ClusterSnapshot(Map<String, MemberSample> masters, Map<String, MediaNodeSample> mediaNodes,
                              List<Map<String, String>> sessionShards) {

    public static final ClusterSnapshot EMPTY = new ClusterSnapshot(Map.of(), Map.of(), Map.of());

    public ClusterSnapshot {
        masters = Map.copyOf(masters);
        mediaNodes = Map.copyOf(mediaNodes);
        // Map.copyOf keeps a map that is already unmodifiable as it is: an unchanged shard stays the same object.
        sessionShards = sessionShards.stream().<Map<String, String>>map(Map::copyOf).toList();
    }

    /** All sessions in one shard. */
    public ClusterSnapshot(Map<String, MemberSample> masters, Map<String, MediaNodeSample> mediaNodes,
                           Map<String, String> sessionRoutes) {
        this(masters, mediaNodes, List.of(sessionRoutes));
    }

    /** Session id -> media node id, every shard together. */
    public Map<String, String> sessionRoutes() {
        Map<String, String> all = new HashMap<>();
        sessionShards.forEach(all::putAll);
        return all;
    }

    /** A master as the cluster membership shows it. */
    public record MemberSample(String status, boolean reachable) {
    }

    /** A media node as its last load report and the failure detector show it. */
    public record MediaNodeSample(String status, boolean reachable) {
    }
}
