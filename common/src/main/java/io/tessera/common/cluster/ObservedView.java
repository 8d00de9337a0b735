package io.tessera.common.cluster;

import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.UniqueAddress;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The membership and reachability that the downer has been told of, built only from the cluster events it handled
 * (as Pekko's Split Brain Resolver keeps its own). The stable timer measures how long this view went unchanged, so the
 * decision is taken on this view and never on {@code Cluster.state()}: that one is kept by another actor and can be
 * ahead of the events still in the downer's mailbox. At a thaw it is: the reaper marks every peer unreachable just
 * as a timer due in the pause's last second fires, and a decision on that unstable view downs the thawed node.
 */
final class ObservedView {
    private final Map<UniqueAddress, Member> members = new LinkedHashMap<>();
    private final Set<UniqueAddress> unreachable = new HashSet<>();

    /** Applies one event; true if membership or reachability changed (the stable period starts again). */
    boolean apply(ClusterEvent.ClusterDomainEvent event) {
        if (event instanceof ClusterEvent.MemberRemoved removed) {
            members.remove(removed.member().uniqueAddress());
            unreachable.remove(removed.member().uniqueAddress());
            return true;
        }
        if (event instanceof ClusterEvent.MemberEvent changed) {
            members.put(changed.member().uniqueAddress(), changed.member());
            return true;
        }
        if (event instanceof ClusterEvent.UnreachableMember lost) {
            members.put(lost.member().uniqueAddress(), lost.member());
            unreachable.add(lost.member().uniqueAddress());
            return true;
        }
        if (event instanceof ClusterEvent.ReachableMember back) {
            members.put(back.member().uniqueAddress(), back.member());
            unreachable.remove(back.member().uniqueAddress());
            return true;
        }
        return false; // leader, role leader, seen-by and other events change nothing the rule reads
    }

    List<Member> members() {
        return List.copyOf(members.values());
    }

    /** The members some node sees as unreachable, with their latest status. */
    List<Member> unreachable() {
        return members.values().stream().filter(m -> unreachable.contains(m.uniqueAddress())).toList();
    }
}
