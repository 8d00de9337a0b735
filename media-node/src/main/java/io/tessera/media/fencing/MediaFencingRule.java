package io.tessera.media.fencing;

import io.tessera.common.cluster.KeepMajority;

import java.util.List;

/**
 * When a media node must stop serving on its own, from its own failure detector's view. The masters place the sessions
 * of a media node elsewhere as soon as they find it unreachable; a node cut off from them cannot hear of that, so it
 * must come to the same conclusion by itself, and as early: it is <b>isolated</b> when it does not hear the masters'
 * majority (the side the downing rule keeps, {@link KeepMajority}) <b>and</b> hears no other media node although
 * there are some.
 * <ul>
 *   <li>Why not fence on losing the masters alone: when every master died at once the media nodes must keep their
 *   sessions and media running until masters come back (docs/ARCHITECTURE.md "Losing every master"). Then the media
 *   nodes still hear each other; a node that hears nobody is the one that was cut off.</li>
 *   <li>A node that still hears another media node but not the masters is fenced by the masters' verdict instead:
 *   they down it, and the other node passes the gossip on (then it exits).</li>
 *   <li>The only media node of a cluster is never isolated by this rule: there is nowhere else its sessions could go,
 *   so nothing can run twice.</li>
 * </ul>
 */
final class MediaFencingRule {
    private MediaFencingRule() {
    }

    /**
     * @param mastersReachableInAddressOrder for each master that counts (Up or Leaving), lowest address first, whether
     *                                       this node hears it
     * @param otherMediaNodes                how many other media nodes are members (Up or Leaving)
     * @param otherMediaNodesReachable       how many of those this node hears
     */
    static boolean isolated(List<Boolean> mastersReachableInAddressOrder, int otherMediaNodes,
                            int otherMediaNodesReachable) {
        if (mastersReachableInAddressOrder.isEmpty() || KeepMajority.keeps(mastersReachableInAddressOrder)) {
            return false; // no master counts (a node starting alone), or it hears the side that is kept
        }
        return otherMediaNodes > 0 && otherMediaNodesReachable == 0;
    }
}
