package io.tessera.master.console;

import io.tessera.common.config.NodeSettings;
import io.tessera.master.console.ClusterSnapshot.MediaNodeSample;
import io.tessera.master.console.ClusterSnapshot.MemberSample;
import io.tessera.master.placement.MediaNodeState;
import io.tessera.master.placement.MediaNodes;
import io.tessera.master.routing.SessionRecord;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads this master's local view: cluster membership, the media node snapshot and this master's replica of the
 * routing table (already kept in memory for the metrics, so sampling costs the replicator nothing).
 *
 * <p>The replica comes as its shards; a shard the replicator did not change since the last sample is the same object,
 * and its routes are the ones built then (the same map, which {@link SnapshotDiff} then skips). Only the shards
 * written since the last sample are read. Called by the feed actor only, one sample at a time.
 */
public final class LiveClusterSampler implements Supplier<ClusterSnapshot> {
    private final Cluster cluster;
    private final MediaNodes mediaNodes;
    private final Supplier<List<LWWMap<String, SessionRecord>>> sessionShards;
    /** Per shard, the replica's map at the last sample and the routes built from it. */
    private final List<LWWMap<String, SessionRecord>> lastShards = new ArrayList<>();
    private final List<Map<String, String>> lastRoutes = new ArrayList<>();

    public LiveClusterSampler(ActorSystem<?> system, MediaNodes mediaNodes,
                              Supplier<List<LWWMap<String, SessionRecord>>> sessionShards) {
        this.cluster = Cluster.get(system);
        this.mediaNodes = mediaNodes;
        this.sessionShards = sessionShards;
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
        return new ClusterSnapshot(masters, media, routes(sessionShards.get()));
    }

    private List<Map<String, String>> routes(List<LWWMap<String, SessionRecord>> shards) {
        for (int i = 0; i < shards.size(); i++) {
            LWWMap<String, SessionRecord> shard = shards.get(i);
            if (i == lastShards.size()) {
                lastShards.add(null);
                lastRoutes.add(Map.of());
            }
            if (shard != lastShards.get(i)) {
                Map<String, String> routes = new HashMap<>();
                if (shard != null) {
                    // The underlying ORMap's entries, read in place: LWWMap.getEntries would build a new map first.
                    for (Map.Entry<String, LWWRegister<SessionRecord>> e : shard.underlying().getEntries().entrySet()) {
                        routes.put(e.getKey(), e.getValue().getValue().mediaNodeId());
                    }
                }
                lastShards.set(i, shard);
                lastRoutes.set(i, Map.copyOf(routes));
            }
        }
        return List.copyOf(lastRoutes.subList(0, shards.size()));
    }

    /** The same naming as the cluster view: the {@code id:} role, else the address. */
    static String nodeId(Member member) {
        return member.getRoles().stream().filter(r -> r.startsWith(NodeSettings.NODE_ID_ROLE_PREFIX))
                .map(r -> r.substring(NodeSettings.NODE_ID_ROLE_PREFIX.length()))
                .findFirst().orElse(member.address().toString());
    }
}
