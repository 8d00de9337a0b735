package io.tessera.media.session;

import com.typesafe.config.ConfigFactory;
import io.tessera.common.cluster.ClusterFanout;
import io.tessera.common.protocol.ClusterTopics.ParticipantActivated;
import io.tessera.common.protocol.ClusterTopics.ParticipantRemoved;
import io.tessera.common.protocol.ClusterTopics.SessionEnded;
import io.tessera.common.protocol.ClusterTopics.SessionNotice;
import io.tessera.common.protocol.ClusterTopics.SessionNotices;
import io.tessera.common.protocol.ClusterTopics.StreamChanged;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Notices leave a media node in batches: in order, bounded in count and size, and readable by the masters. */
class NoticeBatcherTest {
    private static final ActorTestKit kit = ActorTestKit.create("NoticeBatcherTest", ConfigFactory.parseString(
            "pekko.actor.serialization-bindings {\"io.tessera.common.protocol.ClusterSerializable\" = jackson-cbor}")
            .withFallback(ConfigFactory.load()));
    private static final Duration LONG_WINDOW = Duration.ofHours(1);
    private static int topics;

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    /** A topic on this node only (no cluster), with {@code subscriber} on it: what it is sent is what it gets. */
    private static ActorRef<ClusterFanout.Command<SessionNotices>> topicTo(TestProbe<SessionNotices> subscriber) {
        ActorRef<ClusterFanout.Command<SessionNotices>> topic = kit.spawn(
                ClusterFanout.create(SessionNotices.class, "notices-" + ++topics));
        topic.tell(ClusterFanout.subscribe(subscriber.getRef()));
        return topic;
    }

    private static ParticipantActivated joined(int i, String metadata) {
        return new ParticipantActivated("ses_" + i, "con_" + i, 1_000L + i, metadata, "Chrome", "media-1", null, null);
    }

    @Test
    void noticesWithinOneWindowLeaveAsOneBatchInTheOrderGiven() {
        TestProbe<SessionNotices> masters = kit.createTestProbe();
        ActorRef<NoticeBatcher.Command> batcher = kit.spawn(NoticeBatcher.create(topicTo(masters),
                Duration.ofMillis(500)));
        List<SessionNotice> given = List.of(joined(1, "{}"), new ParticipantRemoved("ses_1", "con_1", "disconnect"),
                new SessionEnded("ses_1", "lastParticipantLeft"));
        given.forEach(n -> batcher.tell(new NoticeBatcher.Notice(n)));

        assertEquals(given, masters.expectMessageClass(SessionNotices.class, Duration.ofSeconds(10)).notices());
        masters.expectNoMessage(Duration.ofMillis(700));
        // The window opens again with the next notice.
        batcher.tell(new NoticeBatcher.Notice(joined(2, "")));
        assertEquals(List.of(joined(2, "")), masters.expectMessageClass(SessionNotices.class, Duration.ofSeconds(10))
                .notices());
    }

    @Test
    void aFullBatchLeavesAtOnceAndTheNextWaitsForItsWindow() {
        TestProbe<SessionNotices> masters = kit.createTestProbe();
        ActorRef<NoticeBatcher.Command> batcher = kit.spawn(NoticeBatcher.create(topicTo(masters), LONG_WINDOW));
        List<SessionNotice> given = new ArrayList<>();
        IntStream.range(0, SessionNotices.MAX_NOTICES + 1).forEach(i -> given.add(joined(i, "")));
        given.forEach(n -> batcher.tell(new NoticeBatcher.Notice(n)));

        assertEquals(given.subList(0, SessionNotices.MAX_NOTICES),
                masters.expectMessageClass(SessionNotices.class, Duration.ofSeconds(10)).notices());
        masters.expectNoMessage(Duration.ofMillis(500));
    }

    @Test
    void aBatchNeverGrowsPastItsSizeBound() {
        TestProbe<SessionNotices> masters = kit.createTestProbe();
        ActorRef<NoticeBatcher.Command> batcher = kit.spawn(NoticeBatcher.create(topicTo(masters), LONG_WINDOW));
        String largest = "x".repeat(10_000); // the longest metadata a client may give
        int perBatch = SessionNotices.MAX_BYTES / SessionNotices.estimatedBytes(joined(0, largest));
        assertTrue(perBatch >= 1 && perBatch < SessionNotices.MAX_NOTICES, "the size bound is the one tested");
        for (int i = 0; i <= perBatch; i++) {
            batcher.tell(new NoticeBatcher.Notice(joined(i, largest)));
        }

        SessionNotices first = masters.expectMessageClass(SessionNotices.class, Duration.ofSeconds(10));
        assertEquals(perBatch, first.notices().size());
        assertTrue(first.notices().stream().mapToInt(SessionNotices::estimatedBytes).sum() <= SessionNotices.MAX_BYTES);
        masters.expectNoMessage(Duration.ofMillis(500)); // the one past the bound opened the next batch
    }

    @Test
    void aZeroWindowSendsEveryNoticeAlone() {
        TestProbe<SessionNotices> masters = kit.createTestProbe();
        ActorRef<NoticeBatcher.Command> batcher = kit.spawn(NoticeBatcher.create(topicTo(masters), Duration.ZERO));
        batcher.tell(new NoticeBatcher.Notice(joined(1, "")));
        batcher.tell(new NoticeBatcher.Notice(joined(2, "")));

        assertEquals(List.of(joined(1, "")), masters.expectMessageClass(SessionNotices.class, Duration.ofSeconds(10))
                .notices());
        assertEquals(List.of(joined(2, "")), masters.expectMessageClass(SessionNotices.class, Duration.ofSeconds(10))
                .notices());
    }

    /** What the masters read is what the node sent: every kind of notice, through the cluster's serializer. */
    @Test
    void aBatchCrossesTheWireIntact() throws Exception {
        SessionNotices batch = new SessionNotices(List.of(joined(1, "{\"name\":\"ana\"}"),
                new ParticipantActivated("ses_1", "con_2", 7, "", null, "media-2", "127.0.0.9", "media-1"),
                new StreamChanged("ses_1", "con_1", "str_CAM_1", null, true, 11, null, true, true, "CAMERA", 30,
                        "{\"width\":640,\"height\":480}"),
                new ParticipantRemoved("ses_1", "con_1", "networkDisconnect"), new SessionEnded("ses_1", "sessionClosedByServer")));
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
        var serializer = serialization.findSerializerFor(batch);
        byte[] bytes = serializer.toBinary(batch);

        Object read = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, batch))
                .get();
        assertEquals(batch, read);
        assertTrue(serializer.getClass().getSimpleName().contains("Cbor"), serializer.getClass().getName());
    }
}
