package io.tessera.master.placement;

import io.tessera.master.placement.HaPlan.NodeLoad;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** maxFailuresToTolerate against values worked out by hand. */
class HaPlanTest {

    @Test
    void threeEvenNodesWithRoomTolerateTwoFailures() {
        // capacity 10, 2 sessions each, all protected: free 8 each, total free 24.
        // k=1: 2+8=10 <= 24; k=2: 20 <= 24; k=3: 30 > 24.
        List<NodeLoad> nodes = List.of(new NodeLoad("a", 10, 2, 2), new NodeLoad("b", 10, 2, 2), new NodeLoad("c", 10, 2, 2));
        assertEquals(2, HaPlan.maxFailuresToTolerate(nodes));
    }

    @Test
    void aFullPoolToleratesNone() {
        // free 1 + 0: any node failing leaves its 5 protected sessions with 1 or 0 places.
        List<NodeLoad> nodes = List.of(new NodeLoad("a", 6, 5, 5), new NodeLoad("b", 6, 6, 0));
        assertEquals(0, HaPlan.maxFailuresToTolerate(nodes));
    }

    @Test
    void theWorstNodeDecides() {
        // a: 8 protected, free 2 -> 10; b: 1 protected, free 9 -> 10; c: 0 protected, free 10 -> 10. Total free 21.
        // k=1: 10 <= 21; k=2: 20 <= 21; k=3: 30 > 21.
        assertEquals(2, HaPlan.maxFailuresToTolerate(List.of(new NodeLoad("a", 10, 8, 8),
                new NodeLoad("b", 10, 1, 1), new NodeLoad("c", 10, 0, 0))));
        // a: 9 protected, free 1 -> 10; b: 1 protected, free 9 -> 10; c: free 10 -> 10. Total free 20.
        // k=2: 20 <= 20 (just fits); k=3: 30 > 20.
        assertEquals(2, HaPlan.maxFailuresToTolerate(List.of(new NodeLoad("a", 10, 9, 9),
                new NodeLoad("b", 10, 1, 1), new NodeLoad("c", 10, 0, 0))));
    }

    @Test
    void bestEffortSessionsTakeRoomButNeedNone() {
        // a: 4 sessions, 1 protected (3 best-effort), free 6 -> 7; b: 9 best-effort, free 1 -> 1. Total free 7.
        // k=1: 7 <= 7; k=2: 8 > 7.
        assertEquals(1, HaPlan.maxFailuresToTolerate(List.of(new NodeLoad("a", 10, 4, 1), new NodeLoad("b", 10, 9, 0))));
    }

    @Test
    void withoutProtectedSessionsEveryNodeMayFail() {
        assertEquals(3, HaPlan.maxFailuresToTolerate(List.of(new NodeLoad("a", 5, 5, 0), new NodeLoad("b", 5, 0, 0),
                new NodeLoad("c", 5, 3, 0))));
        assertEquals(0, HaPlan.maxFailuresToTolerate(List.of()));
    }

    @Test
    void aLoneNodeWithProtectedSessionsIsOvercommittedForOneFailure() {
        HaPlan.Plan plan = HaPlan.plan(List.of(new NodeLoad("a", 500, 2, 1)), 1);
        assertEquals(0, plan.maxFailuresToTolerate());
        assertTrue(plan.overcommitted());
        HaPlan.Plan two = HaPlan.plan(List.of(new NodeLoad("a", 500, 2, 1), new NodeLoad("b", 500, 0, 0)), 1);
        assertEquals(1, two.maxFailuresToTolerate());
        assertFalse(two.overcommitted());
    }

    @Test
    void pendingProtectedSessionsTakeRoomFirst() {
        // a: capacity 3, empty -> free 3; the 2 protected sessions of a drained node still need room: total free
        // 3 - 2 = 1. k=0: 0 <= 1; k=1: 0 + 3 > 1.
        HaPlan.Plan drained = HaPlan.plan(List.of(new NodeLoad("a", 3, 0, 0)), 2, 1);
        assertEquals(0, drained.maxFailuresToTolerate());
        assertTrue(drained.overcommitted());
        assertEquals(2, drained.protectedSessions());
        assertEquals(3, drained.freeCapacity());
        // Once they moved to a (not in its report yet): the same answer, so the move changes nothing.
        assertEquals(0, HaPlan.maxFailuresToTolerate(List.of(new NodeLoad("a", 3, 0, 2)), 0));
        // a and b with room for a's 2 protected and 2 pending: free 6 + 4 - 2 = 8; worst a 2+6=8 <= 8, b 4 more > 8.
        assertEquals(1, HaPlan.maxFailuresToTolerate(List.of(new NodeLoad("a", 8, 2, 2), new NodeLoad("b", 4, 0, 0)), 2));
        // More pending than all the free room: not even no failure is survivable, reported as 0 and overcommitted
        // when no failure is asked for; with room for them and none asked, it is not.
        assertEquals(0, HaPlan.maxFailuresToTolerate(List.of(new NodeLoad("a", 3, 2, 0)), 5));
        assertTrue(HaPlan.plan(List.of(new NodeLoad("a", 3, 2, 0)), 5, 0).overcommitted());
        assertFalse(HaPlan.plan(List.of(new NodeLoad("a", 3, 2, 0)), 1, 0).overcommitted());
    }
}
