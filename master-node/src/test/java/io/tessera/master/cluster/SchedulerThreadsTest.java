package io.tessera.master.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A master runs one scheduler thread, ticking every 50 ms (tessera-master.conf; docs/BENCHMARKS.md "The masters'
 * scheduler tick"). Pekko Cluster starts a second one, at its own 33 ms, whenever the system's tick is longer than
 * {@code pekko.cluster.scheduler.tick-duration}: this member, started from the masters' configuration and Up, must
 * have none.
 */
class SchedulerThreadsTest {
    private static final String NAME = "master-ticks-test";
    private ActorSystem<Void> system;

    @AfterEach
    void stop() {
        if (system != null) {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
        }
    }

    @Test
    void aMasterHasOneSchedulerThreadAtFiftyMilliseconds() {
        Config config = ConfigFactory.parseString("""
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.seed-nodes = []
                pekko.cluster.downing-provider-class = ""
                pekko.coordinated-shutdown.exit-jvm = off
                """).withFallback(ConfigFactory.load("tessera-master"));
        assertEquals(Duration.ofMillis(50), config.getDuration("pekko.scheduler.tick-duration"));
        system = ActorSystem.create(Behaviors.empty(), NAME, config);
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.selfMember().status() == MemberStatus.up());

        List<String> schedulers = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith(NAME + "-") && name.matches(".*scheduler-\\d+")).sorted().toList();
        assertEquals(1, schedulers.size(), "scheduler threads: " + schedulers);
    }
}
