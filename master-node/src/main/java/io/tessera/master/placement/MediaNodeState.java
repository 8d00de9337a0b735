package io.tessera.master.placement;

import io.tessera.common.protocol.ClusterTopics.LoadReport;
import io.tessera.common.protocol.MediaNodeStatus;

/**
 * What this master knows of one media node: its last load report, when it arrived, and whether the
 * cluster sees the node as reachable.
 */
public record MediaNodeState(LoadReport report, long receivedAtMillis, boolean reachable, long firstSeenMillis) {

    public String id() {
        return report.nodeId();
    }

    /** Placeable: reachable, reporting, and in status running. */
    public boolean available(long nowMillis, long reportTimeoutMillis) {
        return reachable && MediaNodeStatus.RUNNING.wireName().equals(report.status()) && nowMillis - receivedAtMillis <= reportTimeoutMillis;
    }
}
