package io.tessera.master.placement;

import io.tessera.master.medianode.CrashWatch;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.SessionRecord;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Subscribe;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Decides, for the failover singleton ({@link MediaFailover}, its parent), which media node failed and which left on
 * purpose, and when: from the cluster's membership events, this master's own failure detector (polled every
 * {@link #OWN_DETECTOR_POLL}) and the crash watch ({@link CrashWatch}: a process known gone). Each incarnation is
 * reported once, as {@link NodeFailed} (with how long its copies are given to stop) or {@link NodeLeft}; what the
 * failover does with it (downing, moving, telling the clients) is the parent's. A child of the singleton, so it
 * moves with it.
 */
final class MediaNodeLossWatch {

    /** What this watch handles: cluster events, its timers, the crash watch's word and its own routing reads. */
    interface Command {
    }

    /** What the parent hears. */
    sealed interface Verdict permits NodeFailed, NodeLeft, Departing {
    }

    /** {@code member} failed; its sessions move {@code moveAfter} after this; {@code sessionsAtVerdict} may be null. */
    record NodeFailed(String nodeId, Member member, Duration moveAfter, List<SessionRecord> sessionsAtVerdict)
            implements Verdict {
    }

    /** {@code member} left the cluster on purpose; {@code lastStatus} as last reported (null when unknown). */
    record NodeLeft(String nodeId, Member member, String lastStatus) implements Verdict {
    }

    /** The node started leaving on purpose (its departure is no failure for the HA plan). */
    record Departing(String nodeId) implements Verdict {
    }

    private enum PollOwnDetector implements Command { INSTANCE }

    private enum WatchSentinels implements Command { INSTANCE }

    private record Unreachable(Member member) implements Command {
    }

    /** What the routing table held when a member turned unreachable: decides between failing over now and waiting. */
    private record UnreachableChecked(Member member, List<SessionRecord> sessions, Throwable error) implements Command {
    }

    /** Left or exiting: the member is leaving on purpose; remember what it was before the registry forgets it. */
    private record Leaving(Member member) implements Command {
    }

    private record Removed(Member member, MemberStatus previousStatus) implements Command {
    }

    /** The crash watch found a media node's process gone (its sentinel's connection ended, its port refuses). */
    private record ProcessGone(CrashWatch.ProcessGone gone) implements Command {
    }

    /** Whether a lost node's process answered its sentinel, asked before failing it over ({@link SlowNodeGrace}). */
    private record ProcessChecked(Member member, List<SessionRecord> sessions, boolean answers) implements Command {
    }

    /** What the routing table held when a media node's process was found gone. */
    private record GoneChecked(Member member, List<SessionRecord> sessions, Throwable error) implements Command {
    }

    /**
     * How often the singleton reads its own failure detector for the media nodes. The cluster's
     * {@code UnreachableMember} comes at the reaper's pace (every 500 ms) and only once per member, for whichever
     * member's detector gave up first: when that was another master's, this master's own detector (which alone
     * decides here) may give up a little later, and no second event says so. Polling acts within 100 ms of this
     * master's own verdict in both cases. Fencing is unchanged: {@code fence-wait} still runs from this master's own
     * verdict, and the node's verdict on the masters comes within a heartbeat interval of it (docs/ARCHITECTURE.md).
     */
    static final Duration OWN_DETECTOR_POLL = Duration.ofMillis(100);
    /** How soon an unreachable media node is looked at again while this master does not see the masters' majority. */
    static final Duration RECHECK_WITHOUT_MAJORITY = Duration.ofSeconds(1);
    /** How soon a lost media node whose process answers ({@link SlowNodeGrace}) is looked at again. */
    static final Duration SLOW_NODE_RECHECK = Duration.ofMillis(500);
    /** How often the crash watch is told which sentinels the media nodes' reports name. */
    static final Duration WATCH_SENTINELS_EVERY = Duration.ofSeconds(1);
    private static final int MAX_LEAVING = 1000;

    static Behavior<Command> create(ActorRef<Verdict> parent, Routes routing, MediaNodes nodes,
                                    BooleanSupplier routesRebuilt, PlacementMeters meters) {
        return Behaviors.setup(ctx -> {
            // Named, not found from the stack: a first log line from a timer's message was named ActorCell.
            ctx.setLoggerName(MediaNodeLossWatch.class);
            return Behaviors.withTimers(timers ->
                    new MediaNodeLossWatch(parent, routing, nodes, routesRebuilt, meters, ctx, timers).behavior());
        });
    }

    private final ActorRef<Verdict> parent;
    private final Routes routing;
    private final MediaNodes nodes;
    private final BooleanSupplier routesRebuilt;
    private final PlacementMeters meters;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    /** Watches the media nodes' process sentinels ({@code ha.crash-watch}); null when off. */
    private final ActorRef<CrashWatch.Command> crashWatch;
    /** Node incarnations already handled (unreachable, then removed, must not recover twice); bounded below. */
    private final Set<org.apache.pekko.cluster.UniqueAddress> handled = new HashSet<>();
    /** Media node incarnations this master's own detector lost and that were looked at (until heard again). */
    private final Set<org.apache.pekko.cluster.UniqueAddress> lostFromHere = new HashSet<>();
    /** The last status of each leaving media node, captured before the registry forgets the node. */
    private final Map<org.apache.pekko.cluster.UniqueAddress, String> leavingStatus = new HashMap<>();
    private final SlowNodeGrace<org.apache.pekko.cluster.UniqueAddress> slowNodes;

    private MediaNodeLossWatch(ActorRef<Verdict> parent, Routes routing, MediaNodes nodes,
                               BooleanSupplier routesRebuilt, PlacementMeters meters, ActorContext<Command> ctx,
                               TimerScheduler<Command> timers) {
        this.parent = parent;
        this.routing = routing;
        this.nodes = nodes;
        this.routesRebuilt = routesRebuilt;
        this.meters = meters;
        this.ctx = ctx;
        this.timers = timers;
        var subscriptions = Cluster.get(ctx.getSystem()).subscriptions();
        subscriptions.tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.UnreachableMember.class,
                e -> new Unreachable(e.member())), ClusterEvent.UnreachableMember.class));
        subscriptions.tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberRemoved.class,
                e -> new Removed(e.member(), e.previousStatus())), ClusterEvent.MemberRemoved.class));
        subscriptions.tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberLeft.class,
                e -> new Leaving(e.member())), ClusterEvent.MemberLeft.class));
        subscriptions.tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberExited.class,
                e -> new Leaving(e.member())), ClusterEvent.MemberExited.class));
        this.crashWatch = crashWatchOn(ctx) ? ctx.spawn(CrashWatch.create(
                ctx.messageAdapter(CrashWatch.ProcessGone.class, ProcessGone::new)), "crash-watch") : null;
        this.slowNodes = new SlowNodeGrace<>(crashWatch == null ? Duration.ZERO : durationSetting(SLOW_NODE_GRACE,
                DEFAULT_SLOW_NODE_GRACE));
        timers.startTimerWithFixedDelay(PollOwnDetector.INSTANCE, OWN_DETECTOR_POLL);
        if (crashWatch != null) {
            timers.startTimerWithFixedDelay(WatchSentinels.INSTANCE, Duration.ZERO, WATCH_SENTINELS_EVERY);
        }
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Unreachable.class, this::onUnreachable)
                .onMessage(UnreachableChecked.class, this::onUnreachableChecked)
                .onMessage(Leaving.class, this::onLeaving)
                .onMessage(Removed.class, this::onRemoved)
                .onMessage(ProcessGone.class, this::onProcessGone)
                .onMessage(GoneChecked.class, this::onGoneChecked)
                .onMessage(ProcessChecked.class, this::onProcessChecked)
                .onMessageEquals(PollOwnDetector.INSTANCE, () -> {
                    pollOwnDetector();
                    return Behaviors.same();
                })
                .onMessageEquals(WatchSentinels.INSTANCE, () -> {
                    watchSentinels();
                    return Behaviors.same();
                })
                .build();
    }

    static Optional<String> mediaNodeId(Member member) {
        if (!member.hasRole("media")) {
            return Optional.empty();
        }
        return member.getRoles().stream().filter(r -> r.startsWith("id:")).map(r -> r.substring(3)).findFirst();
    }

    private static boolean isLeaving(MemberStatus status) {
        return status == MemberStatus.leaving() || status == MemberStatus.exiting();
    }

    /** First time this incarnation is handled (as failed or as left); bounded. */
    private boolean firstTime(Member member) {
        if (!handled.add(member.uniqueAddress())) {
            return false;
        }
        if (handled.size() > 10_000) {
            handled.clear(); // old incarnations; a stale entry only risks a second, harmless recovery pass
            handled.add(member.uniqueAddress());
        }
        return true;
    }

    private Behavior<Command> onLeaving(Leaving event) {
        Member member = event.member();
        mediaNodeId(member).ifPresent(id -> {
            if (leavingStatus.size() < MAX_LEAVING) {
                leavingStatus.put(member.uniqueAddress(), nodes.get(id).map(n -> n.report().status()).orElse(null));
            }
            parent.tell(new Departing(id));
        });
        return Behaviors.same();
    }

    private Behavior<Command> onRemoved(Removed event) {
        if (isLeaving(event.previousStatus())) {
            left(event.member());
        } else {
            failed(event.member(), fenceWait(), null); // removed after being downed (by us, by the downing rule, by an operator)
        }
        return Behaviors.same();
    }

    /** A media node this master's own detector just lost goes the way of an {@code UnreachableMember}, once. */
    private void pollOwnDetector() {
        for (Member member : Cluster.get(ctx.getSystem()).state().getMembers()) {
            if (member.status() != MemberStatus.up() || mediaNodeId(member).isEmpty()
                    || handled.contains(member.uniqueAddress())) {
                continue;
            }
            if (!unreachableFromHere(member)) {
                lostFromHere.remove(member.uniqueAddress());
            } else if (lostFromHere.add(member.uniqueAddress())) {
                ctx.getSelf().tell(new Unreachable(member));
            }
        }
        if (lostFromHere.size() > 10_000) {
            lostFromHere.clear(); // old incarnations; at worst one more look at a node still lost
        }
    }

    private Behavior<Command> onUnreachable(Unreachable event) {
        Member member = event.member();
        if (isLeaving(member.status())) {
            // It stopped while leaving (its leave did not finish before the process ended): still a planned exit.
            mediaNodeId(member).ifPresent(id -> Cluster.get(ctx.getSystem()).manager().tell(new Down(member.address())));
            left(member);
        } else if (mediaNodeId(member).isPresent()) {
            ctx.pipeToSelf(routing.allSessions(), (all, error) -> new UnreachableChecked(member, all, error));
        }
        return Behaviors.same();
    }

    /**
     * Fail over at once only a node that hosts sessions: those calls are silent until it is done. A node that hosts
     * none costs nothing to wait for, so it is left to the downing rule (the masters' decider downs it after stable-after if
     * it stays unreachable; its removal then comes here as a failure). That keeps a node that was only slow, as every
     * JVM is while a cluster starts on busy machines, from being downed for a late heartbeat. Unplaceable while
     * unreachable either way: the registry offers only reachable nodes.
     */
    private Behavior<Command> onUnreachableChecked(UnreachableChecked checked) {
        Member member = checked.member();
        String nodeId = mediaNodeId(member).orElseThrow();
        if (!unreachableFromHere(member)) {
            ctx.getLog().info("media node {} ({}) is reachable from this master; nothing to fail over", nodeId,
                    member.address());
            slowNodes.forget(member.uniqueAddress());
            return Behaviors.same();
        }
        switch (decide(routesRebuilt.getAsBoolean(), hostsSessions(nodeId, checked.sessions(), checked.error()),
                seesMasterMajority())) {
            case WAIT_FOR_REBUILD -> {
                ctx.getLog().info("media node {} ({}) is unreachable, but this master's routing table is not rebuilt"
                        + " from the media nodes (a rebuild runs, or the last one failed and runs again; it may not know"
                        + " their sessions): not failing it over yet;"
                        + " checked again in {} ms", nodeId, member.address(), RECHECK_WITHOUT_MAJORITY.toMillis());
                timers.startSingleTimer(member.uniqueAddress(), new Unreachable(member), RECHECK_WITHOUT_MAJORITY);
            }
            case WAIT_FOR_MAJORITY -> {
                ctx.getLog().info("media node {} ({}) is unreachable, but so is the masters' majority from here: not"
                        + " failing it over yet; checked again in {} ms", nodeId, member.address(),
                        RECHECK_WITHOUT_MAJORITY.toMillis());
                timers.startSingleTimer(member.uniqueAddress(), new Unreachable(member), RECHECK_WITHOUT_MAJORITY);
            }
            case FAIL_OVER -> failOverUnlessItAnswers(member, nodeId, checked.sessions());
            case LEAVE_TO_DOWNING -> ctx.getLog().info("media node {} ({}) is unreachable and hosts no session: not"
                    + " downing it, the masters' downing rule decides if it stays unreachable", nodeId, member.address());
        }
        return Behaviors.same();
    }

    /** Asks the node's sentinel first, unless the grace is off (then, or for a node not watched, fails over now). */
    private void failOverUnlessItAnswers(Member member, String nodeId, List<SessionRecord> sessions) {
        if (slowNodes.grace().isZero() || handled.contains(member.uniqueAddress())) {
            failed(member, fenceWait(), sessions);
            return;
        }
        long uid = member.uniqueAddress().longUid();
        ctx.ask(CrashWatch.ProcessAnswer.class, crashWatch, CrashWatch.ANSWER_TIMEOUT.multipliedBy(4),
                replyTo -> new CrashWatch.CheckProcess(nodeId, uid, replyTo),
                (answer, error) -> new ProcessChecked(member, sessions, answer != null && answer.answers()));
    }

    private Behavior<Command> onProcessChecked(ProcessChecked checked) {
        Member member = checked.member();
        String nodeId = mediaNodeId(member).orElseThrow();
        if (!checked.answers()) {
            failed(member, fenceWait(), checked.sessions());
        } else if (slowNodes.holdsOff(member.uniqueAddress(), System.nanoTime())) {
            ctx.getLog().info("media node {} ({}) is unreachable to this master's failure detector, but its process"
                    + " answers its sentinel: slow, not dead; not failing it over, looked at again in {} ms (at most"
                    + " {} s from its first answer)", nodeId, member.address(), SLOW_NODE_RECHECK.toMillis(),
                    slowNodes.grace().toSeconds());
            meters.slowNodeHeldOff();
            timers.startSingleTimer(member.uniqueAddress(), new Unreachable(member), SLOW_NODE_RECHECK);
        } else {
            ctx.getLog().warn("media node {} ({}) stayed unreachable for {} s while its process answered its sentinel:"
                    + " failing it over", nodeId, member.address(), slowNodes.grace().toSeconds());
            failed(member, fenceWait(), checked.sessions());
        }
        return Behaviors.same();
    }

    /** Whether the routing table as read ({@code error}: it could not be) has sessions on {@code nodeId}. */
    private static boolean hostsSessions(String nodeId, List<SessionRecord> sessions, Throwable error) {
        return error != null // cannot tell: assume it does, the sessions come first
                || sessions.stream().anyMatch(s -> nodeId.equals(s.mediaNodeId()));
    }

    /** What to do about a media node this master itself finds unreachable. */
    enum UnreachableDecision { WAIT_FOR_REBUILD, WAIT_FOR_MAJORITY, FAIL_OVER, LEAVE_TO_DOWNING }

    /**
     * Nothing is failed over while this master's routing table is not rebuilt: after every master came back, the table
     * holds only part of the sessions until the rebuild wrote them, so "hosts no session" cannot be told and a failover
     * would place again only the sessions known so far, while downing the node ends all of them. Seen in
     * RoutingRebuildBenchmark (1000 sessions, three masters starting on two busy cores): a media node's heartbeats came
     * 2 s late during the rebuild, the singleton downed it with 497 sessions after knowing 126 of them. Once rebuilt,
     * a node that stayed unreachable is failed over as before; one that was only slow is reachable again.
     */
    static UnreachableDecision decide(boolean routesRebuilt, boolean hostsSessions, boolean seesMasterMajority) {
        if (!routesRebuilt) {
            return UnreachableDecision.WAIT_FOR_REBUILD;
        }
        if (!hostsSessions) {
            return UnreachableDecision.LEAVE_TO_DOWNING;
        }
        return seesMasterMajority ? UnreachableDecision.FAIL_OVER : UnreachableDecision.WAIT_FOR_MAJORITY;
    }

    /**
     * Whether this master itself does not hear {@code member}, by its own failure detector (live) where it monitors it.
     * Not the cluster's unreachable set: that is the union of every member's observations, so a master cut off from
     * the others (a minority that fences itself) would, once its gossip gets through a flapping link, have media nodes
     * that the majority hears perfectly well downed here.
     */
    private boolean unreachableFromHere(Member member) {
        org.apache.pekko.cluster.Cluster classic = org.apache.pekko.cluster.Cluster.get(
                org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(ctx.getSystem()));
        if (classic.failureDetector().isMonitoring(member.address())) {
            return !classic.failureDetector().isAvailable(member.address());
        }
        return classic.state().getUnreachable().contains(member);
    }

    /**
     * Whether this master's own view still holds the masters' majority. Right after this master was frozen (a paused
     * JVM, a hung VM) every other member looks unreachable to it until heartbeats come back; failing a media node
     * over then downs a healthy node (seen: every master frozen and thawed; the singleton downed a media node 0.5 s
     * after the thaw, ending its sessions). A master that really lost the majority is fenced or downed anyway.
     * The masters are judged by the same source as the media node ({@link #unreachableFromHere}: this master's own
     * failure detector): the media nodes are polled from it every 100 ms, and right after a thaw it already calls
     * everything unavailable while the cluster's unreachable set (the reaper's, every 500 ms) still holds no one, so
     * judging the masters by that set let a thawed master down a healthy media node (AllMastersLostTest's freeze).
     */
    private boolean seesMasterMajority() {
        var state = Cluster.get(ctx.getSystem()).state();
        long masters = 0;
        long reachable = 0;
        for (Member m : state.getMembers()) {
            if (m.hasRole("master") && (m.status() == MemberStatus.up() || m.status() == MemberStatus.leaving())) {
                masters++;
                if (!unreachableFromHere(m)) {
                    reachable++;
                }
            }
        }
        return reachable * 2 > masters;
    }

    private void left(Member member) {
        Optional<String> nodeId = mediaNodeId(member);
        String lastStatus = leavingStatus.remove(member.uniqueAddress());
        if (nodeId.isEmpty() || !firstTime(member)) {
            return;
        }
        ctx.getLog().info("media node {} ({}) left the cluster on purpose (was {})", nodeId.get(), member.address(),
                lastStatus);
        parent.tell(new NodeLeft(nodeId.get(), member, lastStatus));
    }

    /**
     * A failed media node, once per incarnation, goes to the failover; {@code wait}: before its sessions move, the time
     * its copies are given to stop on their own ({@code fence-wait}; zero for a process known gone).
     * {@code sessionsAtVerdict}: the routing table as read for the verdict, for telling the clients at once (null: none
     * read, the clients hear of the move only).
     */
    private void failed(Member member, Duration wait, List<SessionRecord> sessionsAtVerdict) {
        Optional<String> nodeId = mediaNodeId(member);
        if (nodeId.isPresent() && firstTime(member)) {
            parent.tell(new NodeFailed(nodeId.get(), member, wait, sessionsAtVerdict));
        }
    }

    /** The media nodes' sentinels, as their reports give them, for the crash watch to hold. */
    private void watchSentinels() {
        java.util.Map<String, java.net.InetSocketAddress> sentinels = new java.util.HashMap<>();
        for (MediaNodeState node : nodes.all()) {
            var report = node.report();
            Optional<String> host = report.manager() == null ? Optional.empty()
                    : Optional.ofNullable(report.manager().path().address().getHost().orElse(null));
            if (report.sentinelPort() > 0 && host.isPresent()) {
                sentinels.put(node.id(), java.net.InetSocketAddress.createUnresolved(host.get(), report.sentinelPort()));
            }
        }
        crashWatch.tell(new CrashWatch.WatchOnly(sentinels));
    }

    /**
     * A media node whose process is gone is failed over at once, with no fence wait: a process that exited forwards
     * nothing and accepts nothing, so there is nothing to wait for (the crash watch only says so on a refusal by the
     * node's own kernel, which a cut link never gives). The same rules as for an unreachable node decide otherwise
     * ({@link #decide}); what they hold back is left to the failure detector's path.
     */
    private Behavior<Command> onProcessGone(ProcessGone event) {
        CrashWatch.ProcessGone gone = event.gone();
        Optional<Member> up = java.util.stream.StreamSupport.stream(
                        Cluster.get(ctx.getSystem()).state().getMembers().spliterator(), false)
                .filter(member -> member.address().equals(gone.address())
                        && member.uniqueAddress().longUid() == gone.uid()
                        && member.status() == MemberStatus.up() && !handled.contains(member.uniqueAddress()))
                .findFirst();
        if (up.isPresent()) {
            Member member = up.get();
            ctx.pipeToSelf(routing.allSessions(), (all, error) -> new GoneChecked(member, all, error));
        } else {
            ctx.getLog().info("media node {} ({} uid {}): its process is gone, and it is no longer an Up member not"
                    + " handled yet (already failed over, leaving or removed): nothing to do", gone.nodeId(),
                    gone.address(), gone.uid());
        }
        return Behaviors.same();
    }

    private Behavior<Command> onGoneChecked(GoneChecked checked) {
        Member member = checked.member();
        String nodeId = mediaNodeId(member).orElseThrow();
        UnreachableDecision decision = decide(routesRebuilt.getAsBoolean(),
                hostsSessions(nodeId, checked.sessions(), checked.error()), seesMasterMajority());
        if (decision == UnreachableDecision.FAIL_OVER || decision == UnreachableDecision.LEAVE_TO_DOWNING) {
            // A process that is gone is not a late heartbeat: even one hosting nothing is downed now.
            ctx.getLog().warn("media node {} ({}): its process is gone (crash watch): failing it over now, no fence"
                    + " wait", nodeId, member.address());
            meters.mediaNodeCrashSeen();
            failed(member, Duration.ZERO, checked.sessions());
        } else {
            ctx.getLog().info("media node {} ({}): its process is gone, but {}: left to the failure detector's path",
                    nodeId, member.address(), decision == UnreachableDecision.WAIT_FOR_REBUILD
                            ? "this master's routing table is not rebuilt" : "this master does not see the majority");
        }
        return Behaviors.same();
    }

    /** {@code tessera.master.ha.crash-watch}: whether the media nodes' process sentinels are watched (default on). */
    static boolean crashWatchOn(ActorContext<?> ctx) {
        com.typesafe.config.Config config = ctx.getSystem().settings().config();
        return !config.hasPath(CRASH_WATCH) || config.getBoolean(CRASH_WATCH);
    }

    private static final String CRASH_WATCH = "tessera.master.ha.crash-watch";

    /** {@code tessera.master.ha.fence-wait}: how long a failed node's copies are given to stop before moving them. */
    private Duration fenceWait() {
        return durationSetting(FENCE_WAIT, DEFAULT_FENCE_WAIT);
    }

    private Duration durationSetting(String path, Duration fallback) {
        com.typesafe.config.Config config = ctx.getSystem().settings().config();
        return config.hasPath(path) ? config.getDuration(path) : fallback;
    }

    private static final String SLOW_NODE_GRACE = "tessera.master.ha.slow-node-grace";
    private static final Duration DEFAULT_SLOW_NODE_GRACE = Duration.ofSeconds(5);

    private static final String FENCE_WAIT = "tessera.master.ha.fence-wait";
    private static final Duration DEFAULT_FENCE_WAIT = Duration.ofSeconds(1);
}
