package io.tessera.master;

import com.typesafe.config.Config;
import io.tessera.common.cluster.ClusterFormation;
import io.tessera.common.config.NodeLauncher;
import io.tessera.common.config.NodeSettings;
import io.tessera.common.health.HealthRoutes;
import io.tessera.common.metrics.MetricsRoutes;
import io.tessera.common.metrics.NodeMetrics;
import io.tessera.master.cluster.ClusterView;
import io.tessera.master.console.ConsoleRoutes;
import io.tessera.master.console.MasterConsole;
import io.tessera.master.demo.DemoRoutes;
import io.tessera.master.demo.DemoTokens;
import io.tessera.master.fencing.Fencing;
import io.tessera.master.fencing.ServingGate;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.placement.MediaFailover;
import io.tessera.master.placement.MediaNodeRegistry;
import io.tessera.master.placement.MediaNodes;
import io.tessera.master.placement.PlacementMeters;
import io.tessera.master.placement.PlacementPolicy;
import io.tessera.master.rebuild.RebuildGate;
import io.tessera.master.rebuild.RebuildSettings;
import io.tessera.master.rebuild.RoutingRebuild;
import io.tessera.master.rest.RestApi;
import io.tessera.master.rest.RestMeters;
import io.tessera.master.routing.RoutingMeters;
import io.tessera.master.routing.RoutingObserver;
import io.tessera.master.routing.RoutingTable;
import io.tessera.master.session.SessionNoticeListener;
import io.tessera.master.session.LiveMedia;
import io.tessera.master.session.SessionService;
import io.tessera.master.session.Tokens;
import io.tessera.master.signalling.ClientConnection;
import io.tessera.wire.jsonrpc.OpenViduResult;
import io.tessera.master.signalling.RelocationRelay;
import io.tessera.master.signalling.SignallingMeters;
import io.tessera.master.signalling.SignallingRoute;
import io.tessera.master.signalling.SignallingSettings;
import io.tessera.master.webhook.WebhookMeters;
import io.tessera.master.webhook.Webhooks;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.server.Directives;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Starts a master: routing table, media node registry, REST API and WebSocket signalling on one HTTP port. */
public final class MasterMain {
    private static final Logger log = LoggerFactory.getLogger(MasterMain.class);
    /**
     * How long a shutting-down master waits for its clients' sockets to close after telling them to move: a connection
     * stops at most 2 s after it was told (its close grace), and the phase's own timeout is Pekko's default 5 s.
     */
    private static final Duration CLIENTS_MOVE_WITHIN = Duration.ofSeconds(3);

    private MasterMain() {
    }

    public static void main(String[] args) {
        NodeLauncher.launch("master", "tessera master", 2551, 4443, MasterMain::publicUrl, MasterMain::start);
    }

    /**
     * The base URL put into tokens: {@code tessera.master.public-url}, or this node's own HTTP address. With TLS on,
     * a plain http/ws URL would send clients to a port that only speaks TLS: refused as a bad setting.
     */
    static String publicUrl(NodeSettings settings) {
        String configured = settings.config.getString("tessera.master.public-url").trim();
        if (configured.isEmpty()) {
            return settings.httpTls.scheme() + "://" + settings.httpHost + ":" + settings.httpPort;
        }
        if (settings.httpTls.enabled() && (configured.startsWith("http://") || configured.startsWith("ws://"))) {
            throw new IllegalArgumentException("TESSERA_PUBLIC_URL is " + configured + " but TLS is on"
                    + " (TESSERA_TLS): use https:// or wss://");
        }
        new Tokens(configured); // refuses a URL that is neither http(s) nor ws(s)
        return configured;
    }

    private static void start(NodeSettings settings) {
        Config master = settings.config.getConfig("tessera.master");
        // A bad webhook URL, event name or header fails the start, before the node joins the cluster.
        Webhooks webhooks = Webhooks.fromConfig(master.getConfig("webhook"));
        NodeMetrics metrics = NodeMetrics.create("master", settings.nodeId);
        WebhookMeters.bind(metrics.registry(), webhooks);
        PlacementMeters placementMeters = new PlacementMeters(metrics.registry());
        MediaNodes mediaNodes = new MediaNodes(master.getDuration("placement.report-timeout").toMillis());
        ActorSystem<Void> system = ActorSystem.create(guardian(mediaNodes), NodeSettings.SYSTEM_NAME, settings.config);
        // Before anything serves: REST, readiness and signalling all consult this one gate.
        ServingGate gate = Fencing.start(system, metrics.registry());
        ClusterFormation.start(system);
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "webhooks-close",
                () -> CompletableFuture.runAsync(webhooks::close).thenApply(v -> Done.getInstance()));

        RoutingMeters routingMeters = new RoutingMeters(metrics.registry());
        RoutingTable routing = new RoutingTable(system, master.getDuration("routing.read-timeout"),
                master.getDuration("routing.write-timeout"), routingMeters);
        routing.answerAndAskPeers(master.getDuration("routing.peer-lookup.timeout"),
                master.getDuration("routing.peer-lookup.quiet"));
        // Counts and convergence times for /metrics, from Replicator subscriptions (never on a request's path).
        RoutingObserver observer = new RoutingObserver(routing, routingMeters);
        system.systemActorOf(observer.behavior(), "routing-observer", org.apache.pekko.actor.typed.Props.empty());
        placementMeters.bindPlan(mediaNodes, observer::sessions, master.getInt("ha.failures-to-tolerate"));
        String publicUrl = publicUrl(settings);
        Duration askTimeout = master.getDuration("ask-timeout");
        PlacementPolicy placement = new PlacementPolicy(master.getDuration("placement.recent-window").toMillis());
        // The one client through which this master asks media nodes (signalling, REST, failover).
        MediaNodeClient mediaNodeClient = new MediaNodeClient(system, askTimeout);
        // Not ready, and no REST or WebSocket, until the routing table holds what the media nodes host (after every
        // master was lost it is empty); bounded by rebuild.timeout. The failover waits for it too, and stays off after
        // a rebuild that failed, until one succeeds (the table may lack sessions of the node it would fail over); and
        // meanwhile what the table lacks is answered 503, not 404 (it may exist on a media node).
        RebuildGate rebuilt = new RebuildGate().bind(metrics.registry());
        SessionService sessions = new SessionService(system, routing, mediaNodes,
                placement,
                new Tokens(publicUrl), master.getDuration("token-ttl"), mediaNodeClient, placementMeters,
                rebuilt::routesComplete);
        system.systemActorOf(SessionNoticeListener.create(routing, webhooks,
                master.getDuration("routing.notice-backstop")), "session-notice-listener",
                org.apache.pekko.actor.typed.Props.empty());

        // One failover coordinator per cluster, on the oldest master: a failed media node's sessions are placed once.
        ActorRef<MediaFailover.Command> failover = ClusterSingleton.get(system).init(SingletonActor.of(
                MediaFailover.create(routing, mediaNodes, placement, mediaNodeClient, master.getInt("ha.failures-to-tolerate"),
                        webhooks, placementMeters, master.getInt("ha.placements-in-flight"), rebuilt::routesComplete),
                "media-failover")
                .withSettings(ClusterSingletonSettings.create(system).withRole("master")));
        system.systemActorOf(RoutingRebuild.create(routing, mediaNodes, mediaNodeClient, rebuilt,
                        RebuildSettings.from(master.getConfig("rebuild"))),
                "routing-rebuild", org.apache.pekko.actor.typed.Props.empty());
        ActorRef<RelocationRelay.Command> relay = system.systemActorOf(RelocationRelay.create(),
                "session-relocation-relay", org.apache.pekko.actor.typed.Props.empty());

        Config ws = master.getConfig("websocket");
        SignallingRoute signalling = new SignallingRoute(system, sessions,
                new SignallingRoute.Limits(ws.getInt("max-connections"), ws.getInt("max-message-bytes"),
                        ws.getInt("messages-per-second"), ws.getInt("outbound-buffer"),
                        ws.getBytes("outbound-buffer-bytes")),
                new SignallingSettings(ws.getInt("max-metadata-length"), ws.getInt("max-message-bytes"),
                        ws.getDuration("client-silence-timeout"), ws.getInt("messages-per-second"),
                        OpenViduResult.IceServer.parseList(ws.getString("ice-servers")),
                        ws.getDuration("reconnect-stream-hold")), relay,
                new SignallingMeters(metrics.registry()), gate);
        // A master that fences itself sends its clients on at once: it cannot reach their sessions' majority side.
        gate.onClose(reason -> {
            if (reason == ServingGate.Reason.ISOLATED) {
                int told = signalling.tellClientsToMove(ClientConnection.MasterLeaving.FENCED);
                log.warn("fenced: told {} WebSocket client(s) to resume through another master", told);
            }
        });
        // Before the HTTP port unbinds: clients move now (and resume elsewhere) instead of when the process is gone.
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "tell-clients-to-move",
                () -> signalling.moveClients(ClientConnection.MasterLeaving.SHUTDOWN, CLIENTS_MOVE_WITHIN)
                        .thenApply(moved -> {
                            log.info("shutting down: told {} WebSocket client(s) to resume through another master;"
                                    + " {} closed their socket within {}", moved.told(), moved.closed(),
                                    CLIENTS_MOVE_WITHIN);
                            return Done.getInstance();
                        }));
        RestApi rest = new RestApi(sessions, new ClusterView(system, settings.nodeId, mediaNodes, routing,
                master.getInt("ha.failures-to-tolerate"), signalling::openConnections), settings.secret(), failover, webhooks,
                new LiveMedia(mediaNodes, mediaNodeClient, master.getDuration("media-view-timeout")), gate);

        ConsoleRoutes console = MasterConsole.start(system, master.getConfig("console"), settings.nodeId, publicUrl,
                settings.secret(), mediaNodes, observer::sessionShards, askTimeout);

        // The demo page is always served; its token endpoint only with TESSERA_DEMO=on (insecure, demo only).
        boolean demoTokens = master.getBoolean("demo.enabled");
        DemoRoutes demo = new DemoRoutes(demoTokens, DemoTokens.through(sessions));
        if (demoTokens) {
            log.warn("TESSERA_DEMO is on: POST /demo/api/token gives anyone who reaches this master a token for any"
                    + " session; for demos on a trusted network only");
        }

        settings.httpTls.apply(Http.get(system).newServerAt(settings.httpHost, settings.httpPort))
                // The console and the demo page first: the REST route answers 404 for any path it does not know.
                .bind(console.withCors(Directives.concat(console.route(), demo.route(),
                        new HealthRoutes(system, () -> gate.refusal().or(rebuilt::refusal)).routes(),
                        new MetricsRoutes(system, metrics).routes(), rebuilt.guard(signalling.route()),
                        new RestMeters(metrics.registry()).counted(rebuilt.guard(rest.route())))))
                .whenComplete((binding, error) -> {
                    if (error != null) {
                        log.error("cannot bind {}:{}: {}", settings.httpHost, settings.httpPort, error.getMessage());
                        system.terminate();
                    } else {
                        log.info("master {} serving REST and WebSocket on {}://{}:{} (tokens name {})",
                                settings.nodeId, settings.httpTls.scheme(), settings.httpHost, settings.httpPort,
                                publicUrl);
                    }
                });
    }

    static Behavior<Void> guardian(MediaNodes mediaNodes) {
        return Behaviors.setup(ctx -> {
            ctx.spawn(MediaNodeRegistry.create(mediaNodes), "media-node-registry");
            return Behaviors.empty();
        });
    }
}
