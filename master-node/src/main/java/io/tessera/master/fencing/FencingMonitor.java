package io.tessera.master.fencing;

import io.micrometer.core.instrument.Counter;
import io.tessera.common.cluster.KeepMajority;
import io.tessera.master.fencing.ServingGate.Reason;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfRemoved;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.remote.FailureDetectorRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

/**
 * Closes the {@link ServingGate} the moment this master hears from the cluster that it must stop serving (it was
 * downed, it is leaving, it was removed; all Pekko membership events), opens it once the member is Up, and keeps its
 * lease: while this master's side is the one the masters' downing rule keeps (MasterQuorum; {@link KeepMajority}, judged from this
 * member's own failure detector), the lease is renewed; once it has not been for {@code self-fence-after}, the master
 * fences itself ({@link Reason#ISOLATED}) until it sees the majority again or is downed.
 *
 * <p>The lease is checked on a timer ({@code check-interval}, 100 ms) as well as on reachability events: a lease is a
 * clock, and no event says that time passed without any event (a frozen process, a link that is silent).
 */
public final class FencingMonitor {

    /** What the monitor hears: cluster events through message adapters, and its own lease check. */
    public interface Command {
    }

    private record BecameUp() implements Command {
    }

    private record Removed() implements Command {
    }

    private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {
    }

    private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {
    }

    private enum CheckLease implements Command { INSTANCE }

    private final ActorContext<Command> ctx;
    private final ServingGate gate;
    private final FencingSettings settings;
    private final Counter selfFences;
    private final Cluster cluster;
    private final org.apache.pekko.cluster.Cluster classicCluster;
    private final FailureDetectorRegistry<Address> failureDetector;
    /** The resolver's role: only members with it count in a majority (empty: every member). */
    private final String role;
    private final UniqueAddress self;
    private boolean up;
    /** Whether the last check saw the majority, and since when without a break. */
    private boolean majorityInSight;
    private long majoritySinceNanos;

    private FencingMonitor(ActorContext<Command> ctx, ServingGate gate, FencingSettings settings, String role,
                           Counter selfFences) {
        this.ctx = ctx;
        this.gate = gate;
        this.settings = settings;
        this.role = role;
        this.selfFences = selfFences;
        this.cluster = Cluster.get(ctx.getSystem());
        this.classicCluster = org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(ctx.getSystem()));
        this.failureDetector = classicCluster.failureDetector();
        this.self = cluster.selfMember().uniqueAddress();
    }

    public static Behavior<Command> create(ServingGate gate, FencingSettings settings, String role,
                                           Counter selfFences) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfUp.class, up -> new BecameUp()),
                    SelfUp.class));
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfRemoved.class,
                    removed -> new Removed()), SelfRemoved.class));
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberEvent.class,
                    MemberChanged::new), ClusterEvent.MemberEvent.class));
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class,
                    ReachabilityChanged::new), ClusterEvent.ReachabilityEvent.class));
            timers.startTimerWithFixedDelay(CheckLease.INSTANCE, settings.checkInterval());
            return new FencingMonitor(ctx, gate, settings, role, selfFences).behavior();
        }));
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(BecameUp.class, becameUp -> {
                    up = true;
                    gate.renewLease(settings.selfFenceAfter().toNanos());
                    gate.lift(Reason.JOINING);
                    ctx.getLog().info("serving: this master is Up (self-fencing after {} ms without the majority)",
                            settings.selfFenceAfter().toMillis());
                    return Behaviors.same();
                })
                .onMessage(Removed.class, removed -> {
                    close(Reason.DOWNED, "removed from the cluster");
                    return Behaviors.same();
                })
                .onMessage(MemberChanged.class, changed -> {
                    if (changed.event().member().uniqueAddress().equals(self)) {
                        onSelfChanged(changed.event());
                    }
                    return Behaviors.same();
                })
                .onMessage(ReachabilityChanged.class, changed -> checkLease())
                .onMessageEquals(CheckLease.INSTANCE, this::checkLease)
                .build();
    }

    private void onSelfChanged(ClusterEvent.MemberEvent event) {
        if (event instanceof ClusterEvent.MemberDowned) {
            close(Reason.DOWNED, "marked DOWN");
        } else if (event instanceof ClusterEvent.MemberLeft || event instanceof ClusterEvent.MemberExited) {
            close(Reason.LEAVING, "leaving the cluster");
        }
    }

    private void close(Reason reason, String what) {
        if (!gate.reasons().contains(reason)) {
            ctx.getLog().warn("not serving any more: this master was {} (REST, readiness and signalling refuse)", what);
        }
        gate.close(reason);
    }

    private Behavior<Command> checkLease() {
        Set<Reason> reasons = gate.reasons();
        if (!up || reasons.contains(Reason.DOWNED) || reasons.contains(Reason.LEAVING)) {
            // Before Up there is no lease; once downed or leaving there is none any more (and the member's view of
            // reachability stops meaning anything: a downed member stops heartbeating).
            return Behaviors.same();
        }
        List<Member> counted = counted();
        List<Boolean> reachable = counted.stream().map(this::reachable).toList();
        boolean isolated = reasons.contains(Reason.ISOLATED);
        long now = System.nanoTime();
        if (KeepMajority.keeps(reachable)) {
            if (!majorityInSight) {
                majorityInSight = true;
                majoritySinceNanos = now;
            }
            // After a lapse (a cut, a freeze) the first heartbeat answers do not say the cluster still counts this
            // master in: it waits one gossip round, long enough for a "downed" verdict to reach it.
            boolean lapsed = isolated || gate.leaseRunOut();
            if (lapsed && majoritySinceNanos - gate.leaseEndNanos() < 0) {
                // Seen before the lease ran out is not seen since: a frozen process thaws with majorityInSight still
                // true from before the freeze (no check ran during it) and heartbeat answers that were buffered meanwhile
                // make the others look available at once. Count the majority from now, so the requests that queued
                // up during the freeze meet an expired lease, and a "downed" verdict has a gossip round to arrive.
                majoritySinceNanos = now;
            }
            if (!lapsed || now - majoritySinceNanos >= settings.serveAgainAfter().toNanos()) {
                long lapsedForNanos = now - gate.leaseEndNanos();
                gate.renewLease(settings.selfFenceAfter().toNanos());
                if (lapsed && !isolated) {
                    // No check ran while the lease ran out (a busy pool or a frozen process): requests were refused
                    // with 503 meanwhile, and without this line nothing would say why.
                    ctx.getLog().warn("serving again: the lease ran out {} ms ago with no check in time (this "
                            + "master was too busy or frozen); requests were refused since",
                            TimeUnit.NANOSECONDS.toMillis(lapsedForNanos));
                }
                if (isolated) {
                    gate.lift(Reason.ISOLATED);
                    ctx.getLog().warn("serving again: this master has seen the majority of the cluster for {} ms",
                            TimeUnit.NANOSECONDS.toMillis(now - majoritySinceNanos));
                }
            }
        } else {
            majorityInSight = false;
        }
        if (!majorityInSight && !isolated && gate.leaseRunOut()) {
            List<String> lost = new ArrayList<>();
            for (int i = 0; i < counted.size(); i++) {
                if (!reachable.get(i)) {
                    lost.add(counted.get(i).address().toString());
                }
            }
            selfFences.increment();
            ctx.getLog().warn("fenced: this master has not seen the majority of the cluster for {} ms ({} of {} members"
                    + " unreachable: {}); it stops serving until it sees it again or is downed",
                    settings.selfFenceAfter().toMillis(), lost.size(), counted.size(), lost);
            gate.close(Reason.ISOLATED);
        }
        return Behaviors.same();
    }

    /** The members the resolver counts (Up or Leaving, of its role), in Pekko's address order. */
    private List<Member> counted() {
        Set<MemberStatus> counts = Set.of(MemberStatus.up(), MemberStatus.leaving());
        return StreamSupport.stream(classicCluster.state().getMembers().spliterator(), false)
                .filter(m -> counts.contains(m.status()))
                .filter(m -> role.isEmpty() || m.hasRole(role))
                .sorted((a, b) -> Member.addressOrdering().compare(a.address(), b.address()))
                .toList();
    }

    /**
     * Whether this member hears {@code member} now: its own failure detector (live, not the last reaper tick: after
     * a freeze it says "not available" at once), or the cluster's reachability for members it does not monitor.
     */
    private boolean reachable(Member member) {
        if (member.uniqueAddress().equals(self)) {
            return true;
        }
        Address address = member.address();
        if (failureDetector.isMonitoring(address)) {
            return failureDetector.isAvailable(address);
        }
        return !classicCluster.state().getUnreachable().contains(member);
    }
}
