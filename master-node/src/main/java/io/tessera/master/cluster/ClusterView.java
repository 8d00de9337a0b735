package io.tessera.master.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.common.config.NodeSettings;
import io.tessera.master.placement.HaPlan;
import io.tessera.master.placement.MediaNodeState;
import io.tessera.master.placement.MediaNodes;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.RoutingTable;
import io.tessera.master.views.JsonViews;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;
import java.util.stream.StreamSupport;

/** Tessera's {@code GET /openvidu/api/cluster}: the masters, the media nodes and their load, the routing table size. */
public final class ClusterView {
    private final Cluster cluster;
    private final String selfId;
    private final MediaNodes mediaNodes;
    private final Routes routing;

    private final int failuresToTolerate;
    // This master's open WebSocket connections: what the masters' group scales on (deploy/aws metrics publisher).
    private final IntSupplier selfConnections;

    public ClusterView(ActorSystem<?> system, String selfId, MediaNodes mediaNodes, Routes routing,
                       int failuresToTolerate, IntSupplier selfConnections) {
        this.failuresToTolerate = failuresToTolerate;
        this.selfConnections = selfConnections;
        this.cluster = Cluster.get(system);
        this.selfId = selfId;
        this.mediaNodes = mediaNodes;
        this.routing = routing;
    }

    public Collection<MediaNodeState> mediaNodes() {
        return mediaNodes.all().stream().sorted(Comparator.comparing(MediaNodeState::id)).toList();
    }

    public Optional<MediaNodeState> mediaNode(String id) {
        return mediaNodes.get(id);
    }

    public CompletionStage<JsonNode> json() {
        return routing.allSessions().thenApply(sessions -> {
            ObjectNode root = JsonViews.MAPPER.createObjectNode();
            root.put("self", selfId);
            root.put("selfConnections", selfConnections.getAsInt());
            ClusterEvent.CurrentClusterState state = cluster.state();
            Set<Member> unreachable = new HashSet<>(state.getUnreachable());
            ArrayNode masters = root.putArray("masters");
            List<Member> members = StreamSupport.stream(state.getMembers().spliterator(), false)
                    .filter(m -> m.hasRole("master")).toList();
            for (Member m : members) {
                ObjectNode node = masters.addObject();
                node.put("id", nodeId(m));
                node.put("address", m.address().toString());
                node.put("status", m.status().toString().toLowerCase());
                node.put("reachable", !unreachable.contains(m));
            }
            ArrayNode media = root.putArray("mediaNodes");
            long now = System.currentTimeMillis();
            for (MediaNodeState n : mediaNodes()) {
                media.add(MediaNodeViews.clusterMediaNode(n, now));
            }
            root.putObject("routing").put("sessions", sessions.size()).put("shards", RoutingTable.SHARDS);
            root.set("haPlan", MediaNodeViews.haPlan(HaPlan.plan(mediaNodes.available(), sessions, failuresToTolerate)));
            return root;
        });
    }

    private static String nodeId(Member member) {
        return member.getRoles().stream().filter(r -> r.startsWith(NodeSettings.NODE_ID_ROLE_PREFIX))
                .map(r -> r.substring(NodeSettings.NODE_ID_ROLE_PREFIX.length()))
                .findFirst().orElse(member.address().toString());
    }
}
