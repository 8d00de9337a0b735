package io.tessera.master.console;

import io.tessera.common.config.NodeSettings;
import io.tessera.master.console.ClusterSnapshot.MediaNodeSample;
import io.tessera.master.console.ClusterSnapshot.MemberSample;
import io.tessera.master.placement.MediaNodeState;
import io.tessera.master.placement.MediaNodes;
import io.tessera.master.routing.SessionRecord;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads this master's local view: cluster membership, the media node snapshot and this master's replica of the
 * routing table (already kept in memory for the metrics, so sampling costs the replicator nothing).
 */
public final class LiveClusterSampler implements Supplier<ClusterSnapshot> {
    private final Cluster cluster;
    private final MediaNodes mediaNodes;
    private final Supplier<? extends Collection<SessionRecord>> sessions;

    public LiveClusterSampler(ActorSystem<?> system, MediaNodes mediaNodes,
                              Supplier<? extends Collection<SessionRecord>> sessions) {
        this.cluster = Cluster.get(system);
        this.mediaNodes = mediaNodes;
        this.sessions = sessions;
    }

    @Override
    public ClusterSnapshot get() {
        ClusterEvent.CurrentClusterState state = cluster.state();
        Set<Member> unreachable = new HashSet<>(state.getUnreachable());
        Map<String, MemberSample> masters = new HashMap<>();
        for (Member m : state.getMembers()) {
            if (m.hasRole("master")) {
                masters.put(nodeId(m), new MemberSample(m.status().toString().toLowerCase(), !unreachable.contains(m)));
            }
        }
        Map<String, MediaNodeSample> media = new HashMap<>();
        for (MediaNodeState n : mediaNodes.all()) {
            media.put(n.id(), new MediaNodeSample(n.report().status(), n.reachable()));
        }
        Map<String, String> routes = new HashMap<>();
        for (SessionRecord s : sessions.get()) {
            routes.put(s.sessionId(), s.mediaNodeId());
        }
        return new ClusterSnapshot(masters, media, routes);
    }

    /** The same naming as the cluster view: the {@code id:} role, else the address. */
    static String nodeId(Member member) {
        return member.getRoles().stream().filter(r -> r.startsWith(NodeSettings.NODE_ID_ROLE_PREFIX))
                .map(r -> r.substring(NodeSettings.NODE_ID_ROLE_PREFIX.length()))
                .findFirst().orElse(member.address().toString());
    }
}
