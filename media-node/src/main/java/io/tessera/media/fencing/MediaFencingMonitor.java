package io.tessera.media.fencing;

import io.tessera.common.cluster.KeepMajority;
import io.tessera.common.cluster.MasterQuorum;
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

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * Keeps this media node's {@link MediaFence}: closed for good the moment the node hears it was downed or removed (its
 * sessions are or will be elsewhere); closed while it is isolated
 * ({@link MediaFencingRule}, checked every {@code checkInterval} from the node's own failure detector, live: after a
 * freeze it says "not available" at once); lifted once it has heard the masters' majority again for
 * {@code serveAgainAfter} (a gossip round, in which a verdict against it would have reached it) without being downed.
 *
 * <p>Why this is safe against the masters' failover: the masters move a media node's sessions only
 * {@code tessera.master.ha.fence-wait} after they found it unreachable, and both sides' failure detectors give
 * up on a cut within a heartbeat interval of each other; the node checks every 100 ms from the moment its detector
 * gives up, the masters only find out at their next unreachability sweep (up to 1 s later). So the old copy stops
 * before the new one is placed.
 */
public final class MediaFencingMonitor {

    /** What the monitor hears: cluster events through message adapters, and its own check. */
    public interface Command {
    }

    private record BecameUp() implements Command {
    }

    private record Removed() implements Command {
    }

    private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {
    }

    private enum Check implements Command { INSTANCE }

    /** @param checkInterval how often isolation is checked; @param serveAgainAfter majority seen this long lifts it */
    public record Settings(Duration checkInterval, Duration serveAgainAfter) {
        public static Settings fromConfig(com.typesafe.config.Config config) {
            return new Settings(config.getDuration("tessera.media.fencing.check-interval"),
                    config.getDuration("pekko.cluster.gossip-interval"));
        }
    }

    private final ActorContext<Command> ctx;
    private final MediaFence fence;
    private final Settings settings;
    private final org.apache.pekko.cluster.Cluster classicCluster;
    private final FailureDetectorRegistry<Address> failureDetector;
    private final UniqueAddress self;
    private boolean up;
    /** Fenced for good: downed or removed. */
    private boolean downed;
    /** While isolated: when the majority was first heard again (0: not heard since). */
    private long majoritySinceNanos;

    private MediaFencingMonitor(ActorContext<Command> ctx, MediaFence fence, Settings settings) {
        this.ctx = ctx;
        this.fence = fence;
        this.settings = settings;
        this.classicCluster = org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(ctx.getSystem()));
        this.failureDetector = classicCluster.failureDetector();
        this.self = classicCluster.selfUniqueAddress();
    }

    public static Behavior<Command> create(MediaFence fence, Settings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfUp.class, u -> new BecameUp()),
                    SelfUp.class));
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfRemoved.class, r -> new Removed()),
                    SelfRemoved.class));
            cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberEvent.class,
                    MemberChanged::new), ClusterEvent.MemberEvent.class));
            timers.startTimerWithFixedDelay(Check.INSTANCE, settings.checkInterval());
            return new MediaFencingMonitor(ctx, fence, settings).behavior();
        }));
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(BecameUp.class, u -> {
                    up = true;
                    return Behaviors.same();
                })
                .onMessage(Removed.class, r -> closeForGood("removed from the cluster"))
                .onMessage(MemberChanged.class, changed -> {
                    Member member = changed.event().member();
                    if (!member.uniqueAddress().equals(self)) {
                        return Behaviors.same();
                    }
                    // Not on leaving (drain, scale-in, SIGTERM): its sessions are moved only once it has left, and
                    // until then they are nowhere else, so their media goes on here.
                    if (changed.event() instanceof ClusterEvent.MemberDowned) {
                        return closeForGood("downed by the masters");
                    }
                    return Behaviors.same();
                })
                .onMessageEquals(Check.INSTANCE, this::check)
                .build();
    }

    private Behavior<Command> closeForGood(String why) {
        if (!downed) {
            ctx.getLog().warn("media node fenced: {}; its sessions neither take commands nor forward media any more",
                    why);
        }
        downed = true;
        fence.close("this media node was " + why);
        return Behaviors.same();
    }

    private Behavior<Command> check() {
        if (!up || downed) {
            return Behaviors.same();
        }
        List<Member> counted = counted();
        List<Boolean> masters = counted.stream().filter(m -> m.hasRole(MasterQuorum.MASTER_ROLE))
                .map(this::reachable).toList();
        List<Member> otherMedia = counted.stream()
                .filter(m -> !m.hasRole(MasterQuorum.MASTER_ROLE) && !m.uniqueAddress().equals(self)).toList();
        int otherMediaReachable = (int) otherMedia.stream().filter(this::reachable).count();
        boolean isolated = MediaFencingRule.isolated(masters, otherMedia.size(), otherMediaReachable);
        long now = System.nanoTime();
        if (isolated) {
            majoritySinceNanos = 0;
            if (!fence.isFenced()) {
                long heard = masters.stream().filter(r -> r).count();
                ctx.getLog().warn("media node fenced: it hears {} of {} masters and none of the {} other media nodes; "
                        + "the masters place its sessions elsewhere, so they neither take commands nor forward media "
                        + "here until it hears the masters again", heard, masters.size(), otherMedia.size());
                fence.close("this media node is cut off from the masters: its sessions are placed on another node");
            }
        } else if (fence.isFenced() && !KeepMajority.keeps(masters)) {
            majoritySinceNanos = 0; // not isolated any more (it hears a media node), but not back with the masters
        } else if (fence.isFenced()) {
            if (majoritySinceNanos == 0) {
                majoritySinceNanos = now;
            }
            if (now - majoritySinceNanos >= settings.serveAgainAfter().toNanos()) {
                ctx.getLog().warn("media node serves again: it hears the masters again and was not downed");
                fence.lift();
                majoritySinceNanos = 0;
            }
        }
        return Behaviors.same();
    }

    /** The members that count: Up or Leaving, in Pekko's address order. */
    private List<Member> counted() {
        Set<MemberStatus> counts = Set.of(MemberStatus.up(), MemberStatus.leaving());
        return StreamSupport.stream(classicCluster.state().getMembers().spliterator(), false)
                .filter(m -> counts.contains(m.status()))
                .sorted((a, b) -> Member.addressOrdering().compare(a.address(), b.address()))
                .toList();
    }

    /** Whether this node hears {@code member} now, by its own failure detector where it monitors it. */
    private boolean reachable(Member member) {
        if (member.uniqueAddress().equals(self)) {
            return true;
        }
        if (failureDetector.isMonitoring(member.address())) {
            return failureDetector.isAvailable(member.address());
        }
        return !classicCluster.state().getUnreachable().contains(member);
    }
}
