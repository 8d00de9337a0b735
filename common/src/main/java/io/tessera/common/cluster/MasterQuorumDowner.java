package io.tessera.common.cluster;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.remote.artery.ThisActorSystemQuarantinedEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs {@link MasterQuorum} on every node: after the membership and reachability stayed unchanged for
 * {@code stableAfter}, the side's decider downs what the rule says; once a second, a media node checks how long it
 * has seen no master and downs itself past {@code masterlessLimit}. A node that a member quarantined (it was downed
 * and removed while it was cut off or frozen, and now reaches them again) downs itself at once, as Pekko's Split Brain
 * Resolver does: that is how a cut-off media node is fenced when the partition heals.
 */
final class MasterQuorumDowner {

    /** What this actor handles. */
    interface Command {
    }

    private record ClusterChanged(ClusterEvent.ClusterDomainEvent event) implements Command {
    }

    private enum Stable implements Command { INSTANCE }

    /** How late the stable timer may fire before the JVM is taken to have been paused meanwhile. */
    static final Duration PAUSE_LIMIT = Duration.ofSeconds(1);

    private enum CheckMasters implements Command { INSTANCE }

    private record Quarantined(ThisActorSystemQuarantinedEvent event) implements Command {
    }

    static Behavior<Command> create(Duration stableAfter, Duration masterlessLimit, int maxMasters) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new MasterQuorumDowner(ctx, timers, stableAfter, masterlessLimit, maxMasters).behavior()));
    }

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final Duration stableAfter;
    private final Duration masterlessLimit;
    private final int maxMasters;
    private final Cluster cluster;
    /** When the running stable period ends, in nanos. */
    private long stableDueNanos;
    /** What this actor has been told of the membership: the decision is taken on it (see {@link ObservedView}). */
    private final ObservedView view = new ObservedView();
    /** When this (media) node last saw a reachable master, in nanos; set when it was first Up. */
    private long lastSawMaster = System.nanoTime();

    private MasterQuorumDowner(ActorContext<Command> ctx, TimerScheduler<Command> timers, Duration stableAfter,
                               Duration masterlessLimit, int maxMasters) {
        this.ctx = ctx;
        this.maxMasters = maxMasters;
        this.timers = timers;
        this.stableAfter = stableAfter;
        this.masterlessLimit = masterlessLimit;
        this.cluster = Cluster.get(ctx.getSystem());
        cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.ClusterDomainEvent.class,
                ClusterChanged::new), ClusterEvent.ClusterDomainEvent.class));
        ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(ThisActorSystemQuarantinedEvent.class,
                ctx.messageAdapter(ThisActorSystemQuarantinedEvent.class, Quarantined::new)));
        ctx.getLog().info("downing: masters decide by majority of masters after {} ms stable (at most {} masters);"
                + " media nodes wait for masters up to {} s", stableAfter.toMillis(), maxMasters,
                masterlessLimit.toSeconds());
        if (!cluster.selfMember().hasRole(MasterQuorum.MASTER_ROLE)) {
            timers.startTimerWithFixedDelay(CheckMasters.INSTANCE, Duration.ofSeconds(1));
        }
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(ClusterChanged.class, changed -> {
                    if (view.apply(changed.event())) {
                        waitForStable(); // restarts the wait
                    }
                    return Behaviors.same();
                })
                .onMessage(Stable.class, s -> onStable())
                .onMessage(CheckMasters.class, c -> onCheckMasters())
                .onMessage(Quarantined.class, this::onQuarantined)
                .build();
    }

    private void waitForStable() {
        stableDueNanos = System.nanoTime() + stableAfter.toNanos();
        timers.startSingleTimer(Stable.INSTANCE, stableAfter);
    }

    /** Whether a timer due at {@code dueNanos} that fired at {@code firedNanos} was held up by a pause of the JVM. */
    static boolean pausedMeanwhile(long dueNanos, long firedNanos) {
        return firedNanos - dueNanos > PAUSE_LIMIT.toNanos();
    }

    private Behavior<Command> onStable() {
        long fired = System.nanoTime();
        if (pausedMeanwhile(stableDueNanos, fired)) {
            ctx.getLog().warn("downing: the stable period ended {} ms ago while this node was paused; deciding only "
                    + "after another {} ms of what it sees now", (fired - stableDueNanos) / 1_000_000,
                    stableAfter.toMillis());
            waitForStable();
            return Behaviors.same();
        }
        List<Member> unreachable = view.unreachable();
        Set<UniqueAddress> toDown = MasterQuorum.decide(cluster.selfMember().uniqueAddress(), view.members(),
                unreachable, maxMasters);
        if (!toDown.isEmpty()) {
            ctx.getLog().warn("downing {} (masters reachable from here decide; unreachable: {})", toDown,
                    unreachable.stream().map(Member::uniqueAddress).toList());
            // Self last: downing itself ends this node's part in the decision.
            toDown.stream().filter(a -> !a.equals(cluster.selfMember().uniqueAddress()))
                    .forEach(a -> cluster.manager().tell(new Down(a.address())));
            if (toDown.contains(cluster.selfMember().uniqueAddress())) {
                cluster.manager().tell(new Down(cluster.selfMember().address()));
            }
            // Decided again if the view is still not clean after another stable period.
            waitForStable();
        }
        return Behaviors.same();
    }

    private Behavior<Command> onQuarantined(Quarantined quarantined) {
        var remote = quarantined.event().remoteAddress().address();
        boolean byMember = java.util.stream.StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                .anyMatch(m -> m.address().equals(remote));
        if (byMember) {
            ctx.getLog().warn("quarantined by member {}: this node was downed and removed while unreachable; downing"
                    + " itself", remote);
            cluster.manager().tell(new Down(cluster.selfMember().address()));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onCheckMasters() {
        if (cluster.selfMember().status() != MemberStatus.up()) {
            lastSawMaster = System.nanoTime();
            return Behaviors.same();
        }
        var state = cluster.state();
        List<Member> members = new ArrayList<>();
        state.getMembers().forEach(members::add);
        if (MasterQuorum.seesMaster(members, state.getUnreachable())) {
            lastSawMaster = System.nanoTime();
        } else if (System.nanoTime() - lastSawMaster > masterlessLimit.toNanos()) {
            ctx.getLog().error("no master reachable for {} s (tessera.cluster.downing.masterless-limit): downing this"
                    + " node; its sessions end", masterlessLimit.toSeconds());
            cluster.manager().tell(new Down(cluster.selfMember().address()));
            timers.cancel(CheckMasters.INSTANCE);
        }
        return Behaviors.same();
    }
}
