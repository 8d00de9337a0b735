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
 *   <li>A side whose reachable masters are all <b>WeaklyUp</b> (they joined while every other master was unreachable:
 *   masters started after all of them died) and number more than half of {@code maxMasters}, the most masters the
 *   deployment ever runs (the masters' Auto Scaling group's maximum), downs the unreachable masters, so that Pekko can
 *   admit the new ones. That is how masters replaced at <b>new addresses</b> (AWS instance replacement) get in: the old
 *   incarnations never come back to be downed by a join, and no master majority exists among the view's masters.
 *   It cannot be split brain while the deployment keeps its maximum: more than half of every master that can exist is
 *   here, so no other side holds a majority of them. Fewer do nothing: a losing side whose decider is only WeaklyUp
 *   waits, not serving, until enough masters are back.</li>
 *   <li>A side with <b>no reachable master</b> where most masters are <b>restarting</b> (their old incarnations marked
 *   Down as their new ones ask to join) downs the masters still Up and unreachable (dead or hung), through its
 *   lowest-address member, so that the restarted ones can join: Pekko admits them only once the old ones are
 *   removed, which those block.</li>
 *   <li>Otherwise a side with <b>no master</b> does nothing: when every master died at once, the media nodes keep their
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
     * @param maxMasters  the most masters the deployment runs at once ({@code tessera.cluster.downing.max-masters})
     */
    public static Set<UniqueAddress> decide(UniqueAddress self, Collection<Member> members, Collection<Member> unreachable,
                                            int maxMasters) {
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
        if (decider.isEmpty()) {
            return whenMastersRestart(self, members, live, unreachableAddresses);
        }
        if (!decider.get().uniqueAddress().equals(self)) {
            return Set.of(); // another master decides for this side
        }
        boolean onlyNewcomers = reachableMasters.stream().allMatch(m -> m.status() == MemberStatus.weaklyUp());
        if (onlyNewcomers && reachableMasters.size() * 2 > maxMasters) {
            // Every master of the old view is unreachable and most of the deployment's masters joined since: the old
            // ones died (replaced at new addresses). Down them so that convergence, and with it the newcomers' Up,
            // can happen; unreachable media nodes are judged by the usual rule once these masters are Up.
            return lost.stream().filter(MasterQuorum::counts).map(Member::uniqueAddress).collect(Collectors.toSet());
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

    /**
     * A side with no reachable master. Pekko admits a restarted master (a new incarnation at its old address) only
     * once its old incarnation is removed: it marks the old one Down as the new one asks to join, but removal waits
     * for convergence, which every master still Up and unreachable blocks, and no master is here to down them. When
     * most masters are restarting (their old incarnations Down), they all died and the others are dead or hung: this
     * side's lowest-address member downs the masters still Up and unreachable, so that the new ones can join. With
     * fewer restarting, it waits (downing live masters on another side of a partition would be split brain; a side
     * holding a majority of the masters' new incarnations cannot be opposed by a master majority elsewhere).
     */
    private static Set<UniqueAddress> whenMastersRestart(UniqueAddress self, Collection<Member> members,
                                                         List<Member> live, Set<UniqueAddress> unreachable) {
        List<Member> masters = members.stream().filter(m -> m.hasRole(MASTER_ROLE)
                && (counts(m) || m.status() == MemberStatus.down())).toList();
        long restarting = masters.stream().filter(m -> m.status() == MemberStatus.down()).count();
        if (restarting * 2 <= masters.size()) {
            return Set.of(); // nobody back yet, or too few: wait (a media node never decides about a master majority)
        }
        Optional<Member> actor = live.stream().filter(m -> !unreachable.contains(m.uniqueAddress()))
                .min(Comparator.comparing(Member::address, Member.addressOrdering()));
        if (actor.isEmpty() || !actor.get().uniqueAddress().equals(self)) {
            return Set.of();
        }
        return masters.stream().filter(m -> counts(m) && unreachable.contains(m.uniqueAddress()))
                .map(Member::uniqueAddress).collect(Collectors.toSet());
    }

    /** Whether this node's view holds a master it can reach (for a media node's masterless limit). */
    public static boolean seesMaster(Collection<Member> members, Collection<Member> unreachable) {
        Set<UniqueAddress> unreachableAddresses = unreachable.stream().map(Member::uniqueAddress)
                .collect(Collectors.toSet());
        return members.stream().anyMatch(m -> counts(m) && !unreachableAddresses.contains(m.uniqueAddress()));
    }
}
