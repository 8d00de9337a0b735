package io.tessera.media.session;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.media.rtp.PlainRtpEngine;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

import java.io.IOException;
import java.time.Duration;

/**
 * Test fixture: one {@link Session} actor, {@code s1}, on a real plain-RTP engine (loopback, ports 44000-44999), with
 * its own meter registry; its manager and the session notices go to probes nobody reads. Tests of a session's own
 * rules (attachment fencing, held subscriptions) talk to it as a node's manager does: {@link #forward}. One per test;
 * {@link #close} stops the session and frees the engine's ports.
 */
final class PlainRtpSession implements AutoCloseable {

    /** The session's id, which the tests name in their commands. */
    static final String SESSION_ID = "s1";

    /** A local actor system with the media node's configuration (no cluster, no JVM exit on shutdown). */
    static ActorTestKit testKit(String name) {
        return ActorTestKit.create(name, ConfigFactory
                .parseString("pekko.actor.provider = local\npekko.coordinated-shutdown.exit-jvm = off")
                .withFallback(ConfigFactory.load("tessera-media")));
    }

    private final ActorTestKit kit;
    private final PlainRtpEngine engine;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ActorRef<Session.Message> session;

    PlainRtpSession(ActorTestKit kit, Session.Settings settings) throws IOException {
        this.kit = kit;
        this.engine = new PlainRtpEngine(new PlainRtpEngine.Settings("127.0.0.1", "127.0.0.1", 44000, 44999, 1, 65536,
                64, Duration.ofMillis(200)));
        TestProbe<Session.Changed> manager = kit.createTestProbe();
        TestProbe<SessionNotice> notices = kit.createTestProbe();
        this.session = kit.spawn(Session.create(SESSION_ID, settings, manager.getRef(), notices.getRef(), engine,
                new SessionMeters(registry)));
    }

    /** A command as the node's manager hands it to the session. */
    void forward(MediaNodeProtocol.Command command) {
        session.tell(new Session.Forwarded(command));
    }

    PlainRtpEngine engine() {
        return engine;
    }

    SimpleMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        kit.stop(session);
        engine.close();
    }
}
