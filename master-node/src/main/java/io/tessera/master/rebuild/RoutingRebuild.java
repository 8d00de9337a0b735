package io.tessera.master.rebuild;

import io.tessera.common.config.NodeSettings;
import io.tessera.common.protocol.MediaNodeProtocol.HostedSession;
import io.tessera.common.protocol.MediaNodeProtocol.InventoryPage;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.ReportInventory;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.placement.MediaNodeState;
import io.tessera.master.placement.MediaNodes;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.session.Ids;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Rebuilds this master's routing table from the media nodes' inventories once it is Up (after every master was lost
 * the table is empty), then opens the {@link RebuildGate}. Each round: wait for every reachable media member's load
 * report, ask each for its inventory, merge them; then ONE master, the {@link Restorer#choose restorer} (the oldest Up
 * master), writes back what the table lacks, while every other master waits until its own replica holds every
 * route of the inventories (replication brings the restorer's writes), restoring itself only if the restorer changed
 * to it (the former one died) or no route arrived for {@code restorer-stall}. A master joining a running cluster
 * finds every route already there and writes nothing.
 * A round is bounded by {@code timeout}: past it, or when the restore failed, the gate opens anyway (serving a
 * partial table beats serving nothing; ALERT) but the routes stay "not complete", so the media failover stays off,
 * and another round starts {@code retry-after} later, until one succeeds.
 * Tokens issued but not used yet live in the masters only and are not rebuilt. The inventory is a stream of pages,
 * not one answer, so this actor asks for it itself instead of through {@link MediaNodeClient} (which it uses to release).
 */
public final class RoutingRebuild {

    /** What this actor handles. */
    public interface Command {
    }

    private record Joined(SelfUp up) implements Command {
    }

    private enum Tick implements Command { INSTANCE }

    private enum Deadline implements Command { INSTANCE }

    private enum Retry implements Command { INSTANCE }

    private record Page(InventoryPage page) implements Command {
    }

    private record Written(int round, Counts counts, Throwable error) implements Command {
    }

    /** This replica's ids, read for a waiting round. */
    private record Checked(int round, Routes.LocalIds local, Throwable error) implements Command {
    }

    private record Counts(int sessions, int connections) {
    }

    public static Behavior<Command> create(Routes routes, MediaNodes mediaNodes, MediaNodeClient mediaNodeClient,
                                           RebuildGate gate, RebuildSettings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new RoutingRebuild(ctx, timers, routes, mediaNodes, mediaNodeClient, gate, settings).awaitingUp()));
    }

    private static final Duration CHECK_EVERY = Duration.ofMillis(500);

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final Routes routes;
    private final MediaNodes mediaNodes;
    private final MediaNodeClient mediaNodeClient;
    private final RebuildGate gate;
    private final RebuildSettings settings;
    private final long upNanos;
    private int round;
    private long startedNanos;
    /** A restore of an earlier round still running (it outlived its round's bound): the next round waits for it. */
    private boolean writeInFlight;
    private final Set<String> asked = new HashSet<>();
    private final Set<String> answered = new HashSet<>();
    /** Per node, per session id: a page that came twice counts once (a duplicate would look like a losing copy). */
    private final Map<String, Map<String, HostedSession>> inventories = new HashMap<>();

    private RoutingRebuild(ActorContext<Command> ctx, TimerScheduler<Command> timers, Routes routes,
                           MediaNodes mediaNodes, MediaNodeClient mediaNodeClient, RebuildGate gate,
                           RebuildSettings settings) {
        this.ctx = ctx;
        this.mediaNodeClient = mediaNodeClient;
        this.timers = timers;
        this.routes = routes;
        this.mediaNodes = mediaNodes;
        this.gate = gate;
        this.settings = settings;
        this.upNanos = System.nanoTime();
        Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
                ctx.messageAdapter(SelfUp.class, Joined::new), SelfUp.class));
    }

    private Behavior<Command> awaitingUp() {
        return Behaviors.receive(Command.class)
                .onMessage(Joined.class, up -> startRound())
                .build();
    }

    private Behavior<Command> startRound() {
        round++;
        startedNanos = System.nanoTime();
        asked.clear();
        answered.clear();
        inventories.clear();
        timers.startSingleTimer(Deadline.INSTANCE, settings.timeout());
        timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(250));
        return awaitingReports();
    }

    /** Messages of an earlier round: a restore that outlived its round, a replica check, late pages. */
    private BehaviorBuilder<Command> receive() {
        return Behaviors.receive(Command.class)
                .onMessage(Written.class, w -> w.round() != round, w -> {
                    writeInFlight = false;
                    return Behaviors.same();
                })
                .onMessage(Checked.class, c -> c.round() != round, c -> Behaviors.same());
    }

    /** Until every reachable media member has sent a load report (which names its session manager). */
    private Behavior<Command> awaitingReports() {
        return receive()
                .onMessage(Tick.class, t -> {
                    Set<String> expected = mediaNodeIds(true);
                    if (expected.isEmpty() && !mediaNodeIds(false).isEmpty()) {
                        // Media members, none reachable right now: late heartbeats while the cluster starts on busy
                        // cores, most likely (seen at 10 000 sessions: two masters found "no media node", served an
                        // empty table for 24 s). Waited for, up to the bound; dead ones are downed meanwhile.
                        return Behaviors.same();
                    }
                    List<MediaNodeState> known = expected.stream().map(mediaNodes::get)
                            .flatMap(Optional::stream).toList();
                    if (known.size() < expected.size()) {
                        return Behaviors.same();
                    }
                    timers.cancel(Tick.INSTANCE);
                    if (known.isEmpty()) {
                        return succeeded(new Counts(0, 0), "");
                    }
                    ActorRef<InventoryPage> pages = ctx.messageAdapter(InventoryPage.class, Page::new);
                    known.forEach(node -> {
                        asked.add(node.id());
                        node.report().manager().tell(new ReportInventory(pages));
                    });
                    ctx.getLog().info("rebuilding the routing table: asked {} media node(s) {} for their sessions",
                            asked.size(), asked);
                    return collecting();
                })
                .onMessage(Page.class, p -> Behaviors.same())
                .onMessage(Deadline.class, d -> timedOut("media nodes' load reports"))
                .build();
    }

    private Behavior<Command> collecting() {
        return receive()
                .onMessage(Page.class, p -> {
                    InventoryPage page = p.page();
                    if (page.error() != null) {
                        ctx.getLog().warn("media node {} could not report its sessions: {}", page.mediaNodeId(),
                                page.error());
                    }
                    Map<String, HostedSession> sessions =
                            inventories.computeIfAbsent(page.mediaNodeId(), id -> new LinkedHashMap<>());
                    page.sessions().forEach(s -> sessions.merge(s.sessionId(), s, RoutingRebuild::samePage));
                    if (page.last()) {
                        answered.add(page.mediaNodeId());
                    }
                    if (!answered.containsAll(asked)) {
                        return Behaviors.same();
                    }
                    Map<String, List<HostedSession>> all = new HashMap<>();
                    inventories.forEach((node, byId) -> all.put(node, List.copyOf(byId.values())));
                    InventoryMerge.Result merged = InventoryMerge.merge(all, System.currentTimeMillis());
                    Optional<String> restorer = restorer();
                    if (restorer.isEmpty() || restorer.get().equals(selfAddress())) {
                        return writing(merged, "this master is the restorer (the oldest Up master)");
                    }
                    return waiting(merged, restorer.get());
                })
                .onMessage(Deadline.class, d -> timedOut("inventories of " + asked + " (answered: " + answered + ")"))
                .build();
    }

    /**
     * A session with many participants spans pages, each with part of them: those add up. The same page twice (an
     * earlier round's answer arriving late) must not double them: participants already there are not added again.
     */
    private static HostedSession samePage(HostedSession known, HostedSession more) {
        List<ParticipantInfo> participants = new ArrayList<>(known.participants());
        more.participants().stream().filter(p -> !participants.contains(p)).forEach(participants::add);
        return new HostedSession(known.sessionId(), known.descriptor() != null ? known.descriptor() : more.descriptor(),
                participants);
    }

    /** Another master restores: until this replica holds every route, or it is this master's turn to restore. */
    private Behavior<Command> waiting(InventoryMerge.Result merged, String restorer) {
        int expected = merged.routes().size();
        ctx.getLog().info("rebuilding the routing table: {} restores the {} session(s) of the inventories; waiting for"
                + " them to reach this master (restoring here if none arrive for {} s)", restorer, expected,
                settings.restorerStall().toSeconds());
        long[] lastProgressNanos = {System.nanoTime()};
        int[] lastPresent = {-1};
        boolean[] checking = {false};
        String[] restorerNow = {restorer};
        timers.startTimerWithFixedDelay(Tick.INSTANCE, CHECK_EVERY);
        ctx.getSelf().tell(Tick.INSTANCE);
        return receive()
                .onMessage(Tick.class, t -> {
                    if (!checking[0]) {
                        checking[0] = true;
                        int thisRound = round;
                        ctx.pipeToSelf(routes.localIds(), (local, error) -> new Checked(thisRound, local, error));
                    }
                    return Behaviors.same();
                })
                .onMessage(Checked.class, c -> {
                    checking[0] = false;
                    int present = c.error() != null ? lastPresent[0] : Restorer.present(merged.routes(), c.local());
                    if (present > lastPresent[0]) {
                        lastPresent[0] = present;
                        lastProgressNanos[0] = System.nanoTime();
                    }
                    if (!Restorer.stillUp(restorerNow[0], candidates())) {
                        String next = restorer().orElse(selfAddress());
                        ctx.getLog().info("rebuilding the routing table: the restorer {} is no Up master any more;"
                                + " the restorer is now {}", restorerNow[0], next);
                        restorerNow[0] = next;
                    }
                    boolean selfIsRestorer = restorerNow[0].equals(selfAddress());
                    Duration sinceProgress = Duration.ofNanos(System.nanoTime() - lastProgressNanos[0]);
                    switch (Restorer.next(Math.max(present, 0), expected, selfIsRestorer, sinceProgress,
                            settings.restorerStall())) {
                        case DONE -> {
                            timers.cancel(Tick.INSTANCE);
                            return succeeded(new Counts(0, 0), " (restored by " + restorer + ", whose routes reached"
                                    + " this master)");
                        }
                        case RESTORE -> {
                            timers.cancel(Tick.INSTANCE);
                            return writing(merged, selfIsRestorer
                                    ? "the restorer " + restorer + " is gone; this master is the oldest Up master now"
                                    : "no route from " + restorerNow[0] + " for " + sinceProgress.toSeconds() + " s ("
                                            + lastPresent[0] + " of " + expected + " here)");
                        }
                        default -> {
                            return Behaviors.same();
                        }
                    }
                })
                .onMessage(Page.class, p -> Behaviors.same())
                .onMessage(Deadline.class, d -> timedOut("the routes restored by " + restorer + " (" + lastPresent[0]
                        + " of " + expected + " here)"))
                .build();
    }

    private Behavior<Command> writing(InventoryMerge.Result merged, String why) {
        ctx.getLog().info("rebuilding the routing table: restoring {} session(s) here ({}), at most {} per write and {}"
                        + " in flight", merged.routes().size(), why, settings.budget().recordsPerWrite(),
                settings.budget().sessionsInFlight());
        merged.losers().forEach(this::release);
        int thisRound = round;
        writeInFlight = true;
        ctx.pipeToSelf(writeAll(merged.routes()), (counts, error) -> new Written(thisRound, counts, error));
        return receive()
                .onMessage(Written.class, w -> {
                    writeInFlight = false;
                    return w.error() != null ? failed(w.error()) : succeeded(w.counts(), "");
                })
                .onMessage(Deadline.class, d -> timedOut("writing " + merged.routes().size() + " sessions"))
                .onMessage(Page.class, p -> Behaviors.same())
                .onMessage(Tick.class, t -> Behaviors.same())
                .build();
    }

    private Behavior<Command> succeeded(Counts counts, String how) {
        Set<String> skipped = Restorer.notAsked(mediaNodeIds(false), asked);
        if (!skipped.isEmpty()) {
            // An Up media node this round could not ask (unreachable then: late heartbeats at start, most likely) may
            // hold sessions this table lacks: "hosts no session" cannot be told for it, so the failover must stay off
            // (seen at 10 000 sessions: two masters called a table of 5003 of 10 000 sessions rebuilt).
            ctx.getLog().warn("routing table written back from {} but media node(s) {} could not be asked (unreachable"
                    + " when this round began): serving, the media failover stays off, next round once they are"
                    + " reachable and reporting, in {} s at the latest", asked, skipped,
                    settings.retryAfter().toSeconds());
            return retrying(true);
        }
        timers.cancelAll();
        long millis = (System.nanoTime() - startedNanos) / 1_000_000;
        ctx.getLog().info("routing table rebuilt in {} ms from {} media node(s): {} session(s) and {} connection(s)"
                        + " written back{}{}", millis, asked.size(), counts.sessions(), counts.connections(), how,
                round > 1 ? " (round " + round + ", " + (System.nanoTime() - upNanos) / 1_000_000_000 + " s after Up;"
                        + " the media failover is on again)" : "");
        gate.rebuilt();
        return Behaviors.stopped();
    }

    private Behavior<Command> failed(Throwable error) {
        long millis = (System.nanoTime() - startedNanos) / 1_000_000;
        ctx.getLog().error("ALERT rebuilding the routing table failed after {} ms: {}; serving anyway, the media"
                + " failover stays off until a rebuild succeeds (next one in {} s)", millis, error.toString(),
                settings.retryAfter().toSeconds());
        return retrying(false);
    }

    private Behavior<Command> timedOut(String waitingFor) {
        ctx.getLog().error("ALERT routing table not rebuilt within {} s (waiting for {}); serving anyway: sessions of"
                + " nodes that did not answer are unknown here until their notices arrive; the media failover stays"
                + " off until a rebuild succeeds (next one in {} s)", settings.timeout().toSeconds(), waitingFor,
                settings.retryAfter().toSeconds());
        return retrying(false);
    }

    /**
     * Serving (the gate open) with routes maybe incomplete, and the media failover off, until the next round:
     * {@code rebuild.retry-after} later, or, when {@code onceAllAskable} (the round could not ask some Up media node),
     * as soon as every Up media node is reachable and has reported. Why not only the fixed delay: a node is unreachable
     * at a master's start for a second or two of late heartbeats on busy cores, and for the rest of the 10 s the
     * master answered creates with a custom session id 503 "routing table is incomplete" although nothing was
     * missing any more (seen in CI: {@code DrainPlacementTest}, every create through one master refused).
     */
    private Behavior<Command> retrying(boolean onceAllAskable) {
        timers.cancelAll();
        gate.failed();
        timers.startSingleTimer(Retry.INSTANCE, settings.retryAfter());
        if (onceAllAskable) {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, CHECK_EVERY);
        }
        return receive()
                .onMessage(Retry.class, r -> {
                    if (writeInFlight) {
                        timers.startSingleTimer(Retry.INSTANCE, CHECK_EVERY);
                        return Behaviors.same();
                    }
                    return startRound();
                })
                .onMessage(Tick.class, t -> {
                    if (writeInFlight || !allMediaNodesAskable()) {
                        return Behaviors.same();
                    }
                    timers.cancel(Retry.INSTANCE);
                    return startRound();
                })
                .onMessage(Written.class, w -> {
                    writeInFlight = false; // this round's restore, finishing after its round hit the bound
                    return Behaviors.same();
                })
                .onMessage(Checked.class, c -> Behaviors.same())
                .onMessage(Page.class, p -> Behaviors.same())
                .build();
    }

    /** Every Up media member is reachable and has a load report here: a round now would ask them all. */
    private boolean allMediaNodesAskable() {
        Set<String> up = mediaNodeIds(false);
        Set<String> reported = up.stream().filter(id -> mediaNodes.get(id).isPresent()).collect(Collectors.toSet());
        return Restorer.allAskable(up, mediaNodeIds(true), reported);
    }

    /** The oldest master that is Up and reachable from here (see {@link Restorer#choose}). */
    private Optional<String> restorer() {
        return Restorer.choose(candidates());
    }

    /** Every member as the restorer's choice sees it, oldest first. */
    private List<Restorer.Candidate> candidates() {
        var state = Cluster.get(ctx.getSystem()).state();
        Set<Member> unreachable = state.getUnreachable();
        List<Member> members = new ArrayList<>();
        state.getMembers().forEach(members::add);
        members.sort(OLDEST_FIRST);
        return members.stream().map(m -> new Restorer.Candidate(m.address().toString(), m.hasRole("master"),
                m.status() == MemberStatus.up(), !unreachable.contains(m))).toList();
    }

    private static final Comparator<Member> OLDEST_FIRST = (a, b) -> a.isOlderThan(b) ? -1 : b.isOlderThan(a) ? 1 : 0;

    private String selfAddress() {
        return Cluster.get(ctx.getSystem()).selfMember().address().toString();
    }

    /** The ids of the Up media members; {@code reachableOnly}: of those reachable (in the cluster's view) only. */
    private Set<String> mediaNodeIds(boolean reachableOnly) {
        var state = Cluster.get(ctx.getSystem()).state();
        Set<Member> unreachable = state.getUnreachable();
        Set<String> ids = new HashSet<>();
        StreamSupport.stream(state.getMembers().spliterator(), false)
                .filter(m -> m.hasRole("media") && m.status() == MemberStatus.up()
                        && !(reachableOnly && unreachable.contains(m)))
                .forEach(m -> m.getRoles().stream().filter(r -> r.startsWith(NodeSettings.NODE_ID_ROLE_PREFIX))
                        .findFirst().ifPresent(r -> ids.add(r.substring(NodeSettings.NODE_ID_ROLE_PREFIX.length()))));
        return ids;
    }

    /** A copy that lost on epoch: its participants (if any) followed the winner when it was placed there. */
    private void release(InventoryMerge.Loser loser) {
        ctx.getLog().warn("session {} is also on media node {} (epoch {}): released there, the higher epoch wins",
                loser.sessionId(), loser.mediaNodeId(), loser.epoch());
        mediaNodes.get(loser.mediaNodeId())
                .ifPresent(node -> mediaNodeClient.release(node.report().manager(), loser.sessionId()));
    }

    /** One {@link Routes#restore} for everything: the routing table batches it by shard, within the budget. */
    private CompletionStage<Counts> writeAll(List<InventoryMerge.Route> all) {
        List<Routes.Restore> restores = all.stream().map(route -> new Routes.Restore(route.record(),
                route.participants().stream().map(p -> connectionOf(route.record().sessionId(), p)).toList())).toList();
        return routes.restore(restores, settings.budget())
                .thenApply(done -> new Counts(done.sessions(), done.connections()));
    }

    /**
     * A joined participant's connection as the join made it, except what only the masters held: its token (used
     * already; a fresh unguessable one stands in, so that no lookup by token meets a null), the token's expiry and
     * the recording flag.
     */
    static ConnectionRecord connectionOf(String sessionId, ParticipantInfo p) {
        return new ConnectionRecord(p.connectionId(), sessionId, Ids.token(), 0, p.role(), false, p.serverData(),
                p.createdAt(),
                ConnectionRecord.Status.ACTIVE.wireName(), p.createdAt(), p.metadata(), p.platform(), p.ip());
    }
}
