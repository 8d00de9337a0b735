package io.tessera.common.cluster;

import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The downing rule of a Tessera cluster, as a pure function of one node's view (so it can be tested without a
 * cluster). Masters decide; media nodes never decide about anybody:
 * <ul>
 *   <li>The <b>decider</b> of a side is its lowest-address reachable master. It counts masters only (Up, WeaklyUp or
 *   Leaving): a side holding more than half of them, or exactly half including the lowest-address master, keeps
 *   itself and downs every unreachable member; any other side downs itself (its masters and its media nodes, which
 *   exit: the sessions they hosted are placed again on the majority side). This is keep-majority with role master,
 *   so a partition decides as the Split Brain Resolver did, and media nodes (any number of them) do not weigh.</li>
 *   <li>A losing side whose decider is only <b>WeaklyUp</b> (it joined while the other masters were unreachable: a
 *   master restarted after all of them died, before the others are back) does nothing either: it waits, not
 *   serving, until enough restarted masters form a majority and down the dead incarnations.</li>
 *   <li>A side with <b>no master</b> does nothing: when every master died at once, the media nodes keep their
 *   sessions and media running and wait. Restarted masters join them (media nodes are seeds / contact points); a
 *   master's new incarnation downs its old one as it joins.</li>
 *   <li>A media node that sees no master for longer than the {@code masterlessLimit} downs itself: then it was
 *   cut off (the masters have placed its sessions elsewhere long ago) or no master came back in time.</li>
 * </ul>
 */
public final class MasterQuorum {
    public static final String MASTER_ROLE = "master";

    private MasterQuorum() {
    }

    /** Members whose vote counts: masters that are part of the cluster (not joining, not on their way out). */
    static boolean counts(Member m) {
        MemberStatus s = m.status();
        return m.hasRole(MASTER_ROLE)
                && (s == MemberStatus.up() || s == MemberStatus.weaklyUp() || s == MemberStatus.leaving());
    }

    /**
     * What this node downs after the membership was stable for a while: nothing unless it is its side's decider.
     *
     * @param members     every member in this node's view
     * @param unreachable the members some node sees as unreachable
     */
    public static Set<UniqueAddress> decide(UniqueAddress self, Collection<Member> members, Collection<Member> unreachable) {
        Set<UniqueAddress> unreachableAddresses = unreachable.stream().map(Member::uniqueAddress)
                .collect(Collectors.toSet());
        List<Member> live = members.stream()
                .filter(m -> m.status() != MemberStatus.down() && m.status() != MemberStatus.removed())
                .toList();
        List<Member> lost = live.stream().filter(m -> unreachableAddresses.contains(m.uniqueAddress())).toList();
        if (lost.isEmpty()) {
            return Set.of();
        }
        List<Member> masters = live.stream().filter(MasterQuorum::counts).toList();
        List<Member> reachableMasters = masters.stream()
                .filter(m -> !unreachableAddresses.contains(m.uniqueAddress())).toList();
        Optional<Member> decider = reachableMasters.stream().min(Comparator.comparing(Member::address,
                Member.addressOrdering()));
        if (decider.isEmpty() || !decider.get().uniqueAddress().equals(self)) {
            return Set.of(); // no master here (wait for masters), or another master decides for this side
        }
        boolean keep;
        if (reachableMasters.size() * 2 == masters.size()) {
            Member lowest = masters.stream().min(Comparator.comparing(Member::address, Member.addressOrdering()))
                    .orElseThrow();
            keep = !unreachableAddresses.contains(lowest.uniqueAddress());
        } else {
            keep = reachableMasters.size() * 2 > masters.size();
        }
        if (keep) {
            return lost.stream().map(Member::uniqueAddress).collect(Collectors.toSet());
        }
        if (decider.get().status() == MemberStatus.weaklyUp()) {
            // A master that joined while the others were unreachable: most likely the first of a group restarting
            // after every master died, one machine after the other. Downing this side would end every session its
            // media nodes still run; it waits instead, not serving (it is not Up), until enough masters are back
            // to form a majority and down the dead ones.
            return Set.of();
        }
        // This side lost: every member of it goes, the decider too (it is downed by its own decision).
        return live.stream().filter(m -> !unreachableAddresses.contains(m.uniqueAddress()))
                .map(Member::uniqueAddress).collect(Collectors.toSet());
    }

    /** Whether this node's view holds a master it can reach (for a media node's masterless limit). */
    public static boolean seesMaster(Collection<Member> members, Collection<Member> unreachable) {
        Set<UniqueAddress> unreachableAddresses = unreachable.stream().map(Member::uniqueAddress)
                .collect(Collectors.toSet());
        return members.stream().anyMatch(m -> counts(m) && !unreachableAddresses.contains(m.uniqueAddress()));
    }
}
