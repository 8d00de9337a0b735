package io.tessera.master.placement;

import io.tessera.common.protocol.ClusterTopics.LoadReport;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementPolicyTest {

    private static MediaNodeState node(String id, int sessions, int participants, long reportedAt) {
        return new MediaNodeState(new LoadReport(id, null, "127.0.0.1", "running", sessions, participants, 0, 0, 0, 500, 0.1,
                reportedAt), reportedAt, true, 0);
    }

    @Test
    void choosesTheNodeWithFewestSessions() {
        PlacementPolicy policy = new PlacementPolicy(3000);
        List<MediaNodeState> nodes = List.of(node("a", 5, 0, 1000), node("b", 2, 0, 1000), node("c", 9, 0, 1000));
        assertEquals("b", policy.place(nodes, 1000).orElseThrow().id());
    }

    @Test
    void aBurstIsSpreadBecauseRecentPlacementsCountAsLoad() {
        PlacementPolicy policy = new PlacementPolicy(3000);
        // Reports do not change during the burst: without the correction every session would go to one node.
        List<MediaNodeState> nodes = List.of(node("a", 0, 0, 1000), node("b", 0, 0, 1000));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            counts.merge(policy.place(nodes, 1001 + i).orElseThrow().id(), 1, Integer::sum);
        }
        assertEquals(Map.of("a", 5, "b", 5), counts);
    }

    @Test
    void placementsOlderThanTheWindowOrAlreadyReportedStopCounting() {
        PlacementPolicy policy = new PlacementPolicy(3000);
        policy.remember("a", 1000);
        assertEquals(1, policy.score(node("a", 0, 0, 900), 1500));
        assertEquals(0, policy.score(node("a", 0, 0, 1200), 1500), "the report after the placement includes it");
        assertEquals(0, policy.score(node("a", 0, 0, 900), 5000), "outside the window");
    }

    @Test
    void tiesAreBrokenByParticipantsThenId() {
        PlacementPolicy policy = new PlacementPolicy(3000);
        assertEquals("b", policy.place(List.of(node("a", 1, 9, 1), node("b", 1, 3, 1)), 2).orElseThrow().id());
        PlacementPolicy fresh = new PlacementPolicy(3000);
        assertEquals("a", fresh.place(List.of(node("b", 1, 3, 1), node("a", 1, 3, 1)), 2).orElseThrow().id());
    }

    private static MediaNodeState node(String id, int sessions, int protectedSessions) {
        return new MediaNodeState(new LoadReport(id, null, "127.0.0.1", "running", sessions, 0, 0, 0, 0, 500, 0.1, 1000,
                0, protectedSessions), 1000, true, 0);
    }

    @Test
    void aProtectedSessionGoesToTheNodeWithFewestProtectedSessionsEvenIfBusier() {
        PlacementPolicy policy = new PlacementPolicy(3000);
        // a hosts few sessions but all of its 4 are protected; b is busier with best-effort ones.
        List<MediaNodeState> nodes = List.of(node("a", 4, 4), node("b", 9, 1));
        assertEquals("b", policy.place(nodes, 1001, true).orElseThrow().id());
        assertEquals("a", policy.place(nodes, 1002, false).orElseThrow().id(), "the others still go by load");
    }

    @Test
    void aBurstOfProtectedSessionsIsSpreadOverTheNodes() {
        PlacementPolicy policy = new PlacementPolicy(3000);
        // a is the least loaded; reports do not change during the burst. By load alone all three would go to a; the
        // protected placements not yet reported count, so they go one per node.
        List<MediaNodeState> nodes = List.of(node("a", 0, 0), node("b", 5, 0), node("c", 5, 0));
        List<String> chosen = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            chosen.add(policy.place(nodes, 1001 + i, true).orElseThrow().id());
        }
        assertEquals(List.of("a", "b", "c"), chosen);
        assertEquals(1, policy.protectedScore(node("a", 0, 0), 1010), "placed after a's report: counted");
        assertEquals(1, policy.protectedScore(node("a", 1, 1), 5000), "outside the window only the report counts");
    }

    @Test
    void noCandidatesMeansNoPlacement() {
        assertTrue(new PlacementPolicy(3000).place(List.of(), 1).isEmpty());
    }

    @Test
    void onlyReachableRunningAndReportingNodesAreAvailable() {
        MediaNodes view = new MediaNodes(5000);
        long now = System.currentTimeMillis();
        LoadReport fresh = new LoadReport("fresh", null, "x", "running", 0, 0, 0, 0, 0, 500, 0, now);
        LoadReport stale = new LoadReport("stale", null, "x", "running", 0, 0, 0, 0, 0, 500, 0, now - 60_000);
        LoadReport draining = new LoadReport("draining", null, "x", "draining", 0, 0, 0, 0, 0, 500, 0, now);
        LoadReport cut = new LoadReport("unreachable", null, "x", "running", 0, 0, 0, 0, 0, 500, 0, now);
        view.publish(Map.of(
                "fresh", new MediaNodeState(fresh, now, true, now),
                "stale", new MediaNodeState(stale, now - 60_000, true, now),
                "draining", new MediaNodeState(draining, now, true, now),
                "unreachable", new MediaNodeState(cut, now, false, now)));
        assertEquals(List.of("fresh"), view.available().stream().map(MediaNodeState::id).toList());
        assertTrue(view.isAvailable("fresh"));
        assertTrue(view.get("stale").isPresent());
    }
}
