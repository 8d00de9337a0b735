package io.tessera.master.console;

import io.tessera.master.console.ClusterSnapshot.MediaNodeSample;
import io.tessera.master.console.ClusterSnapshot.MemberSample;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleFeedTest {
    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private static final Map<String, MemberSample> THREE_MASTERS = Map.of(
            "master-1", new MemberSample("up", true), "master-2", new MemberSample("up", true),
            "master-3", new MemberSample("up", true));

    private static Map<String, MediaNodeSample> media(String... idStatusReachable) {
        Map<String, MediaNodeSample> nodes = new HashMap<>();
        for (int i = 0; i < idStatusReachable.length; i += 3) {
            nodes.put(idStatusReachable[i], new MediaNodeSample(idStatusReachable[i + 1],
                    Boolean.parseBoolean(idStatusReachable[i + 2])));
        }
        return nodes;
    }

    private static final Map<String, MediaNodeSample> TWO_RUNNING = media("media-1", "running", "true",
            "media-2", "running", "true");

    /** A feed stepped by hand over the snapshots a test sets. */
    private record Fixture(ActorRef<ConsoleFeed.Command> feed, AtomicReference<ClusterSnapshot> view) {
        /** Sets the view, samples it, and waits until the feed has (a reply after the sample comes after it). */
        void step(ClusterSnapshot next) {
            view.set(next);
            feed.tell(ConsoleFeed.Sample.INSTANCE);
            TestProbe<List<ConsoleEvent>> done = testKit.createTestProbe();
            feed.tell(new ConsoleFeed.GetRecent(done.getRef()));
            done.receiveMessage();
        }
    }

    private static Fixture feed(int history, int maxClients, int perKind) {
        AtomicReference<ClusterSnapshot> view = new AtomicReference<>(
                new ClusterSnapshot(THREE_MASTERS, TWO_RUNNING, Map.of()));
        ActorRef<ConsoleFeed.Command> feed = testKit.spawn(ConsoleFeed.manual(
                new ConsoleFeed.Settings(Duration.ofMillis(300), history, maxClients, perKind), view::get, () -> 42L));
        Fixture fixture = new Fixture(feed, view);
        fixture.step(view.get()); // baseline
        return fixture;
    }

    private static ActorRef<ConsoleEvent> subscribe(Fixture f, TestProbe<ConsoleEvent> client, long after) {
        TestProbe<ConsoleFeed.SubscribeReply> reply = testKit.createTestProbe();
        f.feed().tell(new ConsoleFeed.Subscribe(client.getRef(), after, reply.getRef()));
        assertInstanceOf(ConsoleFeed.Subscribed.class, reply.receiveMessage());
        return client.getRef();
    }

    @Test
    void a_media_node_crash_reads_as_unreachable_then_waiting_then_moved() {
        Fixture f = feed(100, 4, 50);
        TestProbe<ConsoleEvent> console = testKit.createTestProbe();
        subscribe(f, console, 0);

        f.step(new ClusterSnapshot(THREE_MASTERS, TWO_RUNNING, Map.of("s1", "media-1", "s2", "media-2")));
        assertEquals("session s1 created on media-1", console.receiveMessage().text());
        assertEquals("session s2 created on media-2", console.receiveMessage().text());

        f.step(new ClusterSnapshot(THREE_MASTERS, media("media-1", "running", "false", "media-2", "running", "true"),
                Map.of("s1", "media-1", "s2", "media-2")));
        ConsoleEvent down = console.receiveMessage();
        assertEquals("mediaNodeUnreachable", down.kind());
        assertEquals("media-1", down.subject());
        ConsoleEvent waiting = console.receiveMessage();
        assertEquals("sessionWaiting", waiting.kind());
        assertEquals("s1", waiting.subject());

        f.step(new ClusterSnapshot(THREE_MASTERS, media("media-2", "running", "true"), Map.of("s1", "media-2",
                "s2", "media-2")));
        assertEquals("mediaNodeLeft", console.receiveMessage().kind());
        ConsoleEvent moved = console.receiveMessage();
        assertEquals("sessionMoved", moved.kind());
        assertEquals("media-1", moved.from());
        assertEquals("media-2", moved.to());
        assertEquals(6, moved.seq(), "events are numbered in order from 1");
        assertEquals(42L, moved.at());

        // Nothing changed: nothing is sent.
        f.step(f.view().get());
        console.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void drains_masters_and_closes_are_told_in_words_and_as_json() {
        Fixture f = feed(100, 4, 50);
        TestProbe<ConsoleEvent> console = testKit.createTestProbe();
        subscribe(f, console, 0);
        f.step(new ClusterSnapshot(Map.of("master-1", new MemberSample("up", true),
                "master-2", new MemberSample("up", false)),
                media("media-1", "draining", "true", "media-2", "running", "true"), Map.of()));
        assertEquals("master master-2: up -> up, unreachable", console.receiveMessage().text());
        assertEquals("master master-3 left the cluster", console.receiveMessage().text());
        ConsoleEvent drain = console.receiveMessage();
        assertEquals("media node media-1: running -> draining (drain started)", drain.text());
        assertTrue(drain.toJson().contains("\"kind\":\"mediaNodeStatus\""), drain.toJson());
        assertTrue(drain.toJson().contains("\"to\":\"draining\""), drain.toJson());
    }

    @Test
    void a_console_that_reconnects_gets_what_it_missed_from_the_ring_buffer_and_no_more_than_it_holds() {
        Fixture f = feed(3, 4, 50);
        for (int i = 1; i <= 5; i++) {
            Map<String, String> routes = new HashMap<>(f.view().get().sessionRoutes());
            routes.put("s" + i, "media-1");
            f.step(new ClusterSnapshot(THREE_MASTERS, TWO_RUNNING, routes));
        }
        TestProbe<List<ConsoleEvent>> recent = testKit.createTestProbe();
        f.feed().tell(new ConsoleFeed.GetRecent(recent.getRef()));
        assertEquals(List.of(3L, 4L, 5L), recent.receiveMessage().stream().map(ConsoleEvent::seq).toList(),
                "the buffer keeps the last 3");

        TestProbe<ConsoleEvent> console = testKit.createTestProbe();
        subscribe(f, console, 4);
        assertEquals(5, console.receiveMessage().seq());
        console.expectNoMessage(Duration.ofMillis(100));

        // An id from a former life of this master (larger than any it numbered): the whole buffer.
        TestProbe<ConsoleEvent> stale = testKit.createTestProbe();
        subscribe(f, stale, 99);
        assertEquals(3, stale.receiveMessage().seq());
    }

    @Test
    void consoles_past_the_bound_are_refused_with_a_reason_and_a_closed_one_frees_its_place() {
        Fixture f = feed(10, 1, 50);
        TestProbe<ConsoleEvent> first = testKit.createTestProbe();
        subscribe(f, first, 0);
        TestProbe<ConsoleEvent> second = testKit.createTestProbe();
        TestProbe<ConsoleFeed.SubscribeReply> reply = testKit.createTestProbe();
        f.feed().tell(new ConsoleFeed.Subscribe(second.getRef(), 0, reply.getRef()));
        ConsoleFeed.Refused refused = assertInstanceOf(ConsoleFeed.Refused.class, reply.receiveMessage());
        assertTrue(refused.reason().contains("at most 1 console"), refused.reason());

        first.stop();
        reply.awaitAssert(() -> {
            f.feed().tell(new ConsoleFeed.Subscribe(second.getRef(), 0, reply.getRef()));
            return assertInstanceOf(ConsoleFeed.Subscribed.class, reply.receiveMessage(Duration.ofMillis(200)));
        });
    }

    @Test
    void a_mass_move_is_one_summary_not_thousands_of_lines() {
        Fixture f = feed(100, 4, 2);
        Map<String, String> before = new HashMap<>();
        Map<String, String> after = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            before.put("s" + i, "media-1");
            after.put("s" + i, "media-2");
        }
        f.step(new ClusterSnapshot(THREE_MASTERS, TWO_RUNNING, before));
        TestProbe<ConsoleEvent> console = testKit.createTestProbe();
        subscribe(f, console, 1); // skip the creation summary
        f.step(new ClusterSnapshot(THREE_MASTERS, TWO_RUNNING, after));
        ConsoleEvent summary = console.receiveMessage();
        assertEquals("sessionsSummary", summary.kind());
        assertEquals("3 sessions moved", summary.text());
        console.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void a_failing_sample_is_skipped_and_the_next_one_diffs_against_the_last_good_one() {
        AtomicReference<ClusterSnapshot> view = new AtomicReference<>(
                new ClusterSnapshot(THREE_MASTERS, TWO_RUNNING, Map.of()));
        AtomicReference<Boolean> fail = new AtomicReference<>(false);
        ActorRef<ConsoleFeed.Command> feed = testKit.spawn(ConsoleFeed.manual(
                new ConsoleFeed.Settings(Duration.ofMillis(300), 10, 4, 50), () -> {
                    if (fail.get()) {
                        throw new IllegalStateException("no view");
                    }
                    return view.get();
                }, () -> 1L));
        feed.tell(ConsoleFeed.Sample.INSTANCE);
        TestProbe<ConsoleEvent> console = testKit.createTestProbe();
        TestProbe<ConsoleFeed.SubscribeReply> reply = testKit.createTestProbe();
        feed.tell(new ConsoleFeed.Subscribe(console.getRef(), 0, reply.getRef()));
        reply.receiveMessage();
        fail.set(true);
        TestProbe<List<ConsoleEvent>> done = testKit.createTestProbe();
        feed.tell(new ConsoleFeed.GetRecent(done.getRef()));
        done.receiveMessage();
        fail.set(false);
        view.set(new ClusterSnapshot(THREE_MASTERS, TWO_RUNNING, Map.of("s1", "media-2")));
        feed.tell(ConsoleFeed.Sample.INSTANCE);
        assertEquals("session s1 created on media-2", console.receiveMessage().text());
    }
}
