package io.tessera.master.console;

import io.tessera.master.console.ClusterSnapshot.MediaNodeSample;
import io.tessera.master.console.ClusterSnapshot.MemberSample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console diffs the sessions shard by shard and skips a shard that is the same object in both samples. It must
 * tell the same story as a diff of the whole table in one map: the same events, in the same order.
 */
class SnapshotDiffShardsTest {
    private static final Map<String, MemberSample> MASTERS = Map.of("master-1", new MemberSample("up", true));
    private static final int SHARDS = 8;
    private static final int LIMIT = 1_000;

    @Test
    void shardsDiffedApartTellWhatTheWholeTableDiffedAtOnceTells() {
        Random random = new Random(15);
        List<Map<String, String>> shards = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            shards.add(Map.of());
        }
        Map<String, MediaNodeSample> nodes = nodes(true, true, true);
        ClusterSnapshot before = new ClusterSnapshot(MASTERS, nodes, shards);
        int events = 0;
        for (int step = 0; step < 300; step++) {
            List<Map<String, String>> next = new ArrayList<>(before.sessionShards());
            // Change a few shards (a new map object); the others stay the very same objects.
            for (int changes = random.nextInt(3); changes > 0; changes--) {
                int shard = random.nextInt(SHARDS);
                Map<String, String> changed = new HashMap<>(next.get(shard));
                String id = "s" + shard + "-" + random.nextInt(6);
                if (random.nextInt(3) == 0) {
                    changed.remove(id);
                } else {
                    changed.put(id, "media-" + random.nextInt(3));
                }
                next.set(shard, Map.copyOf(changed));
            }
            if (random.nextInt(10) == 0) {
                nodes = nodes(random.nextBoolean(), random.nextBoolean(), random.nextInt(4) > 0);
            }
            ClusterSnapshot after = new ClusterSnapshot(MASTERS, nodes, next);
            List<ConsoleEvent> byShard = SnapshotDiff.between(before, after, LIMIT);
            List<ConsoleEvent> whole = SnapshotDiff.between(
                    new ClusterSnapshot(before.masters(), before.mediaNodes(), before.sessionRoutes()),
                    new ClusterSnapshot(after.masters(), after.mediaNodes(), after.sessionRoutes()), LIMIT);
            assertEquals(whole, byShard, "step " + step);
            events += byShard.size();
            before = after;
        }
        assertTrue(events > 100, "the walk made events to compare: " + events);
    }

    @Test
    void aSessionInAnUnchangedShardWaitsWhenItsMediaNodeGoesDown() {
        Map<String, String> shard = Map.of("s1", "media-0", "s2", "media-1");
        ClusterSnapshot before = new ClusterSnapshot(MASTERS, nodes(true, true, true), List.of(shard, Map.of()));
        ClusterSnapshot after = new ClusterSnapshot(MASTERS, nodes(false, true, true), List.of(shard, Map.of()));
        List<ConsoleEvent> events = SnapshotDiff.between(before, after, LIMIT);
        assertEquals(List.of("mediaNodeUnreachable media-0", "sessionWaiting s1"),
                events.stream().map(e -> e.kind() + " " + e.subject()).toList());
    }

    /** media-0 .. media-2, reachable or not; media-2 gone from the view when {@code thirdKnown} is false. */
    private static Map<String, MediaNodeSample> nodes(boolean first, boolean second, boolean thirdKnown) {
        Map<String, MediaNodeSample> nodes = new HashMap<>();
        nodes.put("media-0", new MediaNodeSample("running", first));
        nodes.put("media-1", new MediaNodeSample("running", second));
        if (thirdKnown) {
            nodes.put("media-2", new MediaNodeSample("running", true));
        }
        return nodes;
    }
}
