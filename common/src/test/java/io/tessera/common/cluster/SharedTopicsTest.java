package io.tessera.common.cluster;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Two subscribers on one node through {@link SharedTopics} are one topic instance to a publisher: a publish sends
 * one message per fan-out instance (a remote message when the instance is on another node), so the
 * publisher's count of instances is the number of messages each publish costs.
 */
class SharedTopicsTest {
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void twoSubscribersShareOneTopicInstanceAndEachGetsEveryMessageOnce() {
        SharedTopics topics = SharedTopics.get(testKit.system());
        ActorRef<ClusterFanout.Command<String>> first = topics.topic(String.class, "shared-topics-test");
        ActorRef<ClusterFanout.Command<String>> second = topics.topic(String.class, "shared-topics-test");
        assertSame(first, second);

        TestProbe<String> listener = testKit.createTestProbe();
        TestProbe<String> singleton = testKit.createTestProbe();
        first.tell(ClusterFanout.subscribe(listener.getRef()));
        second.tell(ClusterFanout.subscribe(singleton.getRef()));
        // A publisher elsewhere: its own topic actor, as a media node has.
        ActorRef<ClusterFanout.Command<String>> publisher = testKit.spawn(ClusterFanout.create(String.class, "shared-topics-test"));
        TestProbe<ClusterFanout.Stats> stats = testKit.createTestProbe();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            publisher.tell(ClusterFanout.getStats(stats.getRef()));
            return stats.receiveMessage().instances() == 1;
        });
        first.tell(ClusterFanout.getStats(stats.getRef()));
        assertEquals(2, stats.receiveMessage().localSubscribers());

        publisher.tell(ClusterFanout.publish("activated"));
        assertEquals("activated", listener.receiveMessage());
        assertEquals("activated", singleton.receiveMessage());
        listener.expectNoMessage(Duration.ofMillis(200));
        singleton.expectNoMessage(Duration.ZERO);
    }

    @Test
    void aNameCarriesOneType() {
        SharedTopics topics = SharedTopics.get(testKit.system());
        topics.topic(String.class, "shared-topics-typed");
        assertThrows(IllegalArgumentException.class, () -> topics.topic(Integer.class, "shared-topics-typed"));
    }
}
