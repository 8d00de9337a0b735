package io.tessera.master.console;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import io.tessera.common.cluster.ClusterFanout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MasterDirectoryTest {
    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void lists_masters_heard_lately_and_keeps_trusting_the_origin_of_one_that_went_quiet() {
        AtomicLong now = new AtomicLong(1_000_000);
        MasterDirectory directory = new MasterDirectory("master-1", "http://10.0.0.1:4443/", Duration.ofSeconds(2),
                now::get);
        testKit.spawn(directory.behavior(Duration.ofSeconds(2)));
        ActorRef<ClusterFanout.Command<MasterDirectory.Announcement>> topic =
                testKit.spawn(ClusterFanout.create(MasterDirectory.Announcement.class, MasterDirectory.TOPIC));
        // Topics find each other through the receptionist, a moment after they start: announce until heard.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            topic.tell(ClusterFanout.publish(new MasterDirectory.Announcement("master-2", "http://10.0.0.2:4443")));
            assertEquals(Map.of("master-1", "http://10.0.0.1:4443", "master-2", "http://10.0.0.2:4443"),
                    directory.masters());
        });

        assertTrue(directory.isMasterOrigin("http://10.0.0.2:4443"));
        assertTrue(directory.isMasterOrigin("http://10.0.0.1:4443"));
        assertFalse(directory.isMasterOrigin("http://evil.example:4443"));
        assertFalse(directory.isMasterOrigin("http://10.0.0.2:4444"));

        now.addAndGet(7_000); // three intervals without a word from master-2
        assertEquals(Map.of("master-1", "http://10.0.0.1:4443"), directory.masters());
        assertTrue(directory.isMasterOrigin("http://10.0.0.2:4443"),
                "consoles loaded from a dead master must keep working through this one");
    }
}
