package io.tessera.common.cluster;

import java.util.List;

/**
 * The downing rule's keep-majority decision (MasterQuorum: masters only) as one member can make it alone: given the members that
 * count (Up or Leaving, of the resolver's role if it has one) in Pekko's address order, and which of them this member
 * can reach (itself included), does its side survive? The larger side survives; with two equal halves, the half
 * holding the lowest address. A master on the side that will be downed is the one that must fence itself; a media
 * node that does not hear the masters' side that is kept may be placed elsewhere (media-node fencing).
 */
public final class KeepMajority {
    private KeepMajority() {
    }

    /** {@code reachableInAddressOrder}: for each counted member, lowest address first, whether this member reaches it. */
    public static boolean keeps(List<Boolean> reachableInAddressOrder) {
        if (reachableInAddressOrder.isEmpty()) {
            return true; // nobody counts, so there is no majority to lose
        }
        long reachable = reachableInAddressOrder.stream().filter(r -> r).count();
        long unreachable = reachableInAddressOrder.size() - reachable;
        if (reachable != unreachable) {
            return reachable > unreachable;
        }
        return reachableInAddressOrder.get(0);
    }
}
