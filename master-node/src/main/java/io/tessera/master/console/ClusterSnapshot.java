package io.tessera.master.console;

import java.util.Map;

/**
 * What one master sees of the cluster at one instant, reduced to what the console's timeline compares: masters by
 * id with their membership state, media nodes by id, and each session's media node. Immutable; two consecutive
 * snapshots are diffed by {@link SnapshotDiff}.
 *
 * @param masters       master id -> member status as the cluster shows it ({@code up}, {@code leaving}, ...)
 *                      plus whether this master can reach it
 * @param mediaNodes    media node id -> its reported status and reachability
 * @param sessionRoutes session id -> the media node id the routing table names for it
 */
public record ClusterSnapshot(Map<String, MemberSample> masters, Map<String, MediaNodeSample> mediaNodes,
                              Map<String, String> sessionRoutes) {

    public static final ClusterSnapshot EMPTY = new ClusterSnapshot(Map.of(), Map.of(), Map.of());

    public ClusterSnapshot {
        masters = Map.copyOf(masters);
        mediaNodes = Map.copyOf(mediaNodes);
        sessionRoutes = Map.copyOf(sessionRoutes);
    }

    /** A master as the cluster membership shows it. */
    public record MemberSample(String status, boolean reachable) {
    }

    /** A media node as its last load report and the failure detector show it. */
    public record MediaNodeSample(String status, boolean reachable) {
    }
}
