package io.tessera.master.placement;

import io.tessera.common.cluster.SharedTopics;
import io.tessera.common.logging.SessionMdc;
import io.tessera.common.protocol.ClusterSerializable;
import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.SessionRelocated;
import io.tessera.common.protocol.MediaNodeStatus;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.placement.RecoveryPlacement.Assignment;
import io.tessera.master.placement.RecoveryPlacement.Pending;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.webhook.WebhookEvent;
import io.tessera.master.webhook.Webhooks;
import io.tessera.wire.jsonrpc.RelocationReason;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import io.tessera.common.cluster.ClusterFanout;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Places the sessions of a failed media node on the surviving ones, like a hypervisor pool restarting the
 * VMs of a dead host: {@code protected} sessions first, then {@code best-effort}; {@code none} sessions are
 * closed. One instance per cluster (a singleton on the masters), so that no session is placed twice.
 *
 * <p>A media node that hosts sessions is taken for failed as soon as the cluster sees it unreachable, and it is
 * downed at once: waiting for the downing rule's stable-after would add seconds of silence to every call on
 * it. A node that was only cut off finds out it was downed when it can talk again and exits (fencing), so a
 * session never runs on two nodes for longer than the partition. A node that hosts no session is not downed here:
 * the masters' downing rule decides (MasterQuorum, after stable-after), so a late heartbeat (a busy machine, a
 * starting cluster) costs nothing.
 *
 * <p>Sessions that find no room wait, in priority order, and are placed as soon as capacity appears.
 *
 * <p>A node that leaves on purpose (drained, scaled in, upgraded: SIGTERM runs the cluster leave) is no failure.
 * The cluster event tells which is which, not timing: a member that is {@code Leaving}/{@code Exiting}, or removed
 * after exiting, left; one that turned unreachable while up, or was removed after being downed, failed. A node that
 * left gets a {@code mediaNodeStatusChanged} (to {@code terminated}) instead of {@code nodeCrashed}; sessions still
 * routed to it move as at a drain deadline.
 *
 * <p>Which node failed or left, and when, is decided by its child {@link MediaNodeLossWatch} (membership events, this
 * master's own failure detector, the crash watch); this actor acts on its verdicts: downing, moving, telling clients.
 * Its child {@link MakeBeforeBreak} decides when a drained session's old copy is released (make before break).
 */
public final class MediaFailover {

    /** Everything the failover coordinator handles: drains from the REST API, and its own cluster and timer signals. */
    public interface Command {
    }

    /** The node is known failed (downed): its sessions are placed again. Package-private for in-JVM tests. */
    record Failed(String nodeId, String ip) implements Command {
    }

    /** The node left the cluster on purpose; {@code lastStatus} as last reported (null when unknown). */
    private record Left(String nodeId, String lastStatus) implements Command {
    }

    private record MoveLeftSessions(String nodeId) implements Command {
    }

    /**
     * An operator drains a node: at {@code deadlineMillis} its remaining sessions are moved (none dropped). Sent by
     * the master that took the PATCH to the singleton, which usually runs on another master: it crosses the network.
     */
    public record Drain(String nodeId, long deadlineMillis) implements Command, ClusterSerializable {
    }

    /** The node is running again: the drain's deadline no longer applies. */
    public record CancelDrain(String nodeId) implements Command, ClusterSerializable {
    }

    private record DrainDue(String nodeId) implements Command {
    }

    /** A media node's batch of session notices, through the topic. */
    private record Notices(ClusterTopics.SessionNotices batch) implements Command {
    }

    /** {@code left}: the node left the cluster (no longer there to report draining), so every session moves. */
    private record DrainSessionsRead(String nodeId, List<SessionRecord> sessions, Throwable error, boolean left)
            implements Command {
    }

    private record SessionsRead(String nodeId, String ip, List<SessionRecord> sessions, Throwable error)
            implements Command {
    }

    /** A batch's asks and its route write are over; {@code error}: the write failed (the batch is placed again). */
    private record BatchPlaced(List<Assignment> batch, PlacementBatch.Outcome outcome, Throwable error)
            implements Command {
    }

    private enum Retry implements Command { INSTANCE }

    /** What the loss watch decided about a media node. */
    private record Loss(MediaNodeLossWatch.Verdict verdict) implements Command {
    }

    /**
     * How many sessions may be between {@code HostSession} and their route write at once, by default (the master's
     * {@code ha.placements-in-flight}): a whole media node at its default session limit, so a failed node's sessions
     * are placed in one round per survivor. What a round costs barely grows with its size: the asks run at once
     * (a {@code HostSession} only starts an actor on the node) and the route write is one majority write per routing
     * shard touched, 100 at most. Batches of 32 took ~1.1 s each on a loaded machine, and 151 sessions took 5 of them
     * (docs/BENCHMARKS.md "Media node killed while hosting 300 sessions").
     */
    static final int MAX_PLACEMENTS_IN_FLIGHT = 500;

    public static Behavior<Command> create(Routes routing, MediaNodes nodes, PlacementPolicy policy,
                                           MediaNodeClient mediaNodeClient, int failuresToTolerate,
                                           Webhooks webhooks, PlacementMeters meters) {
        return create(routing, nodes, policy, mediaNodeClient, failuresToTolerate, webhooks, meters,
                MAX_PLACEMENTS_IN_FLIGHT, () -> true, null);
    }

    /** {@code drainReleaseAfter}: the make-before-break bound, instead of the configuration's (for in-JVM tests). */
    static Behavior<Command> create(Routes routing, MediaNodes nodes, PlacementPolicy policy,
                                    MediaNodeClient mediaNodeClient, Webhooks webhooks, PlacementMeters meters,
                                    Duration drainReleaseAfter) {
        return create(routing, nodes, policy, mediaNodeClient, 1, webhooks, meters, MAX_PLACEMENTS_IN_FLIGHT,
                () -> true, drainReleaseAfter);
    }

    /**
     * {@code maxInFlight}: sessions between their {@code HostSession} ask and their route write at once
     * ({@code tessera.master.ha.placements-in-flight}); 1 places one session at a time, as before batches.
     * {@code routesRebuilt}: whether this master's routing table was rebuilt from the media nodes' inventories (the
     * rebuild gate is open); until then an unreachable media node is not failed over (see
     * {@code MediaNodeLossWatch.decide}).
     */
    public static Behavior<Command> create(Routes routing, MediaNodes nodes, PlacementPolicy policy,
                                           MediaNodeClient mediaNodeClient, int failuresToTolerate,
                                           Webhooks webhooks, PlacementMeters meters, int maxInFlight,
                                           BooleanSupplier routesRebuilt) {
        return create(routing, nodes, policy, mediaNodeClient, failuresToTolerate, webhooks, meters, maxInFlight,
                routesRebuilt, null);
    }

    /** {@code maxInFlight} 1 places one session at a time, as before batches (kept for the benchmark). */
    static Behavior<Command> create(Routes routing, MediaNodes nodes, PlacementPolicy policy,
                                    MediaNodeClient mediaNodeClient, int failuresToTolerate,
                                    Webhooks webhooks, PlacementMeters meters, int maxInFlight) {
        return create(routing, nodes, policy, mediaNodeClient, failuresToTolerate, webhooks, meters, maxInFlight,
                () -> true, null);
    }

    private static Behavior<Command> create(Routes routing, MediaNodes nodes, PlacementPolicy policy,
                                            MediaNodeClient mediaNodeClient, int failuresToTolerate,
                                            Webhooks webhooks, PlacementMeters meters, int maxInFlight,
                                            BooleanSupplier routesRebuilt, Duration drainReleaseAfter) {
        return Behaviors.setup(ctx -> {
            // Named, not found from the stack: a first log line from a timer's message was named ActorCell.
            ctx.setLoggerName(MediaFailover.class);
            return Behaviors.withTimers(timers ->
                    new MediaFailover(routing, nodes, policy, mediaNodeClient, failuresToTolerate, webhooks, meters,
                            new RecoveryPlacement(policy, maxInFlight), routesRebuilt, drainReleaseAfter, ctx, timers)
                            .idle());
        });
    }

    private final Routes routing;
    private final MediaNodes nodes;
    private final PlacementPolicy policy;
    private final MediaNodeClient mediaNodeClient;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final ActorRef<ClusterFanout.Command<SessionRelocated>> relocations;
    private final ActorRef<ClusterFanout.Command<ClusterTopics.MediaNodeLost>> losses;
    private final RecoveryPlacement placement;
    private final BooleanSupplier routesRebuilt;
    /** Releases a drained session's old copy once its streams are up on the new node, or at the bound. */
    private final ActorRef<MakeBeforeBreak.Command> makeBeforeBreak;
    private int lastWaitingReported;
    private final Webhooks webhooks;
    private final PlacementMeters meters;
    /** Moves a participant that joined a session's losing copy (a placement race) to the routed one. */
    private final ActorRef<PlacementRaces.Command> placementRaces;
    /** Checks the HA plan every few seconds; told of nodes that leave on purpose. */
    private final ActorRef<HaPlanWatch.Command> haPlan;

    private MediaFailover(Routes routing, MediaNodes nodes, PlacementPolicy policy, MediaNodeClient mediaNodeClient,
                          int failuresToTolerate, Webhooks webhooks, PlacementMeters meters,
                          RecoveryPlacement placement, BooleanSupplier routesRebuilt, Duration drainReleaseAfter,
                          ActorContext<Command> ctx, TimerScheduler<Command> timers) {
        this.placement = placement;
        this.routesRebuilt = routesRebuilt;
        this.meters = meters;
        this.webhooks = webhooks;
        this.routing = routing;
        this.nodes = nodes;
        this.policy = policy;
        this.mediaNodeClient = mediaNodeClient;
        this.ctx = ctx;
        this.timers = timers;
        this.relocations = ctx.spawn(ClusterFanout.create(SessionRelocated.class, ClusterTopics.SESSION_RELOCATIONS),
                "session-relocations");
        this.losses = ctx.spawn(ClusterFanout.create(ClusterTopics.MediaNodeLost.class, ClusterTopics.MEDIA_NODE_LOSSES),
                "media-node-losses");
        // Participants activated go to the placement-race check (PlacementRaces) and, after a drain's move, to the
        // make before break; streams up to the make before break.
        // The master's shared topic actor (the notice listener's too): a notice reaches this master once.
        ActorRef<ClusterFanout.Command<ClusterTopics.SessionNotices>> notices = SharedTopics.get(ctx.getSystem())
                .topic(ClusterTopics.SessionNotices.class, ClusterTopics.SESSION_NOTICES);
        notices.tell(ClusterFanout.subscribe(ctx.messageAdapter(ClusterTopics.SessionNotices.class, Notices::new)));
        // drainReleaseAfter null: the configuration's bound (ha.drain-release-after).
        this.makeBeforeBreak = ctx.spawn(MakeBeforeBreak.create(mediaNodeClient, drainReleaseAfter),
                "make-before-break");
        this.placementRaces = ctx.spawn(PlacementRaces.create(routing, nodes, mediaNodeClient, relocations, meters,
                webhooks), "placement-races");
        this.haPlan = ctx.spawn(HaPlanWatch.create(routing, nodes, failuresToTolerate, webhooks), "ha-plan");
        ctx.spawn(MediaNodeLossWatch.create(ctx.messageAdapter(MediaNodeLossWatch.Verdict.class, Loss::new), routing,
                nodes, routesRebuilt, meters), "loss-watch");
        timers.startTimerWithFixedDelay(Retry.INSTANCE, Duration.ofSeconds(1));
    }

    private Behavior<Command> idle() {
        return Behaviors.receive(Command.class)
                .onMessage(Loss.class, this::onLoss)
                .onMessage(Left.class, this::onLeft)
                .onMessage(MoveLeftSessions.class, move -> {
                    ctx.pipeToSelf(routing.allSessions(), (all, error) -> new DrainSessionsRead(move.nodeId(), all,
                            error, true));
                    return Behaviors.same();
                })
                .onMessage(Failed.class, this::onFailed)
                .onMessage(SessionsRead.class, this::onSessionsRead)
                .onMessage(BatchPlaced.class, this::onBatchPlaced)
                .onMessageEquals(Retry.INSTANCE, () -> {
                    placeNext();
                    return Behaviors.same();
                })
                .onMessage(Drain.class, drain -> {
                    long delay = Math.max(0, drain.deadlineMillis() - System.currentTimeMillis());
                    ctx.getLog().info("media node {} drains; sessions still there in {} ms are moved", drain.nodeId(), delay);
                    haPlan.tell(new HaPlanWatch.Departed(drain.nodeId(), "draining")); // before its report says so
                    timers.startSingleTimer("drain-" + drain.nodeId(), new DrainDue(drain.nodeId()), Duration.ofMillis(delay));
                    return Behaviors.same();
                })
                .onMessage(CancelDrain.class, cancel -> {
                    timers.cancel("drain-" + cancel.nodeId());
                    haPlan.tell(new HaPlanWatch.Returned(cancel.nodeId()));
                    return Behaviors.same();
                })
                .onMessage(DrainDue.class, due -> {
                    ctx.pipeToSelf(routing.allSessions(), (all, error) -> new DrainSessionsRead(due.nodeId(), all, error,
                            false));
                    return Behaviors.same();
                })
                .onMessage(DrainSessionsRead.class, this::onDrainSessionsRead)
                .onMessage(Notices.class, this::onNotices)
                .build();
    }

    /**
     * A verdict of the loss watch. A failed node is downed at once and its sessions are placed again {@code moveAfter}
     * later: a node that was cut off (not dead) stops its copies on its own in that time.
     */
    private Behavior<Command> onLoss(Loss loss) {
        MediaNodeLossWatch.Verdict verdict = loss.verdict();
        if (verdict instanceof MediaNodeLossWatch.Departing departing) {
            haPlan.tell(new HaPlanWatch.Departed(departing.nodeId(), "left"));
        } else if (verdict instanceof MediaNodeLossWatch.NodeLeft left) {
            haPlan.tell(new HaPlanWatch.Departed(left.nodeId(), "left"));
            ctx.getSelf().tell(new Left(left.nodeId(), left.lastStatus()));
        } else if (verdict instanceof MediaNodeLossWatch.NodeFailed failed) {
            Address address = failed.member().address();
            // The address the REST API shows for the node; the cluster address when it never reported.
            String ip = nodes.get(failed.nodeId()).map(n -> n.report().publicAddress()).filter(a -> !a.isBlank())
                    .orElse(address.getHost().orElse(null));
            meters.mediaNodeFailed();
            ctx.getLog().warn("media node {} ({}) failed: downing it and placing its sessions again in {} ms",
                    failed.nodeId(), address, failed.moveAfter().toMillis());
            Cluster.get(ctx.getSystem()).manager().tell(new Down(address));
            timers.startSingleTimer(new Failed(failed.nodeId(), ip), failed.moveAfter());
            tellClientsEarly(failed.nodeId(), failed.sessionsAtVerdict());
        }
        return Behaviors.same();
    }

    /**
     * Every master tells the clients of the failed node's sessions ({@code mediaNodeLost}) now, not after the fence
     * wait and the move: a client that rebuilds at once has its new offer at the master by the time the session
     * moves (the master holds a {@code reconnectStream} for a node that is gone until then). Nothing is placed
     * earlier: the new copies still start {@code fence-wait} after the verdict. {@code sessions}: the routing table
     * as read for the verdict (null when it could not be read: then the clients hear of the move only).
     */
    private void tellClientsEarly(String nodeId, List<SessionRecord> sessions) {
        if (sessions == null) {
            return;
        }
        List<String> lost = sessions.stream().filter(s -> nodeId.equals(s.mediaNodeId()))
                .map(SessionRecord::sessionId).toList();
        for (int from = 0; from < lost.size(); from += ClusterTopics.MediaNodeLost.MAX_LOST_PER_NOTICE) {
            losses.tell(ClusterFanout.publish(new ClusterTopics.MediaNodeLost(nodeId, List.copyOf(lost.subList(from,
                    Math.min(lost.size(), from + ClusterTopics.MediaNodeLost.MAX_LOST_PER_NOTICE))))));
        }
    }

    private Behavior<Command> onFailed(Failed failed) {
        ctx.pipeToSelf(routing.allSessions(), (all, error) -> new SessionsRead(failed.nodeId(), failed.ip(), all, error));
        return Behaviors.same();
    }

    /** A node that left: a status change, and the sessions still routed to it move as at a drain deadline. */
    private Behavior<Command> onLeft(Left left) {
        timers.cancel("drain-" + left.nodeId());
        webhooks.publish(WebhookEvent.mediaNodeStatusChanged(left.nodeId(), left.lastStatus(), "terminated"));
        ctx.getSelf().tell(new MoveLeftSessions(left.nodeId()));
        return Behaviors.same();
    }

    private Behavior<Command> onSessionsRead(SessionsRead read) {
        if (read.error() != null) {
            ctx.getLog().error("cannot read the routing table to recover media node {}: {}", read.nodeId(),
                    read.error().toString());
            timers.startSingleTimer(new Failed(read.nodeId(), read.ip()), Duration.ofSeconds(1));
            return Behaviors.same();
        }
        List<SessionRecord> lost = read.sessions().stream()
                .filter(s -> read.nodeId().equals(s.mediaNodeId()))
                .sorted(RecoveryPlacement.ORDER)
                .toList();
        webhooks.publish(WebhookEvent.nodeCrashed(read.nodeId(), WebhookEvent.NodeRole.MEDIA, read.ip(),
                lost.stream().map(SessionRecord::sessionId).toList()));
        int[] byRank = new int[3]; // protected, best-effort, to close
        lost.forEach(s -> byRank[RecoveryPlacement.rank(s.priority())]++);
        ctx.getLog().warn("media node {} hosted {} sessions ({} protected, {} best-effort, {} to close)", read.nodeId(),
                lost.size(), byRank[0], byRank[1], byRank[2]);
        for (SessionRecord session : lost) {
            if (RecoveryPlacement.rank(session.priority()) == 2) {
                close(session, read.nodeId());
            } else {
                // The queue keeps its priority order when a second node fails while the first is being recovered.
                placement.add(new Pending(session, read.nodeId(), RelocationReason.NODE_CRASHED.wireName()));
            }
        }
        placeNext();
        return Behaviors.same();
    }

    /** The deadline passed: every session still on the node moves, whatever its priority; nobody loses signalling. */
    private Behavior<Command> onDrainSessionsRead(DrainSessionsRead read) {
        if (read.error() != null) {
            if (read.left()) {
                timers.startSingleTimer(new MoveLeftSessions(read.nodeId()), Duration.ofSeconds(1));
            } else {
                timers.startSingleTimer("drain-" + read.nodeId(), new DrainDue(read.nodeId()), Duration.ofSeconds(1));
            }
            return Behaviors.same();
        }
        boolean stillDraining = nodes.get(read.nodeId()).map(n -> MediaNodeStatus.DRAINING.wireName().equals(n.report().status())).orElse(false);
        if (!stillDraining && !read.left()) {
            return Behaviors.same();
        }
        List<SessionRecord> remaining = read.sessions().stream().filter(s -> read.nodeId().equals(s.mediaNodeId()))
                .sorted(RecoveryPlacement.ORDER)
                .toList();
        if (read.left() && !remaining.isEmpty()) {
            ctx.getLog().warn("media node {} left with {} sessions still routed to it (not drained first): moving them",
                    read.nodeId(), remaining.size());
        } else if (!read.left()) {
            ctx.getLog().info("drain deadline of {}: moving its {} sessions", read.nodeId(), remaining.size());
        }
        remaining.forEach(s -> placement.add(new Pending(s, read.nodeId(), RelocationReason.DRAIN.wireName())));
        placeNext();
        return Behaviors.same();
    }

    /**
     * Each notice in the order the node gave them: streams up to the make before break (passed on in the order this
     * actor hears the notices and its own moves, so that a stream counts exactly from its session's move on), joins as
     * below.
     */
    private Behavior<Command> onNotices(Notices notices) {
        for (ClusterTopics.SessionNotice notice : notices.batch().notices()) {
            if (notice instanceof ClusterTopics.ParticipantActivated activated) {
                onActivated(activated);
            } else if (notice instanceof ClusterTopics.StreamChanged up && up.created() && up.receivingFrom() == null) {
                makeBeforeBreak.tell(new MakeBeforeBreak.StreamUp(up.sessionId(), up.streamId()));
            }
        }
        return Behaviors.same();
    }

    private void onActivated(ClusterTopics.ParticipantActivated notice) {
        if (notice.mediaNodeId() == null) {
            return;
        }
        if (notice.movedFrom() != null) { // told of a drain's move only now: its page's rebuild starts now
            makeBeforeBreak.tell(new MakeBeforeBreak.ParticipantMoved(notice.sessionId(), notice.movedFrom()));
        }
        placementRaces.tell(new PlacementRaces.Activated(notice));
    }

    /**
     * Closes a {@code none} session of a failed node. As for any eviction, each participant still there gets its
     * {@code participantLeft} (reason {@code nodeCrashed}, in join order) before the {@code sessionDestroyed}; the
     * connection records are read before the session's removal takes them away.
     */
    private void close(SessionRecord session, String fromNodeId) {
        meters.sessionClosed();
        String id = session.sessionId();
        routing.connections(id).exceptionally(error -> List.of()).thenAccept(connections -> {
            connections.stream().filter(c -> c.active() && c.activeAt() != null)
                    .sorted(Comparator.comparingLong(c -> c.activeAt()))
                    .forEach(c -> webhooks.publish(WebhookEvent.participantLeft(id, session.createdAt(), c,
                            RelocationReason.NODE_CRASHED.wireName())));
            webhooks.publish(WebhookEvent.sessionDestroyed(id, session.createdAt(), RelocationReason.NODE_CRASHED.wireName()));
            routing.removeSession(id);
        });
        relocations.tell(ClusterFanout.publish(new SessionRelocated(id, fromNodeId, null, null, RelocationReason.NODE_CRASHED.wireName())));
    }

    /**
     * Hands the waiting sessions to the survivors in batches ({@link RecoveryPlacement}): every session of the
     * batch is asked to its node at once, then the batch's routes are moved in one write (one majority write per
     * shard touched). The next batch starts as soon as places and ask slots are free, so a batch that waits on a slow
     * node does not hold the others.
     */
    private void placeNext() {
        while (true) {
            List<Assignment> batch = placement.nextBatch(nodes.available(), System.currentTimeMillis());
            if (batch.isEmpty()) {
                break;
            }
            place(batch);
        }
        Optional<Pending> first = placement.firstWaiting();
        if (first.isPresent() && placement.inFlightCount() == 0 && placement.waitingCount() != lastWaitingReported) {
            lastWaitingReported = placement.waitingCount();
            ctx.getLog().error("ALERT no media node has room: {} sessions wait to be placed again (first: {} {})",
                    placement.waitingCount(), first.get().session().priority(), first.get().sessionId());
            placement.waitingSessions().forEach(p -> webhooks.publish(WebhookEvent.sessionPlacementWaiting(
                    p.sessionId(), p.session().priority())));
        }
        meters.waiting(placement.waitingCount() + placement.inFlightCount());
    }

    /**
     * One round per survivor: a round's route write waits for every ask of the round, so a survivor slow to answer
     * (or not yet known to be dead) holds back only the sessions asked to it, not a whole failed node's.
     */
    private void place(List<Assignment> batch) {
        batch.stream().collect(Collectors.groupingBy(a -> a.target().id(), LinkedHashMap::new, Collectors.toList()))
                .values().forEach(round -> ctx.pipeToSelf(PlacementBatch.place(round, mediaNodeClient, routing),
                        (outcome, error) -> new BatchPlaced(round, outcome, error)));
    }

    private Behavior<Command> onBatchPlaced(BatchPlaced placed) {
        for (Assignment assignment : placed.batch()) {
            Pending pending = assignment.pending();
            try (SessionMdc mdc = SessionMdc.session(pending.sessionId())) {
                Throwable error = placed.error() != null ? placed.error()
                        : placed.outcome().refused().get(assignment);
                if (error != null) {
                    ctx.getLog().warn("placing session {} on {} failed ({}); trying again", pending.sessionId(),
                            assignment.target().id(), error.toString());
                    placement.retry(pending);
                } else {
                    placement.finished(pending.sessionId());
                    movedOne(pending, assignment.target(), placed.outcome().moved().get(pending.sessionId()));
                }
            }
        }
        if (placement.waitingCount() == 0) {
            lastWaitingReported = 0;
        }
        placeNext();
        return Behaviors.same();
    }

    private void movedOne(Pending pending, MediaNodeState target, SessionRecord record) {
        if (record == null) {
            ctx.getLog().info("session {} is no longer on {} (ended or moved meanwhile)", pending.session().sessionId(),
                    pending.fromNodeId());
        } else {
            ctx.getLog().info("session {} ({}) moved from {} to {}", pending.session().sessionId(),
                    pending.session().priority(), pending.fromNodeId(), target.id());
            relocations.tell(ClusterFanout.publish(new SessionRelocated(pending.session().sessionId(), pending.fromNodeId(),
                    target.id(), target.report().manager(), pending.reason())));
            meters.sessionMoved(pending.reason());
            webhooks.publish(WebhookEvent.sessionMigrated(pending.session().sessionId(), pending.fromNodeId(),
                    target.id(), pending.session().priority(), pending.reason()));
            if (RelocationReason.DRAIN.wireName().equals(pending.reason())) {
                // The old node is alive: its copy keeps forwarding until the session's streams are up on the new node,
                // and from now on refuses joins through the old route (a master whose replica still names it).
                nodes.get(pending.fromNodeId()).ifPresent(old -> {
                    mediaNodeClient.supersede(old.report().manager(), record.sessionId(), record.epoch());
                    makeBeforeBreak.tell(new MakeBeforeBreak.Moved(record.sessionId(), pending.fromNodeId(),
                            old.report().manager()));
                });
            }
        }
    }
}
