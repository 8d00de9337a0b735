package io.tessera.master.routing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PeerReads} and {@link PeerLookup} in a cluster of three masters in this JVM, each with its own replicator.
 * Gossip runs once an hour here (deltas once every 12 minutes), so a record written locally on one master stays
 * there: each test puts the replicas in the state it needs, then looks from master A.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PeerReadsTest {
    static List<InProcessMasters.Master> masters;

    @BeforeAll
    static void start() {
        masters = InProcessMasters.startAsking("PeerReadsTest", InProcessMasters.gossipOff(), 3);
        // Every master's lookup actor is listed on A before a test asks (the receptionist gossips every 200 ms).
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            masters.get(0).table().lookupSession("peer-warm-" + UUID.randomUUID()).toCompletableFuture().join();
            return peerDecided() > 0;
        });
    }

    @AfterAll
    static void stop() {
        InProcessMasters.stop(masters);
    }

    private static double count(String name, String tag, String value) {
        return masters.get(0).registry().get(name).tag(tag, value).counter().count();
    }

    private static double majorityReads() {
        return count("tessera.master.routing.reads", "consistency", "majority");
    }

    private static double peerDecided() {
        return count("tessera.master.routing.peer.lookups", "outcome", "decided");
    }

    private static double peerUndecided() {
        return count("tessera.master.routing.peer.lookups", "outcome", "undecided");
    }

    private static SessionRecord session(String id, String node) {
        return new SessionRecord(id, 1, node, 1, "protected", id, "ROUTED", "MANUAL", "VP8", false, null);
    }

    private static ConnectionRecord connection(String sessionId, String id, String token) {
        return new ConnectionRecord(id, sessionId, token, Long.MAX_VALUE, "PUBLISHER", false, "", 1, "pending", null,
                null, null, null);
    }

    /**
     * Puts a record into master {@code i}'s replica only (a local write; nothing spreads it within the test). Each put
     * is timestamped a millisecond after the one before, whatever the wall clock: two puts on two masters in the same
     * millisecond would tie, and last-writer-wins would pick by address, not by the order of the test.
     */
    private static <V> void putLocally(int i, Key<LWWMap<String, V>> key, String id, V record) {
        DistributedData ddata = DistributedData.get(masters.get(i).kit().system());
        long timestamp = LAST_PUT.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis()));
        assertTrue(masters.get(i).table().shards().update(key, Replicator.writeLocal(),
                map -> map.put(ddata.selfUniqueAddress(), id, record, (current, value) -> timestamp))
                .toCompletableFuture().join());
    }

    private static final java.util.concurrent.atomic.AtomicLong LAST_PUT = new java.util.concurrent.atomic.AtomicLong();

    private static void putSession(int i, SessionRecord record) {
        putLocally(i, masters.get(i).table().sessionKeys().get(RoutingTable.shardOf(record.sessionId())), record.sessionId(),
                record);
    }

    private static void putConnection(int i, ConnectionRecord record) {
        putLocally(i, masters.get(i).table().connectionKeys().get(RoutingTable.shardOf(record.sessionId())),
                record.connectionId(), record);
    }

    @Test
    @Order(1)
    void aSessionEveryOtherMasterHasIsTheirNewestCopyWithoutAMajorityReadOrARepair() {
        String id = "peer-both-" + UUID.randomUUID();
        putSession(1, session(id, "media-old"));
        putSession(2, session(id, "media-new"));
        double majority = majorityReads();
        double decided = peerDecided();

        Optional<SessionRecord> found = masters.get(0).table().lookupSession(id).toCompletableFuture().join();

        assertEquals("media-new", found.orElseThrow().mediaNodeId(), "the copy written last wins");
        assertEquals(majority, majorityReads(), "no majority read");
        assertEquals(decided + 1, peerDecided());
        assertTrue(masters.get(0).table().localSession(id).toCompletableFuture().join().isEmpty(),
                "a lookup writes nothing to this master's replica");
    }

    @Test
    @Order(2)
    void aRecordNoMasterHasIsAbsentWithoutAMajorityRead() {
        double majority = majorityReads();
        double decided = peerDecided();

        assertTrue(masters.get(0).table().lookupSession("peer-none-" + UUID.randomUUID()).toCompletableFuture().join().isEmpty());
        assertTrue(masters.get(0).table().lookupConnection("peer-none", PeerLookup.ConnectionMatch.byToken("tok_nobody"))
                .toCompletableFuture().join().isEmpty());

        assertEquals(majority, majorityReads());
        assertEquals(decided + 2, peerDecided());
    }

    @Test
    @Order(3)
    void mastersThatDisagreeSendTheLookupToAMajorityRead() {
        String id = "peer-one-" + UUID.randomUUID();
        putSession(1, session(id, "media-1"));
        double majority = majorityReads();
        double undecided = peerUndecided();

        masters.get(0).table().lookupSession(id).toCompletableFuture().join();

        assertEquals(undecided + 1, peerUndecided());
        assertEquals(majority + 1, majorityReads(), "read from a majority instead");
    }

    @Test
    @Order(4)
    void aConnectionIsFoundByItsTokenOrIdAndTheQuestionDoesNotCarryTheTokenIntoLogs() {
        String sessionId = "peer-conn-" + UUID.randomUUID();
        String token = "tok_" + UUID.randomUUID();
        ConnectionRecord record = connection(sessionId, "con_" + UUID.randomUUID(), token);
        putConnection(1, record);
        putConnection(2, record);
        double majority = majorityReads();

        assertEquals(record, masters.get(0).table().lookupConnection(sessionId, PeerLookup.ConnectionMatch.byToken(token))
                .toCompletableFuture().join().orElseThrow());
        assertEquals(record, masters.get(0).table().lookupConnection(sessionId,
                PeerLookup.ConnectionMatch.byId(record.connectionId())).toCompletableFuture().join().orElseThrow());
        assertTrue(masters.get(0).table().lookupConnection(sessionId, PeerLookup.ConnectionMatch.byToken(token + "x"))
                .toCompletableFuture().join().isEmpty(), "another token matches nothing");
        assertTrue(masters.get(0).table().lookupConnection("another-session", PeerLookup.ConnectionMatch.byToken(token))
                .toCompletableFuture().join().isEmpty(), "the token of another session matches nothing");
        assertEquals(majority, majorityReads());

        String question = new PeerLookup.FindConnection(sessionId, PeerLookup.ConnectionMatch.byToken(token), null)
                .toString();
        assertFalse(question.contains(token), question);
    }

    @Test
    @Order(5)
    void theRuleOverTheAnswers() {
        var absent = new PeerLookup.SessionAnswer(null, 0);
        var old = new PeerLookup.SessionAnswer(session("s", "media-old"), 10);
        var young = new PeerLookup.SessionAnswer(session("s", "media-new"), 20);

        assertEquals(new PeerReads.Decision<>(true, young.record()), PeerReads.decide(List.of(old, young)));
        assertEquals(new PeerReads.Decision<>(true, young.record()), PeerReads.decide(List.of(young, old)));
        assertEquals(new PeerReads.Decision<SessionRecord>(true, null), PeerReads.decide(List.of(absent, absent)));
        assertFalse(PeerReads.decide(List.of(old, absent)).decided(), "one without it: maybe deleted there");
        assertFalse(PeerReads.decide(List.of(absent, young)).decided());
        assertEquals(new PeerReads.Decision<SessionRecord>(true, null),
                PeerReads.decide(List.<PeerLookup.SessionAnswer>of()), "the only master: its miss is the answer");
        var sameMillisecond = new PeerLookup.SessionAnswer(session("s", "media-other"), 20);
        assertFalse(PeerReads.decide(List.of(young, sameMillisecond)).decided(),
                "two values written in the same millisecond: the tie is the replicas' to break");
        assertFalse(PeerReads.decide(List.of(old, young, sameMillisecond)).decided());
        assertEquals(new PeerReads.Decision<>(true, young.record()), PeerReads.decide(List.of(young,
                new PeerLookup.SessionAnswer(session("s", "media-new"), 20))), "the same value twice is no tie");
    }

    @Test
    @Order(6)
    void sessionsLookedUpTogetherShareRoundsAndEachGetsItsOwnAnswer() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PeerReads reads = new PeerReads(masters.get(0).kit().system(), Duration.ofSeconds(5), Duration.ZERO,
                new RoutingMeters(registry));
        await().atMost(Duration.ofSeconds(30)).until(() -> reads.lookupSession("peer-listed").join().decided());
        var rounds = registry.get("tessera.master.routing.peer.session.rounds").summary();
        long roundsBefore = rounds.count();
        double sessionsBefore = rounds.totalAmount();
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = "peer-round-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            if (i % 4 != 3) { // every fourth session exists nowhere
                putSession(1, session(id, "media-" + i));
                putSession(2, session(id, "media-" + i));
            }
        }
        putSession(1, session(ids.get(0), "media-older")); // and one that B and C hold in different versions
        putSession(2, session(ids.get(0), "media-newer"));

        List<java.util.concurrent.CompletableFuture<PeerReads.Decision<SessionRecord>>> decisions =
                ids.stream().map(reads::lookupSession).toList();

        for (int i = 0; i < ids.size(); i++) {
            PeerReads.Decision<SessionRecord> decision = decisions.get(i).join();
            assertTrue(decision.decided(), ids.get(i));
            String expected = i == 0 ? "media-newer" : i % 4 == 3 ? null : "media-" + i;
            assertEquals(expected, decision.found().map(SessionRecord::mediaNodeId).orElse(null), ids.get(i));
        }
        assertEquals(40, rounds.totalAmount() - sessionsBefore, 0.0, "every lookup asked in exactly one round");
        assertTrue(rounds.count() - roundsBefore < 40, (rounds.count() - roundsBefore)
                + " rounds: the lookups made while a round was out went together");
    }

    @Test
    @Order(7)
    void theOneSessionQuestionOfMastersBeforeTheRoundsIsStillAnswered() {
        // A master of an earlier version asks FindSession under the first key during a rolling upgrade.
        PeerReads reads = new PeerReads(masters.get(0).kit().system(), Duration.ofSeconds(5), Duration.ZERO,
                new RoutingMeters(new SimpleMeterRegistry()));
        String id = "peer-old-question-" + UUID.randomUUID();
        putSession(1, session(id, "media-asked-alone"));
        putSession(2, session(id, "media-asked-alone"));
        java.util.function.Supplier<PeerReads.Decision<SessionRecord>> askAlone = () -> reads.<SessionRecord,
                PeerLookup.SessionAnswer>lookup(replyTo -> new PeerLookup.FindSession(id, replyTo)).join();

        await().atMost(Duration.ofSeconds(30)).until(() -> askAlone.get().decided());

        assertEquals("media-asked-alone", askAlone.get().found().orElseThrow().mediaNodeId());
    }

    @Test
    @Order(8)
    void aMasterNotListedForRoundsSendsSessionLookupsToAMajorityAndStillAnswersConnections() {
        // C as a master from before the rounds: its lookup actor listed under the first key only.
        var c = masters.get(2).kit();
        PeerReads reads = new PeerReads(masters.get(0).kit().system(), Duration.ofSeconds(5), Duration.ZERO,
                new RoutingMeters(new SimpleMeterRegistry()));
        String id = "peer-unlisted-" + UUID.randomUUID();
        putSession(1, session(id, "media-1"));
        putSession(2, session(id, "media-1"));
        await().atMost(Duration.ofSeconds(30)).until(() -> reads.lookupSession(id).join().decided());
        ActorRef<PeerLookup.Command> cLookup = findOnC(c).iterator().next();
        c.system().receptionist().tell(Receptionist.deregister(PeerLookup.SESSION_ROUNDS_KEY, cLookup));
        try {
            ConnectionRecord record = connection(id, "con_" + UUID.randomUUID(), "tok_" + UUID.randomUUID());
            putConnection(1, record);
            putConnection(2, record);
            // Once A's receptionist has the change (it gossips every 200 ms): every session lookup is undecided.
            await().atMost(Duration.ofSeconds(30)).until(() -> !reads.lookupSession(id).join().decided());

            assertEquals(record, reads.<ConnectionRecord, PeerLookup.ConnectionAnswer>lookup(replyTo ->
                    new PeerLookup.FindConnection(id, PeerLookup.ConnectionMatch.byId(record.connectionId()),
                            replyTo)).join().found().orElseThrow(), "C is still asked for connections");
        } finally {
            c.system().receptionist().tell(Receptionist.register(PeerLookup.SESSION_ROUNDS_KEY, cLookup));
        }
        // Listed again: C is asked for sessions again (and the tests after this one find it as before).
        await().atMost(Duration.ofSeconds(30)).until(() -> reads.lookupSession(id).join().decided());
    }

    /** C's own lookup actors listed under the rounds key, as its receptionist has them. */
    private static java.util.Set<ActorRef<PeerLookup.Command>> findOnC(ActorTestKit c) {
        Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
                c.system().receptionist(), replyTo -> Receptionist.find(PeerLookup.SESSION_ROUNDS_KEY, replyTo),
                Duration.ofSeconds(5), c.system().scheduler()).toCompletableFuture().join();
        return listing.getServiceInstances(PeerLookup.SESSION_ROUNDS_KEY).stream()
                .filter(ref -> !ref.path().address().hasGlobalScope()).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    @Order(9)
    void eachSessionOfARoundIsDecidedOnItsOwnAndAMasterThatAnswersAnotherNumberDecidesNone() {
        SessionRecord held = session("s2", "media-1");
        var absent = new PeerLookup.SessionAnswer(null, 0);
        var two = new PeerLookup.SessionAnswers(List.of(absent, new PeerLookup.SessionAnswer(held, 5)));
        var one = new PeerLookup.SessionAnswers(List.of(absent));
        var undecided = PeerReads.Decision.<SessionRecord>undecided();

        assertEquals(List.of(new PeerReads.Decision<SessionRecord>(true, null), new PeerReads.Decision<>(true, held)),
                PeerReads.decideEach(2, List.of(two, two)));
        assertEquals(List.of(undecided, undecided), PeerReads.decideEach(2, List.of(two, one)),
                "one master answered one session of two");
        assertEquals(List.of(undecided, undecided), PeerReads.decideEach(2, null), "a master did not answer");
    }

    @Test
    @Order(10)
    void afterAChangeOfTheMastersEveryLookupReadsFromAMajorityForTheQuietPeriod() {
        PeerReads quiet = new PeerReads(masters.get(0).kit().system(), Duration.ofSeconds(2), Duration.ofHours(1),
                new RoutingMeters(new SimpleMeterRegistry()));

        PeerReads.Decision<SessionRecord> decision = quiet.lookupSession("any").join();

        assertFalse(decision.decided(), "a master that just started (or saw a master leave) reads from a majority");
    }

    @Test
    @Order(11)
    void aMasterLeavingSendsEveryLookupToAMajorityReadForTheQuietPeriod() {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        PeerReads reads = new PeerReads(masters.get(0).kit().system(), Duration.ofSeconds(2), Duration.ofSeconds(30),
                new RoutingMeters(new SimpleMeterRegistry()), clock::get);
        java.util.function.Supplier<PeerReads.Decision<SessionRecord>> ask =
                () -> reads.lookupSession("peer-leaving").join();
        clock.addAndGet(Duration.ofSeconds(31).toNanos());
        await().atMost(Duration.ofSeconds(30)).until(() -> ask.get().decided());

        masters.get(2).kit().shutdownTestKit();

        // C leaves (exiting, removed): what it acknowledged may not have reached B yet, so nothing is decided.
        await().atMost(Duration.ofSeconds(30)).until(() -> !ask.get().decided());
        Cluster a = Cluster.get(masters.get(0).kit().system());
        await().atMost(Duration.ofSeconds(30)).until(() -> java.util.stream.StreamSupport.stream(
                a.state().getMembers().spliterator(), false).count() == 2);
        assertFalse(ask.get().decided(), "still within the quiet period");
        // After it, B alone is every other master.
        clock.addAndGet(Duration.ofSeconds(31).toNanos());
        assertTrue(ask.get().decided());
    }
}
