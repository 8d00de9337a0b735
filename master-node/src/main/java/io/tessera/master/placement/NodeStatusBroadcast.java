package io.tessera.master.placement;

import io.tessera.common.cluster.Asks;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * Makes a media node's new status take effect in the placement of every master before it is confirmed: each
 * reachable master's {@link MediaNodeRegistry} applies it and answers. The consistency rule (docs/ARCHITECTURE.md,
 * "Drain"): once this completes, no reachable master places a new session on a node that is no longer
 * {@code running}. A master the cluster sees as unreachable is not waited for (it cannot answer and is on its way
 * to being downed); it learns the status from the node's next load report once it can hear it again.
 */
public final class NodeStatusBroadcast {

    private NodeStatusBroadcast() {
    }

    /** Completes with the number of masters that applied the status; fails when a reachable one did not. */
    public static CompletionStage<Integer> apply(ActorSystem<?> system, String nodeId, String status,
                                                 long drainDeadlineMillis, Duration timeout) {
        CompletionStage<Receptionist.Listing> found = Asks.ask(system.receptionist(),
                replyTo -> Receptionist.find(MediaNodeRegistry.KEY, replyTo), timeout, system);
        return found.thenCompose(listing -> {
            Cluster cluster = Cluster.get(system);
            Address self = cluster.selfMember().address();
            Set<Member> unreachable = cluster.state().getUnreachable();
            Map<Address, ActorRef<MediaNodeRegistry.SetStatus>> registries = new HashMap<>();
            for (ActorRef<MediaNodeRegistry.SetStatus> ref : listing.getServiceInstances(MediaNodeRegistry.KEY)) {
                Address address = ref.path().address();
                registries.put(address.hasLocalScope() ? self : address, ref);
            }
            List<Member> masters = new ArrayList<>();
            cluster.state().getMembers().forEach(m -> {
                if (m.hasRole("master") && (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp())
                        && !unreachable.contains(m)) {
                    masters.add(m);
                }
            });
            List<String> missing = masters.stream().map(Member::address).filter(a -> !registries.containsKey(a))
                    .map(Address::toString).collect(Collectors.toList());
            if (!missing.isEmpty()) {
                // The receptionist's view is replicated too: a master that just joined may not be listed yet.
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "the placement of master(s) " + missing + " is not reachable yet"));
            }
            List<CompletableFuture<MediaNodeRegistry.StatusApplied>> acks = new ArrayList<>();
            Set<Address> reachable = masters.stream().map(Member::address).collect(Collectors.toSet());
            registries.forEach((address, ref) -> {
                if (reachable.contains(address)) {
                    acks.add(Asks.<MediaNodeRegistry.SetStatus, MediaNodeRegistry.StatusApplied>ask(ref,
                            replyTo -> new MediaNodeRegistry.SetStatus(nodeId, status, drainDeadlineMillis, replyTo), timeout,
                            system));
                }
            });
            return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).thenApply(done -> acks.size());
        });
    }
}
