package io.tessera.master.placement;

import io.tessera.common.logging.SessionMdc;
import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.SessionRelocated;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.webhook.WebhookEvent;
import io.tessera.master.webhook.Webhooks;
import io.tessera.wire.jsonrpc.RelocationReason;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import io.tessera.common.cluster.ClusterFanout;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Placement races: two masters that created the same session at once may have placed it on two media nodes; the
 * routing table keeps one (the winner). A participant that joined a node the session is not routed to is on the losing
 * copy: it is moved to the winner ({@code SessionRelocated}, reason {@code placementRace}, and {@code sessionMigrated}),
 * and the losing copy is released {@link #RELEASE_LOSER_AFTER} later, once its participants have followed. A child of
 * the failover singleton ({@link MediaFailover}), which hands it every {@code ParticipantActivated} notice.
 */
final class PlacementRaces {

    interface Command {
    }

    /** A participant joined {@code notice.mediaNodeId()}; checked against the session's route. */
    record Activated(ClusterTopics.ParticipantActivated notice) implements Command {
    }

    private record RouteChecked(ClusterTopics.ParticipantActivated notice, SessionRecord routed) implements Command {
    }

    private record ReleaseLoser(String sessionId, ActorRef<MediaNodeProtocol.Command> manager) implements Command {
    }

    /** How long the losing copy lives on after the race was found: its participants follow the session meanwhile. */
    static final Duration RELEASE_LOSER_AFTER = Duration.ofSeconds(2);

    static Behavior<Command> create(Routes routing, MediaNodes nodes, MediaNodeClient mediaNodeClient,
                                    ActorRef<ClusterFanout.Command<SessionRelocated>> relocations, PlacementMeters meters,
                                    Webhooks webhooks) {
        return Behaviors.setup(ctx -> {
            // Its lines keep the logger they had inside the singleton (OPERATIONS.md: placement races, MediaFailover).
            ctx.setLoggerName(MediaFailover.class);
            return Behaviors.withTimers(timers -> new PlacementRaces(routing, nodes, mediaNodeClient, relocations,
                    meters, webhooks, ctx, timers).behavior());
        });
    }

    private final Routes routing;
    private final MediaNodes nodes;
    private final MediaNodeClient mediaNodeClient;
    private final ActorRef<ClusterFanout.Command<SessionRelocated>> relocations;
    private final PlacementMeters meters;
    private final Webhooks webhooks;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;

    private PlacementRaces(Routes routing, MediaNodes nodes, MediaNodeClient mediaNodeClient,
                           ActorRef<ClusterFanout.Command<SessionRelocated>> relocations, PlacementMeters meters,
                           Webhooks webhooks, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
        this.routing = routing;
        this.nodes = nodes;
        this.mediaNodeClient = mediaNodeClient;
        this.relocations = relocations;
        this.meters = meters;
        this.webhooks = webhooks;
        this.ctx = ctx;
        this.timers = timers;
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Activated.class, this::onActivated)
                .onMessage(RouteChecked.class, this::onRouteChecked)
                .onMessage(ReleaseLoser.class, release -> {
                    mediaNodeClient.release(release.manager(), release.sessionId());
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onActivated(Activated activated) {
        ClusterTopics.ParticipantActivated notice = activated.notice();
        // A local read first: only a disagreement is worth a majority read.
        CompletionStage<Optional<SessionRecord>> routed = routing.session(notice.sessionId()).thenCompose(local ->
                local.isPresent() && local.get().mediaNodeId().equals(notice.mediaNodeId())
                        ? CompletableFuture.completedFuture(local)
                        : routing.sessionFromMajority(notice.sessionId()));
        ctx.pipeToSelf(routed, (record, error) -> new RouteChecked(notice,
                error == null && record.isPresent() ? record.get() : null));
        return Behaviors.same();
    }

    private Behavior<Command> onRouteChecked(RouteChecked checked) {
        SessionRecord routed = checked.routed();
        ClusterTopics.ParticipantActivated notice = checked.notice();
        if (routed == null || routed.mediaNodeId().equals(notice.mediaNodeId())) {
            return Behaviors.same();
        }
        Optional<MediaNodeState> winner = nodes.get(routed.mediaNodeId());
        if (winner.isEmpty()) {
            return Behaviors.same(); // the winner is gone: its failure recovery places the session
        }
        try (SessionMdc mdc = SessionMdc.of(notice.sessionId(), notice.connectionId(), routed.mediaNodeId())) {
            ctx.getLog().warn("placement race on session {}: {} joined {}, the session is routed to {}; moving it",
                    notice.sessionId(), notice.connectionId(), notice.mediaNodeId(), routed.mediaNodeId());
        }
        relocations.tell(ClusterFanout.publish(new SessionRelocated(notice.sessionId(), notice.mediaNodeId(),
                routed.mediaNodeId(), winner.get().report().manager(), RelocationReason.PLACEMENT_RACE.wireName())));
        meters.sessionMoved(RelocationReason.PLACEMENT_RACE.wireName());
        webhooks.publish(WebhookEvent.sessionMigrated(notice.sessionId(), notice.mediaNodeId(), routed.mediaNodeId(),
                routed.priority(), RelocationReason.PLACEMENT_RACE.wireName()));
        nodes.get(notice.mediaNodeId()).ifPresent(loser -> timers.startSingleTimer("release-" + notice.sessionId(),
                new ReleaseLoser(notice.sessionId(), loser.report().manager()), RELEASE_LOSER_AFTER));
        return Behaviors.same();
    }
}
