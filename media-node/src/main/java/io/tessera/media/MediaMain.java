package io.tessera.media;

import io.tessera.common.cluster.ClusterFormation;
import io.tessera.common.cluster.MasterQuorum;
import io.tessera.common.config.NodeLauncher;
import io.tessera.common.config.NodeSettings;
import io.tessera.common.health.HealthRoutes;
import io.tessera.common.metrics.MetricsRoutes;
import io.tessera.common.metrics.NodeMetrics;
import io.tessera.common.protocol.ClusterTopics;
import io.tessera.common.protocol.ClusterTopics.LoadReport;
import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.ClusterTopics.SessionNotices;
import io.tessera.media.engine.MediaEngineMeters;
import io.tessera.media.fencing.MediaFence;
import io.tessera.media.fencing.MediaFenceMeters;
import io.tessera.media.fencing.MediaFencingMonitor;
import io.tessera.media.load.LoadReporter;
import io.tessera.media.rtp.PlainRtpEngine;
import io.tessera.media.sentinel.ProcessSentinel;
import io.tessera.media.session.GraceWindow;
import io.tessera.media.session.NoticeBatcher;
import io.tessera.media.session.Session;
import io.tessera.media.session.SessionManager;
import io.tessera.media.session.SessionMeters;
import io.tessera.media.webrtc.IceAllowList;
import io.tessera.media.webrtc.WebRtcEngine;
import io.tessera.media.webrtc.WebRtcMeters;
import io.tessera.media.webrtc.janus.JanusEngine;
import io.tessera.media.webrtc.janus.JanusSettings;
import io.tessera.media.webrtc.janus.JanusWorkDir;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import io.tessera.common.cluster.ClusterFanout;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.server.Directives;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/** Starts a media node: media engine, session manager, load reporter and the health endpoints. */
public final class MediaMain {
    private static final Logger log = LoggerFactory.getLogger(MediaMain.class);

    private MediaMain() {
    }

    public static void main(String[] args) {
        NodeLauncher.launch("media", "tessera media node", 2651, 4500, MediaMain::start);
    }

    private static void start(NodeSettings settings) {
        NodeMetrics metrics = NodeMetrics.create("media", settings.nodeId);
        ActorSystem<Void> system = ActorSystem.create(guardian(settings, metrics), NodeSettings.SYSTEM_NAME,
                settings.config);
        ClusterFormation.start(system);
        settings.httpTls.apply(Http.get(system).newServerAt(settings.httpHost, settings.httpPort))
                .bind(Directives.concat(new HealthRoutes(system).routes(), new MetricsRoutes(system, metrics).routes()))
                .whenComplete((binding, error) -> {
                    if (error != null) {
                        log.error("cannot bind health endpoints on {}:{}: {}", settings.httpHost, settings.httpPort,
                                error.getMessage());
                        system.terminate();
                    } else {
                        log.info("media node {} health and metrics endpoints on {}://{}:{}", settings.nodeId,
                                settings.httpTls.scheme(), settings.httpHost, settings.httpPort);
                    }
                });
    }

    /** Whether this node sees a master that is Up and reachable: one a detached participant can resume through soon. */
    private static boolean aMasterIsUp(ActorSystem<?> system) {
        var state = org.apache.pekko.cluster.typed.Cluster.get(system).state();
        java.util.Set<org.apache.pekko.cluster.Member> unreachable = state.getUnreachable();
        for (org.apache.pekko.cluster.Member m : state.getMembers()) {
            if (m.hasRole(MasterQuorum.MASTER_ROLE) && m.status() == org.apache.pekko.cluster.MemberStatus.up()
                    && !unreachable.contains(m)) {
                return true;
            }
        }
        return false;
    }

    static Behavior<Void> guardian(NodeSettings settings, NodeMetrics metrics) {
        return Behaviors.setup(ctx -> {
            var media = settings.config.getConfig("tessera.media");
            String publicAddress = media.getString("public-address").isBlank()
                    ? settings.host : media.getString("public-address");
            Session.Settings sessionSettings = new Session.Settings(settings.nodeId,
                    media.getInt("max-participants-per-session"), new GraceWindow(media.getDuration("grace-window"),
                            media.getDuration("masterless-grace-window"), () -> aMasterIsUp(ctx.getSystem())),
                    media.getInt("replay-buffer"), media.getDuration("webrtc.publisher-up-timeout"));
            ActorRef<ClusterFanout.Command<SessionNotices>> noticeTopic =
                    ctx.spawn(ClusterFanout.create(SessionNotices.class, ClusterTopics.SESSION_NOTICES), "session-notices");
            // Sessions only know where notices go; batching and publishing them cluster-wide is decided here.
            ActorRef<SessionNotice> notices = NoticeBatcher.spawn(ctx, noticeTopic,
                    media.getDuration("notice-batch-window"), "session-notice-batcher");
            ActorRef<ClusterFanout.Command<LoadReport>> loadTopic =
                    ctx.spawn(ClusterFanout.create(LoadReport.class, ClusterTopics.MEDIA_LOAD), "media-load");
            PlainRtpEngine engine = startEngine(media, settings.host, publicAddress);
            ctx.getSystem().getWhenTerminated().thenRun(engine::close);
            MediaEngineMeters.bind(metrics.registry(), engine, engine.portPairCapacity() * 2);
            WebRtcEngine webrtc = startWebRtcEngine(media.getString("webrtc.engine"));
            if (webrtc != null) {
                ctx.getSystem().getWhenTerminated().thenRun(webrtc::close);
                WebRtcMeters.bind(metrics.registry(), webrtc);
            }
            MediaFence fence = new MediaFence();
            engine.forwardOnlyWhileOpen(fence);
            if (webrtc != null) {
                webrtc.forwardOnlyWhileOpen(fence);
            }
            MediaFenceMeters.bind(metrics.registry(), fence);
            ctx.spawn(MediaFencingMonitor.create(fence, MediaFencingMonitor.Settings.fromConfig(settings.config)),
                    "fencing");
            ActorRef<SessionManager.Command> manager = ctx.spawn(SessionManager.create(sessionSettings, media.getInt("max-sessions"),
                    notices, engine, webrtc, new SessionMeters(metrics.registry()), fence), "sessions");
            Duration interval = settings.config.getDuration("tessera.load-report-interval");
            ProcessSentinel sentinel = startSentinel(ctx.getSystem(), settings.host, media.getInt("sentinel-port"));
            ctx.spawn(LoadReporter.create(settings.nodeId, publicAddress, manager, loadTopic, interval, engine,
                    media.getInt("max-sessions"), sentinel == null ? () -> 0 : sentinel::port), "load-reporter");
            ctx.getLog().info("media node {} started, public address {}, media engines {}{}", settings.nodeId,
                    publicAddress, engine.name(), webrtc == null ? "" : " and " + webrtc.name());
            return Behaviors.empty();
        });
    }

    /** The process sentinel on the cluster host ({@code sentinel-port}: 0 any free port, -1 none). */
    private static ProcessSentinel startSentinel(ActorSystem<?> system, String host, int port) {
        if (port < 0) {
            return null;
        }
        var self = org.apache.pekko.cluster.typed.Cluster.get(system).selfMember().uniqueAddress();
        return ProcessSentinel.start(system, host, port, self.address().toString(), self.longUid());
    }

    /**
     * The WebRTC engine {@code TESSERA_WEBRTC_ENGINE} names: {@code janus} starts a supervised Janus (settings from
     * {@code TESSERA_JANUS_*}, {@code TESSERA_WEBRTC_PORT_MIN/MAX}, {@code TESSERA_PUBLIC_ADDRESS}; remote candidates
     * filtered by {@code TESSERA_ICE_ALLOW}); empty or {@code none}: no WebRTC engine.
     */
    private static WebRtcEngine startWebRtcEngine(String name) {
        String engine = name.trim().toLowerCase(java.util.Locale.ROOT);
        if (engine.isEmpty() || engine.equals("none")) {
            return null;
        }
        if (!engine.equals("janus")) {
            throw new IllegalArgumentException("TESSERA_WEBRTC_ENGINE must be 'janus' or 'none', not '" + name + "'");
        }
        try {
            Path workDir = JanusWorkDir.prepare(JanusWorkDir.of(System.getenv(),
                    Path.of(System.getProperty("java.io.tmpdir"))));
            return JanusEngine.start(JanusSettings.fromEnvironment(System.getenv(), workDir),
                    IceAllowList.fromEnvironment(System.getenv()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the WebRTC engine (Janus)", e);
        }
    }

    private static PlainRtpEngine startEngine(com.typesafe.config.Config media, String host, String publicAddress) {
        try {
            return new PlainRtpEngine(PlainRtpEngine.Settings.fromConfig(media.getConfig("rtp"), host, publicAddress));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the media engine", e);
        }
    }
}
