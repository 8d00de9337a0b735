package io.tessera.common.cluster;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
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
 * one {@code MessagePublished} per topic instance (a remote message when the instance is on another node), so the
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
        ActorRef<Topic.Command<String>> first = topics.topic(String.class, "shared-topics-test");
        ActorRef<Topic.Command<String>> second = topics.topic(String.class, "shared-topics-test");
        assertSame(first, second);

        TestProbe<String> listener = testKit.createTestProbe();
        TestProbe<String> singleton = testKit.createTestProbe();
        first.tell(Topic.subscribe(listener.getRef()));
        second.tell(Topic.subscribe(singleton.getRef()));
        // A publisher elsewhere: its own topic actor, as a media node has.
        ActorRef<Topic.Command<String>> publisher = testKit.spawn(Topic.create(String.class, "shared-topics-test"));
        TestProbe<Topic.TopicStats> stats = testKit.createTestProbe();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            publisher.tell(Topic.getTopicStats(stats.getRef()));
            return stats.receiveMessage().topicInstanceCount() == 1;
        });
        first.tell(Topic.getTopicStats(stats.getRef()));
        assertEquals(2, stats.receiveMessage().localSubscriberCount());

        publisher.tell(Topic.publish("activated"));
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
