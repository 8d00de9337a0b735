package io.tessera.master.placement;

import io.tessera.common.protocol.ClusterTopics.LoadReport;
import io.tessera.common.protocol.MediaNodeProtocol;
import org.apache.pekko.actor.typed.ActorRef;

import java.util.HashMap;
import java.util.Map;

/** Media nodes as a master would know them from load reports, for in-JVM tests. */
public final class TestMediaNodes {
    private final MediaNodes view = new MediaNodes(60_000);
    private final Map<String, MediaNodeState> nodes = new HashMap<>();

    public MediaNodes view() {
        return view;
    }

    /** A reachable node that reported {@code status} just now, hosting {@code sessions} of {@code capacity}. */
    public TestMediaNodes report(String nodeId, ActorRef<MediaNodeProtocol.Command> manager, String status,
                                 int sessions, int capacity) {
        long now = System.currentTimeMillis();
        nodes.put(nodeId, new MediaNodeState(new LoadReport(nodeId, manager, "127.0.0.1", status, sessions, 0, 0, 0, 0,
                capacity, 0.1, now), now, true, now));
        view.publish(nodes);
        return this;
    }

    /** The node as the cluster sees it once it stopped answering heartbeats (its last report stays). */
    public TestMediaNodes unreachable(String nodeId) {
        MediaNodeState n = nodes.get(nodeId);
        nodes.put(nodeId, new MediaNodeState(n.report(), n.receivedAtMillis(), false, n.firstSeenMillis()));
        view.publish(nodes);
        return this;
    }
}
