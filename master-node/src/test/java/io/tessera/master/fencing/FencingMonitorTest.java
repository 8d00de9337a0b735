package io.tessera.master.fencing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.master.fencing.ServingGate.Reason;
import java.time.Duration;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real one-node cluster: the gate follows the member's own events. */
class FencingMonitorTest {
    private ActorTestKit testKit;

    private ServingGate start() {
        return start("tessera.master.fencing { self-fence-after = auto, check-interval = 100ms }");
    }

    private ServingGate start(String fencing) {
        testKit = ActorTestKit.create(ConfigFactory.parseString(fencing).withFallback(ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.enabled = off
                tessera.cluster.downing.stable-after = 7s
                pekko.coordinated-shutdown.exit-jvm = off
                """)).withFallback(ConfigFactory.load()));
        return Fencing.start(testKit.system(), new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        if (testKit != null) {
            testKit.shutdownTestKit();
        }
    }

    @Test
    void opensWhenUpStaysOpenAloneAndClosesTheMomentItIsDowned() {
        ServingGate gate = start();
        assertEquals(Set.of(Reason.JOINING), gate.reasons());
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        await().atMost(Duration.ofSeconds(20)).until(gate::serving);

        // Alone, it is its own majority: the lease keeps being renewed well past self-fence-after.
        await("a one-member cluster never fences itself").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(gate::serving);

        cluster.manager().tell(new Down(cluster.selfMember().address()));
        await().atMost(Duration.ofSeconds(10)).until(() -> !gate.serving());
        assertTrue(gate.reasons().contains(Reason.DOWNED) || gate.reasons().contains(Reason.LEAVING),
                gate.reasons().toString());
        assertFalse(gate.refusal().isEmpty());
    }

    /**
     * A lease that runs out between two checks (here the checks come every 2 s and a lease lasts 300 ms; in production
     * a pool too busy to run the check) refuses requests without the monitor closing the gate: the line it logs when
     * it serves again is the only trace of those 503s in the log.
     */
    @Test
    void aLeaseThatRunsOutBetweenChecksRefusesAndSaysSoWhenItServesAgain() {
        ServingGate gate = start("tessera.master.fencing { self-fence-after = 300ms, check-interval = 2s }");
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        await().atMost(Duration.ofSeconds(20)).until(gate::serving);
        await("the lease runs out before the next check").atMost(Duration.ofSeconds(3)).until(() -> !gate.serving());
        assertTrue(gate.refusal().orElseThrow().contains("lost contact with the majority"), gate.refusal().toString());
        assertEquals(Set.of(), gate.reasons(), "the gate itself was never closed");
        LoggingTestKit.warn("serving again: the lease ran out").expect(testKit.system(), () -> {
            await().atMost(Duration.ofSeconds(10)).until(gate::serving);
            return null;
        });
    }
}
