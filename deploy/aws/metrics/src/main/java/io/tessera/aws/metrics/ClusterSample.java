package io.tessera.aws.metrics;

import io.tessera.client.rest.ClusterView;

/**
 * One reading of the local master's {@code /openvidu/api/cluster}.
 *
 * @param masterId    the master that answered
 * @param connections its open WebSocket connections
 * @param sessions    sessions on every reachable media node, draining ones included (they must go somewhere)
 * @param capacity    sessions the running, reachable media nodes may host (draining ones take no new session)
 */
public record ClusterSample(String masterId, int connections, int sessions, int capacity) {

    /** The sample of a master's cluster view. */
    public static ClusterSample of(ClusterView view) {
        int sessions = 0;
        int capacity = 0;
        for (ClusterView.MediaMember node : view.mediaNodes()) {
            if (!node.reachable()) {
                continue; // its sessions are being placed elsewhere and show up there
            }
            sessions += node.load().sessions();
            if (node.isRunning()) {
                capacity += node.load().capacity();
            }
        }
        return new ClusterSample(view.self(), view.selfConnections(), sessions, capacity);
    }

    /** Sessions over capacity; 1 (full) when no running node has capacity, so that the media group grows. */
    public double mediaLoadRatio() {
        return capacity <= 0 ? 1.0 : (double) sessions / capacity;
    }
}
