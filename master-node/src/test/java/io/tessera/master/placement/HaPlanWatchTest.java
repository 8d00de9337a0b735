package io.tessera.master.placement;

import com.typesafe.config.ConfigFactory;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.master.routing.InMemoryRoutes;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.webhook.WebhookSettings;
import io.tessera.master.webhook.WebhookTestServer;
import io.tessera.master.webhook.Webhooks;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HA plan's alert for a pool that shrank on purpose, with the plan's real 5 s checks: a drained node whose own
 * report still says {@code running} at the next check, and which stops at the one after, is a planned departure
 * (WebhookContractTest once saw an alert there); once back in service, its loss alerts again.
 */
class HaPlanWatchTest {
    private ActorTestKit testKit;
    private WebhookTestServer receiver;
    private Webhooks webhooks;

    @BeforeEach
    void start() throws Exception {
        testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.loglevel = WARNING"));
        receiver = new WebhookTestServer();
        webhooks = Webhooks.create(WebhookSettings.defaults(List.of(URI.create(receiver.url()))));
    }

    @AfterEach
    void stop() {
        webhooks.close();
        receiver.close();
        testKit.shutdownTestKit();
    }

    @Test
    void aNodeDrainedBeforeItsReportSaysSoAndThenStoppedRaisesNoAlert() throws Exception {
        TestProbe<MediaNodeProtocol.Command> manager = testKit.createTestProbe();
        ActorRef<MediaNodeProtocol.Command> ref = manager.getRef();
        // Two protected sessions, one on each node, each node with room for two: one failure is survivable, and
        // with one node left it is not (overcommitted).
        TestMediaNodes nodes = new TestMediaNodes()
                .report("media-1", ref, "running", 1, 2)
                .report("media-2", ref, "running", 1, 2);
        InMemoryRoutes routes = new InMemoryRoutes();
        routes.createSession(protectedOn("s1", "media-1"));
        routes.createSession(protectedOn("s2", "media-2"));
        ActorRef<HaPlanWatch.Command> watch = testKit.spawn(HaPlanWatch.create(routes, nodes.view(), 1, webhooks));

        Duration check = HaPlanWatch.EVERY.plusSeconds(1);
        noAlertFor("a first check of the whole pool", check);
        // The operator drains media-1; its report still says running at the next check (the master's view lags).
        watch.tell(new HaPlanWatch.Departed("media-1", "draining"));
        noAlertFor("a check with the drained media-1 still in the plan", check);
        // Then it stops: the cluster loses it before the master hears it left. The check after that sees the pool
        // shrink, on purpose: no alert.
        nodes.unreachable("media-1");
        noAlertFor("a check without the stopped media-1", check);

        // It comes back into service, and a later loss of it is an accident: that one alerts (the checks did run).
        backThenLostAlerts(nodes, ref, 1, 2, check);
    }

    @Test
    void aDrainWhoseSessionsMoveAtItsDeadlineRaisesNoAlert() throws Exception {
        // CI's timeline (WebhookContractTest, stop 47): both protected sessions on media-1, media-2 empty with room
        // for one failure's worth. The drain shows in a check while its sessions are still on media-1; they move to
        // media-2 at the deadline, and only after that does the plan see media-2 full of protected sessions. That
        // check once alerted, with no node gone since the one before.
        TestProbe<MediaNodeProtocol.Command> manager = testKit.createTestProbe();
        ActorRef<MediaNodeProtocol.Command> ref = manager.getRef();
        TestMediaNodes nodes = new TestMediaNodes()
                .report("media-1", ref, "running", 2, 3)
                .report("media-2", ref, "running", 0, 3);
        InMemoryRoutes routes = new InMemoryRoutes();
        routes.createSession(protectedOn("s1", "media-1"));
        routes.createSession(protectedOn("s2", "media-1"));
        Duration every = Duration.ofMillis(500);
        ActorRef<HaPlanWatch.Command> watch = testKit.spawn(HaPlanWatch.create(routes, nodes.view(), 1, webhooks, every));
        Duration check = every.multipliedBy(3);

        noAlertFor("a first check of the whole pool", check);
        watch.tell(new HaPlanWatch.Departed("media-1", "draining"));
        nodes.report("media-1", ref, "draining", 2, 3);
        noAlertFor("checks of the drain, its sessions still on media-1", check);
        routes.relocateSession("s1", "media-1", "media-2");
        routes.relocateSession("s2", "media-1", "media-2");
        nodes.report("media-2", ref, "running", 2, 3).report("media-1", ref, "draining", 0, 3);
        noAlertFor("checks after the deadline's moves", check);
        nodes.unreachable("media-1");
        noAlertFor("checks after the drained node stopped", check);

        // The checks ran: media-1 back in service and then lost is an accident, and alerts.
        backThenLostAlerts(nodes, ref, 0, 3, check);
    }

    /** media-1 back in service for a check, then lost without a drain: the one alert of the test. */
    private void backThenLostAlerts(TestMediaNodes nodes, ActorRef<MediaNodeProtocol.Command> ref, int sessions,
                                    int capacity, Duration check) {
        nodes.report("media-1", ref, "running", sessions, capacity);
        noAlertFor("checks with media-1 back", check);
        nodes.unreachable("media-1");
        await("haOvercommitted for the unplanned loss").atMost(check.plusSeconds(5))
                .until(() -> receiver.requests().size() == 1);
        assertTrue(receiver.requests().get(0).body().contains("\"haOvercommitted\""), receiver.requests().get(0).body());
    }

    /** No webhook for a whole {@code check} (a check of the plan's, and a margin). */
    private void noAlertFor(String what, Duration check) {
        await(what).during(check).atMost(check.plusSeconds(1)).until(() -> receiver.requests().isEmpty());
    }

    private static SessionRecord protectedOn(String sessionId, String nodeId) {
        return new SessionRecord(sessionId, 1, nodeId, 1, "protected", sessionId, "ROUTED", "MANUAL", "VP8", false,
                null);
    }
}
