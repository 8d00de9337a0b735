package io.tessera.master.rebuild;

import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.SessionRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestorerTest {
    private static Restorer.Candidate master(String address, boolean up, boolean reachable) {
        return new Restorer.Candidate(address, true, up, reachable);
    }

    @Test
    void theOldestUpReachableMasterRestoresWhateverItsAddress() {
        // Oldest first: master-3 became Up first, so it restores although its address sorts last.
        List<Restorer.Candidate> members = List.of(
                new Restorer.Candidate("pekko://tessera@127.0.0.1:2600", false, true, true), // a media node
                master("pekko://tessera@127.0.0.1:2553", true, true),
                master("pekko://tessera@127.0.0.1:2551", true, true),
                master("pekko://tessera@127.0.0.1:2552", false, true)); // still joining
        assertEquals(Optional.of("pekko://tessera@127.0.0.1:2553"), Restorer.choose(members));
    }

    @Test
    void whenTheRestorerIsUnreachableOrGoneTheNextOldestTakesOver() {
        assertEquals(Optional.of("b"), Restorer.choose(List.of(master("a", true, false), master("b", true, true),
                master("c", true, true))));
        assertEquals(Optional.of("c"), Restorer.choose(List.of(master("b", false, true), master("c", true, true))));
        assertEquals(Optional.empty(), Restorer.choose(List.of(master("a", true, false))));
    }

    @Test
    void aWaitingMasterKeepsItsRestorerWhileItIsAnUpMasterEvenUnreachable() {
        // A restorer whose heartbeats are late is still waited for (the stall bound covers a stuck one): taking over
        // at the first unreachability made two masters restore at once.
        assertTrue(Restorer.stillUp("a", List.of(master("a", true, false), master("b", true, true))));
        assertFalse(Restorer.stillUp("a", List.of(master("a", false, false), master("b", true, true))),
                "downed or leaving");
        assertFalse(Restorer.stillUp("a", List.of(master("b", true, true))), "removed");
    }

    private static ParticipantInfo p(String connectionId) {
        return new ParticipantInfo(connectionId, 1, "{}", null, "PUBLISHER", "java", null);
    }

    private static InventoryMerge.Route route(String sessionId, String node, String... connections) {
        return new InventoryMerge.Route(new SessionRecord(sessionId, 1, node, 1, "protected", sessionId, "ROUTED",
                "MANUAL", "VP8", false, null), java.util.Arrays.stream(connections).map(RestorerTest::p).toList());
    }

    @Test
    void aRouteIsPresentWithItsSessionAndTheConnectionsOfItsNode() {
        List<InventoryMerge.Route> routes = List.of(
                route("whole", "media-1", "con_a", "con_b"),
                route("without-one-connection", "media-1", "con_c", "con_d"),
                route("missing", "media-2"),
                route("routed-elsewhere", "media-1", "con_e")); // the masters' route stands: no connection added
        Routes.LocalIds local = new Routes.LocalIds(
                Map.of("whole", "media-1", "without-one-connection", "media-1", "routed-elsewhere", "media-2"),
                Set.of("con_a", "con_b", "con_c"));
        assertEquals(2, Restorer.present(routes, local));
    }

    @Test
    void aWaitingMasterIsDoneWhenEveryRouteArrivedAndRestoresWhenStalledOrItsTurn() {
        Duration stall = Duration.ofSeconds(10);
        assertEquals(Restorer.Next.DONE, Restorer.next(10, 10, false, Duration.ofSeconds(30), stall));
        assertEquals(Restorer.Next.WAIT, Restorer.next(4, 10, false, Duration.ofSeconds(9), stall));
        assertEquals(Restorer.Next.RESTORE, Restorer.next(4, 10, false, Duration.ofSeconds(10), stall),
                "no route arrived for restorer-stall: the restorer is stuck or failed");
        assertEquals(Restorer.Next.RESTORE, Restorer.next(4, 10, true, Duration.ZERO, stall),
                "the restorer died: this master is the oldest now");
        assertEquals(Restorer.Next.DONE, Restorer.next(0, 0, true, Duration.ZERO, stall), "nothing to restore");
    }

    @Test
    void aRoundThatCouldNotAskEveryUpMediaNodeIsNoRebuild() {
        // The 10 000-session run: media-1 unreachable when the round began, only media-2 asked.
        assertEquals(Set.of("media-1"), Restorer.notAsked(Set.of("media-1", "media-2"), Set.of("media-2")));
        assertEquals(Set.of(), Restorer.notAsked(Set.of("media-1", "media-2"), Set.of("media-1", "media-2")));
        assertEquals(Set.of(), Restorer.notAsked(Set.of(), Set.of()), "no media node: nothing left out");
        assertEquals(Set.of(), Restorer.notAsked(Set.of("media-2"), Set.of("media-1", "media-2")),
                "a node asked that left since counts for nothing");
    }

    /** The next round starts once every Up media node can be asked (CI: one master refused creates for 10 s). */
    @Test
    void theNextRoundWaitsOnlyUntilEveryUpMediaNodeCanBeAsked() {
        Set<String> up = Set.of("media-1", "media-2");
        assertFalse(Restorer.allAskable(up, Set.of("media-2"), up), "media-1 still unreachable");
        assertFalse(Restorer.allAskable(up, up, Set.of("media-2")), "reachable again, but no report of media-1 yet");
        assertTrue(Restorer.allAskable(up, up, up));
        assertTrue(Restorer.allAskable(Set.of("media-2"), Set.of("media-2"), Set.of("media-2")),
                "media-1 was downed meanwhile: nothing is left to ask");
    }
}
