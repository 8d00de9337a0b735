package io.tessera.it.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.client.JsonRpcException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The checker itself, on hand-made histories (no cluster): a clean history passes, and each invariant catches the
 * violation it is for, so that a partition test cannot pass because the checker saw nothing.
 */
class HistoryCheckerTest {
    private final History history = new History();
    private final HistoryChecker checker = new HistoryChecker(Duration.ZERO);

    /** alice (con_a) and bob (con_b) in session s, each having seen the other join. */
    private void aliceAndBob() {
        history.joined("alice", "s", "con_a", 0);
        history.joined("bob", "s", "con_b", 1);
        history.eventReceived("alice", "participantJoined", 1, "con_b", null);
    }

    private void send(String client, List<String> to, String data, Outcome outcome) {
        long op = history.invoked(client, "sendMessage", data, to);
        history.completed(client, op, outcome, outcome);
    }

    private List<Violation> violations() {
        return checker.check(history);
    }

    private static void assertOne(List<Violation> violations, String invariant, String... words) {
        assertEquals(1, violations.size(), violations.toString());
        Violation v = violations.get(0);
        assertEquals(invariant, v.invariant(), v.toString());
        for (String w : words) {
            assertTrue(v.what().contains(w), w + " in " + v.what());
        }
        assertTrue(!v.evidence().isEmpty(), "a violation shows its entries");
    }

    @Test
    void aCleanHistoryPasses() {
        aliceAndBob();
        send("alice", List.of("con_b"), "m1", Outcome.OK);
        history.eventReceived("bob", "sendMessage", 2, "m1", "con_a");
        send("alice", List.of(), "m2", Outcome.OK); // to everyone, alice included
        history.eventReceived("alice", "masterLeaving", -1, null, null); // no seq: not part of the sequence
        history.eventReceived("alice", "sendMessage", 2, "m2", "con_a");
        history.eventReceived("bob", "sendMessage", 3, "m2", "con_a");
        send("alice", List.of("con_b"), "m3", Outcome.FAILED);
        send("alice", List.of("con_b"), "m4", Outcome.INDETERMINATE);
        history.eventReceived("bob", "sendMessage", 4, "m4", "con_a"); // an indeterminate one may arrive once
        send("bob", List.of("con_a"), "m5", Outcome.INDETERMINATE); // ... or not at all
        for (long round = 0; round < 3; round++) { // media-1 forwards, then media-2, never in the same round
            history.mediaSample(round, "media-1", "s", round < 2 ? round * 100 : 100, round == 2);
            history.mediaSample(round, "media-2", "s", round < 2 ? 0 : 50, false);
        }
        assertEquals(List.of(), violations());
        assertTrue(history.size() > 20, "the history holds what was recorded: " + history.size());
    }

    @Test
    void aGapInOneParticipantsEventsIsCaught() {
        aliceAndBob();
        history.eventReceived("bob", "participantPublished", 2, "con_a", null);
        history.eventReceived("bob", "participantUnpublished", 4, "con_a", null);
        assertOne(violations(), EventOrderCheck.NAME, "bob", "seq 4 after seq 2", "gap");
    }

    @Test
    void anEventSeenTwiceOrOutOfOrderIsCaught() {
        aliceAndBob();
        history.eventReceived("alice", "participantPublished", 2, "con_b", null);
        history.eventReceived("alice", "participantUnpublished", 2, "con_b", null);
        assertOne(violations(), EventOrderCheck.NAME, "alice", "again or out of order");
    }

    @Test
    void eventsThatArriveBeforeTheJoinResultFollowTheJoinsSeq() {
        history.eventReceived("carol", "participantJoined", 5, "con_x", null);
        history.joined("carol", "s", "con_c", 4);
        history.eventReceived("carol", "participantJoined", 6, "con_y", null);
        assertEquals(List.of(), violations());
    }

    @Test
    void anAcknowledgedMessageThatNeverArrivesIsCaught() {
        aliceAndBob();
        send("alice", List.of("con_b"), "lost", Outcome.OK);
        assertOne(violations(), DeliveryCheck.NAME, "'lost'", "acknowledged but never delivered to bob");
    }

    @Test
    void anAcknowledgedMessageToARecipientThatLeftNeedNotArrive() {
        aliceAndBob();
        history.left("bob", "client ended");
        send("alice", List.of("con_b"), "to-nobody", Outcome.OK);
        assertEquals(List.of(), violations());
    }

    @Test
    void aRefusedMessageThatArrivesIsCaught() {
        aliceAndBob();
        send("alice", List.of("con_b"), "refused", Outcome.FAILED);
        history.eventReceived("bob", "sendMessage", 2, "refused", "con_a");
        assertOne(violations(), DeliveryCheck.NAME, "refused yet delivered");
    }

    @Test
    void aMessageAtAParticipantItWasNotSentToIsCaught() {
        aliceAndBob();
        history.joined("carol", "s", "con_c", 2);
        send("alice", List.of("con_b"), "for-bob", Outcome.OK);
        history.eventReceived("bob", "sendMessage", 2, "for-bob", "con_a");
        history.eventReceived("carol", "sendMessage", 3, "for-bob", "con_a");
        assertOne(violations(), DeliveryCheck.NAME, "reached carol");
    }

    @Test
    void aMessageDeliveredTwiceIsCaughtWhetherAcknowledgedOrNot() {
        aliceAndBob();
        send("alice", List.of("con_b"), "twice", Outcome.INDETERMINATE);
        history.eventReceived("bob", "sendMessage", 2, "twice", "con_a");
        history.eventReceived("bob", "sendMessage", 3, "twice", "con_a");
        assertOne(violations(), AppliedOnceCheck.NAME, "bob got message 'twice'", "2 times");
        assertEquals(3, violations().get(0).evidence().size(), "the send and both deliveries");
    }

    @Test
    void aJoinHeardTwiceIsCaught() {
        aliceAndBob();
        history.eventReceived("alice", "participantJoined", 2, "con_b", null);
        assertOne(violations(), AppliedOnceCheck.NAME, "alice heard con_b join", "2 times");
    }

    @Test
    void aConnectionJoinedByTwoClientsIsCaught() {
        aliceAndBob();
        history.joined("mallory", "s", "con_b", 2);
        assertOne(violations(), AppliedOnceCheck.NAME, "connection con_b joined", "2 times");
    }

    @Test
    void twoMediaNodesForwardingOneSessionInOneRoundAreCaught() {
        history.mediaSample(0, "media-1", "s", 0, false);
        history.mediaSample(0, "media-2", "s", 0, false);
        history.mediaSample(1, "media-1", "s", 10, false);
        history.mediaSample(1, "media-2", "s", 5, false);
        history.mediaSample(1, "media-3", "other-session", 5, false); // another session's media is no conflict
        assertOne(violations(), OneForwarderCheck.NAME, "2 media nodes forwarded s's media in sampling round 1");
    }

    @Test
    void aFencedMediaNodeThatGoesOnForwardingIsCaught() {
        history.mediaSample(0, "media-1", "s", 10, true);
        history.mediaSample(1, "media-1", "s", 20, true);
        history.mediaSample(2, "media-1", "s", 30, true);
        List<Violation> found = violations();
        assertEquals(2, found.size(), found.toString());
        assertTrue(found.stream().allMatch(v -> v.what().contains("after it said it was fenced")), found.toString());
        // Counters read up to meterAge before the fence was seen are not held against it.
        assertEquals(List.of(), new HistoryChecker(Duration.ofDays(1)).check(history));
    }

    @Test
    void everyViolationIsReportedWithItsEntries() {
        aliceAndBob();
        send("alice", List.of("con_b"), "lost", Outcome.OK);
        history.eventReceived("bob", "participantLeft", 5, "con_x", null);
        List<Violation> found = violations();
        assertEquals(2, found.size(), found.toString());
        String report = HistoryChecker.describe(history, found);
        assertTrue(report.startsWith("2 invariant violation(s)"), report);
        assertTrue(report.contains("never delivered to bob") && report.contains("Invoked[") && report.contains("gap"),
                report);
    }

    @Test
    void aFullHistoryDropsAndTheCheckSaysSo() {
        History small = new History(2);
        small.joined("a", "s", "con_a", 0);
        small.joined("b", "s", "con_b", 0);
        small.joined("c", "s", "con_c", 0);
        assertEquals(2, small.size());
        assertEquals(1, small.dropped());
        List<Violation> found = new HistoryChecker().check(small);
        assertEquals(1, found.size(), found.toString());
        assertEquals("complete history", found.get(0).invariant());
        assertTrue(found.get(0).what().contains("dropped 1"), found.get(0).what());
    }

    @Test
    void eachMessageNeedsDataOfItsOwn() {
        history.invoked("alice", "sendMessage", "same", List.of());
        assertThrows(IllegalArgumentException.class, () -> history.invoked("alice", "sendMessage", "same", List.of()));
    }

    @Test
    void trackedRequestsAreClassifiedByHowTheyEnd() throws Exception {
        history.track("a", "sendMessage", "ok", List.of(), CompletableFuture.completedFuture("r")).join();
        history.track("a", "sendMessage", "refused", List.of(),
                CompletableFuture.failedFuture(new JsonRpcException(503, "fenced"))).exceptionally(e -> null).join();
        history.track("a", "sendMessage", "lost", List.of(),
                CompletableFuture.failedFuture(new IOException("socket closed"))).exceptionally(e -> null).join();
        assertThrows(TimeoutException.class, () -> history.call("a", "createSession", "s", () -> {
            throw new TimeoutException("no answer");
        }));
        List<Outcome> outcomes = history.entries().stream().filter(e -> e instanceof HistoryEntry.Completed)
                .map(e -> ((HistoryEntry.Completed) e).outcome()).toList();
        assertEquals(List.of(Outcome.OK, Outcome.FAILED, Outcome.INDETERMINATE, Outcome.INDETERMINATE), outcomes);
    }
}
