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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;

/**
 * Runs once when this master is Up: asks every reachable media node for its inventory and writes back the session
 * records and the connections of joined participants that the routing table does not have (after every master was
 * lost, all of them), then opens the {@link RebuildGate}. A master that joins a running cluster finds every session
 * already there and writes nothing. Bounded by {@code timeout}: past it the gate opens anyway (logged as an ALERT).
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

    private record Page(InventoryPage page) implements Command {
    }

    private record Written(Counts counts, Throwable error) implements Command {
    }

    private record Counts(int sessions, int connections) {
    }

    public static Behavior<Command> create(Routes routes, MediaNodes mediaNodes, MediaNodeClient mediaNodeClient,
                                           RebuildGate gate, Duration timeout) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new RoutingRebuild(ctx, timers, routes, mediaNodes, mediaNodeClient, gate, timeout).awaitingUp()));
    }

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final Routes routes;
    private final MediaNodes mediaNodes;
    private final MediaNodeClient mediaNodeClient;
    private final RebuildGate gate;
    private final Duration timeout;
    private long startedNanos;
    private final Set<String> asked = new HashSet<>();
    private final Set<String> answered = new HashSet<>();
    private final Map<String, List<HostedSession>> inventories = new HashMap<>();

    private RoutingRebuild(ActorContext<Command> ctx, TimerScheduler<Command> timers, Routes routes,
                           MediaNodes mediaNodes, MediaNodeClient mediaNodeClient, RebuildGate gate, Duration timeout) {
        this.ctx = ctx;
        this.mediaNodeClient = mediaNodeClient;
        this.timers = timers;
        this.routes = routes;
        this.mediaNodes = mediaNodes;
        this.gate = gate;
        this.timeout = timeout;
        Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
                ctx.messageAdapter(SelfUp.class, Joined::new), SelfUp.class));
    }

    private Behavior<Command> awaitingUp() {
        return Behaviors.receive(Command.class)
                .onMessage(Joined.class, up -> {
                    startedNanos = System.nanoTime();
                    timers.startSingleTimer(Deadline.INSTANCE, timeout);
                    timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(250));
                    return awaitingReports();
                })
                .build();
    }

    /** Until every reachable media member has sent a load report (which names its session manager). */
    private Behavior<Command> awaitingReports() {
        return Behaviors.receive(Command.class)
                .onMessage(Tick.class, t -> {
                    Set<String> expected = reachableMediaNodeIds();
                    List<MediaNodeState> known = expected.stream().map(mediaNodes::get)
                            .flatMap(java.util.Optional::stream).toList();
                    if (known.size() < expected.size()) {
                        return Behaviors.same();
                    }
                    timers.cancel(Tick.INSTANCE);
                    if (known.isEmpty()) {
                        return finish(new Counts(0, 0), null);
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
                .onMessage(Deadline.class, d -> timedOut("media nodes' load reports"))
                .build();
    }

    private Behavior<Command> collecting() {
        return Behaviors.receive(Command.class)
                .onMessage(Page.class, p -> {
                    InventoryPage page = p.page();
                    if (page.error() != null) {
                        ctx.getLog().warn("media node {} could not report its sessions: {}", page.mediaNodeId(),
                                page.error());
                    }
                    inventories.computeIfAbsent(page.mediaNodeId(), id -> new ArrayList<>()).addAll(page.sessions());
                    if (page.last()) {
                        answered.add(page.mediaNodeId());
                    }
                    if (!answered.containsAll(asked)) {
                        return Behaviors.same();
                    }
                    return writing();
                })
                .onMessage(Deadline.class, d -> timedOut("inventories of " + asked + " (answered: " + answered + ")"))
                .build();
    }

    private Behavior<Command> writing() {
        InventoryMerge.Result merged = InventoryMerge.merge(inventories, System.currentTimeMillis());
        merged.losers().forEach(this::release);
        ctx.pipeToSelf(writeAll(merged.routes()), Written::new);
        return Behaviors.receive(Command.class)
                .onMessage(Written.class, w -> finish(w.counts(), w.error()))
                .onMessage(Deadline.class, d -> timedOut("writing " + merged.routes().size() + " sessions"))
                .onMessage(Page.class, p -> Behaviors.same())
                .build();
    }

    private Behavior<Command> finish(Counts counts, Throwable error) {
        long millis = (System.nanoTime() - startedNanos) / 1_000_000;
        if (error != null) {
            ctx.getLog().error("ALERT rebuilding the routing table failed after {} ms: {}; serving anyway", millis,
                    error.toString());
        } else {
            ctx.getLog().info("routing table rebuilt in {} ms from {} media node(s): {} session(s) and {}"
                    + " connection(s) written back", millis, asked.size(), counts.sessions(), counts.connections());
        }
        gate.open();
        return Behaviors.stopped();
    }

    private Behavior<Command> timedOut(String waitingFor) {
        ctx.getLog().error("ALERT routing table not rebuilt within {} s (waiting for {}); serving anyway: sessions of"
                + " nodes that did not answer are unknown here until their notices arrive", timeout.toSeconds(), waitingFor);
        gate.open();
        return Behaviors.stopped();
    }

    private Set<String> reachableMediaNodeIds() {
        var state = Cluster.get(ctx.getSystem()).state();
        Set<Member> unreachable = state.getUnreachable();
        Set<String> ids = new HashSet<>();
        StreamSupport.stream(state.getMembers().spliterator(), false)
                .filter(m -> m.hasRole("media") && m.status() == MemberStatus.up() && !unreachable.contains(m))
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

    /** One {@link Routes#restore} for everything: the routing table batches it by shard. */
    private CompletionStage<Counts> writeAll(List<InventoryMerge.Route> all) {
        List<Routes.Restore> restores = all.stream().map(route -> new Routes.Restore(route.record(),
                route.participants().stream().map(p -> connectionOf(route.record().sessionId(), p)).toList())).toList();
        return routes.restore(restores).thenApply(done -> new Counts(done.sessions(), done.connections()));
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
