package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.SessionDescriptor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which joins a copy may take by their route's epoch, and how many released copies are remembered. */
class RouteEpochsTest {
    private static SessionDescriptor at(long epoch) {
        return new SessionDescriptor(1L, epoch, "normal", "", "ROUTED", "MANUAL", "VP8", false, null);
    }

    @Test
    void aJoinWithoutARouteEpochOrOnACopyWithoutOneIsNotJudged() {
        RouteEpochs epochs = new RouteEpochs();
        assertTrue(epochs.staleJoin("s", 0, true, at(5)).isEmpty(), "an older master, or a moved participant");
        assertTrue(epochs.staleJoin("s", 7, true, null).isEmpty(), "a copy placed without an epoch");
        assertTrue(epochs.staleJoin("s", 7, false, null).isEmpty(), "nothing known of it here: placed by the join");
    }

    @Test
    void onlyTheCopysEpochJoins() {
        RouteEpochs epochs = new RouteEpochs();
        assertTrue(epochs.staleJoin("s", 5, true, at(5)).isEmpty());
        assertTrue(epochs.staleJoin("s", 4, true, at(5)).orElseThrow().startsWith(MediaNodeProtocol.STALE_ROUTE));
        assertTrue(epochs.staleJoin("s", 6, true, at(5)).orElseThrow().startsWith(MediaNodeProtocol.STALE_ROUTE));
    }

    @Test
    void aReleasedCopyRefusesItsRouteUntilPlacedHereAgain() {
        RouteEpochs epochs = new RouteEpochs();
        epochs.released("s", at(5));
        assertTrue(epochs.staleJoin("s", 5, false, null).isPresent());
        assertTrue(epochs.staleJoin("s", 3, false, null).isPresent());
        assertTrue(epochs.staleJoin("s", 6, false, null).isEmpty(), "a later route naming this node: placed again");
        epochs.placed("s");
        assertTrue(epochs.staleJoin("s", 5, false, null).isEmpty());
    }

    @Test
    void theReleasedCopiesRememberedAreBounded() {
        RouteEpochs epochs = new RouteEpochs();
        for (int i = 0; i <= RouteEpochs.MAX_RELEASED; i++) {
            epochs.released("s" + i, at(1));
        }
        assertEquals(RouteEpochs.MAX_RELEASED, epochs.releasedRemembered());
        assertTrue(epochs.staleJoin("s0", 1, false, null).isEmpty(), "the oldest is forgotten first");
        assertTrue(epochs.staleJoin("s1", 1, false, null).isPresent());
    }

    @Test
    void aSupersededCopyRefusesOlderRoutesUntilReleasedOrPlacedAgain() {
        RouteEpochs epochs = new RouteEpochs();
        assertTrue(epochs.staleJoin("s", 5, true, at(5)).isEmpty(), "the copy's own route");
        epochs.superseded("s", 6, at(5));
        assertTrue(epochs.staleJoin("s", 5, true, at(5)).orElseThrow().contains("moved away from this node at epoch 6"));
        assertTrue(epochs.staleJoin("s", 0, true, at(5)).isEmpty(), "a participant following its session: not judged");
        epochs.superseded("s", 4, at(5));
        assertTrue(epochs.staleJoin("s", 5, true, at(5)).isPresent(), "an older, late supersede changes nothing");
        epochs.released("s", at(5));
        assertTrue(epochs.staleJoin("s", 5, false, null).orElseThrow().contains("was released"));
        epochs.placed("s");
        assertTrue(epochs.staleJoin("s", 7, true, at(7)).isEmpty(), "placed here again: the move is forgotten");
    }

    @Test
    void aSupersedeNoNewerThanTheCopyIsIgnored() {
        RouteEpochs epochs = new RouteEpochs();
        epochs.superseded("s", 5, at(5));
        epochs.superseded("s", 0, at(5));
        assertTrue(epochs.staleJoin("s", 5, true, at(5)).isEmpty());
    }
}
