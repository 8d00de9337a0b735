package io.tessera.master.placement;

import io.tessera.common.protocol.MediaNodeProtocol;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The make-before-break bookkeeping of a drain's moves, with its clock in the test's hands. */
class DrainReleasesTest {
    private static final long BOUND = 5_000;
    private static ActorTestKit testKit;
    private static ActorRef<MediaNodeProtocol.Command> oldCopy;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
        oldCopy = testKit.<MediaNodeProtocol.Command>createTestProbe().getRef();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /**
     * A participant told of the move late (a slow first drain: the pages were told 1.9-2.3 s after the move) gets the
     * whole bound for its rebuild from then on, not what the move left of it. Failed before: the bound ran from the
     * move only, and the old copies were released before the rebuilt streams were up (stalls 1.1-3.1 s).
     */
    @Test
    void theBoundRestartsWhenAParticipantIsToldOfTheMove() {
        DrainReleases releases = new DrainReleases();
        releases.await(new DrainReleases.Awaiting("s1", "media-1", oldCopy, 1_000, BOUND));

        Optional<DrainReleases.Awaiting> later = releases.told("s1", "media-1", 3_300, BOUND);

        assertTrue(later.isPresent());
        assertEquals(8_300, later.get().dueAtMillis);
        // a participant told earlier than the last one moves nothing back
        assertTrue(releases.told("s1", "media-1", 3_000, BOUND).isEmpty());
        assertEquals(8_300, later.get().dueAtMillis);
    }

    /** Still bounded: never more than two bounds after the move, however late a participant joins the new node. */
    @Test
    void theBoundNeverPassesTwoBoundsAfterTheMove() {
        DrainReleases releases = new DrainReleases();
        releases.await(new DrainReleases.Awaiting("s1", "media-1", oldCopy, 1_000, BOUND));

        assertEquals(11_000, releases.told("s1", "media-1", 9_000, BOUND).orElseThrow().dueAtMillis);
        assertTrue(releases.told("s1", "media-1", 10_500, BOUND).isEmpty());
    }

    /** A join from another node (a later move, a placement race) or of a session that waits for nothing changes nothing. */
    @Test
    void onlyAParticipantFromTheDrainedNodeCounts() {
        DrainReleases releases = new DrainReleases();
        releases.await(new DrainReleases.Awaiting("s1", "media-1", oldCopy, 1_000, BOUND));

        assertTrue(releases.told("s1", "media-3", 3_000, BOUND).isEmpty());
        assertTrue(releases.told("s2", "media-1", 3_000, BOUND).isEmpty());
        // released once its streams are up, it waits no more
        releases.described("s1", oldCopy, Set.of());
        assertTrue(releases.told("s1", "media-1", 3_000, BOUND).isEmpty());
        assertEquals(0, releases.size());
    }
}
