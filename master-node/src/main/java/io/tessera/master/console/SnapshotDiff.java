package io.tessera.master.console;

import io.tessera.master.console.ClusterSnapshot.MediaNodeSample;
import io.tessera.master.console.ClusterSnapshot.MemberSample;
import io.tessera.master.console.ConsoleEvent.Kind;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The timeline events between two snapshots. Pure: the feed actor samples, this compares. Events come in a fixed
 * order (masters, media nodes, sessions; ids sorted) so that a test and a person read the same story.
 */
public final class SnapshotDiff {

    private SnapshotDiff() {
    }

    /**
     * @param perKindLimit session events of one kind beyond this many in one diff are folded into one
     *                     {@code sessionsSummary} event (a mass failover moves thousands of sessions at once; the
     *                     timeline must stay readable and the ring buffer must not be flushed by one sample)
     */
    public static List<ConsoleEvent> between(ClusterSnapshot before, ClusterSnapshot after, int perKindLimit) {
        List<ConsoleEvent> events = new ArrayList<>();
        masters(before.masters(), after.masters(), events);
        mediaNodes(before.mediaNodes(), after.mediaNodes(), events);
        sessions(before, after, perKindLimit, events);
        return events;
    }

    private static void masters(Map<String, MemberSample> before, Map<String, MemberSample> after,
                                List<ConsoleEvent> events) {
        for (String id : union(before, after)) {
            MemberSample was = before.get(id);
            MemberSample is = after.get(id);
            if (was == null) {
                events.add(ConsoleEvent.of(Kind.MASTER_JOINED, id, null, describe(is)));
            } else if (is == null) {
                events.add(ConsoleEvent.of(Kind.MASTER_LEFT, id, describe(was), null));
            } else if (!was.equals(is)) {
                events.add(ConsoleEvent.of(Kind.MASTER_CHANGED, id, describe(was), describe(is)));
            }
        }
    }

    private static String describe(MemberSample m) {
        return m.reachable() ? m.status() : m.status() + ", unreachable";
    }

    private static void mediaNodes(Map<String, MediaNodeSample> before, Map<String, MediaNodeSample> after,
                                   List<ConsoleEvent> events) {
        for (String id : union(before, after)) {
            MediaNodeSample was = before.get(id);
            MediaNodeSample is = after.get(id);
            if (was == null) {
                events.add(ConsoleEvent.of(Kind.MEDIA_NODE_JOINED, id, null, is.status()));
                continue;
            }
            if (is == null) {
                events.add(ConsoleEvent.of(Kind.MEDIA_NODE_LEFT, id, was.status(), null));
                continue;
            }
            if (was.reachable() && !is.reachable()) {
                events.add(ConsoleEvent.of(Kind.MEDIA_NODE_UNREACHABLE, id, null, null));
            } else if (!was.reachable() && is.reachable()) {
                events.add(ConsoleEvent.of(Kind.MEDIA_NODE_REACHABLE, id, null, null));
            }
            if (!Objects.equals(was.status(), is.status())) {
                events.add(ConsoleEvent.of(Kind.MEDIA_NODE_STATUS, id, was.status(), is.status()));
            }
        }
    }

    /**
     * Shard by shard: a shard that is the same object in both samples is unchanged and is read only when a media node
     * went down in between (its sessions are then waiting). Events of one kind are sorted by session id.
     */
    private static void sessions(ClusterSnapshot before, ClusterSnapshot after, int limit, List<ConsoleEvent> events) {
        List<ConsoleEvent> created = new ArrayList<>();
        List<ConsoleEvent> closed = new ArrayList<>();
        List<ConsoleEvent> moved = new ArrayList<>();
        List<ConsoleEvent> waiting = new ArrayList<>();
        Set<String> wentDown = new HashSet<>();
        before.mediaNodes().keySet().forEach(id -> {
            if (!down(before, id) && down(after, id)) {
                wentDown.add(id);
            }
        });
        List<Map<String, String>> wasShards = before.sessionShards();
        List<Map<String, String>> isShards = after.sessionShards();
        for (int shard = 0; shard < Math.max(wasShards.size(), isShards.size()); shard++) {
            Map<String, String> was = shard < wasShards.size() ? wasShards.get(shard) : Map.of();
            Map<String, String> is = shard < isShards.size() ? isShards.get(shard) : Map.of();
            if (was == is) {
                if (!wentDown.isEmpty()) {
                    is.forEach((id, node) -> {
                        if (wentDown.contains(node)) {
                            waiting.add(ConsoleEvent.of(Kind.SESSION_WAITING, id, node, null));
                        }
                    });
                }
                continue;
            }
            is.forEach((id, to) -> {
                String from = was.get(id);
                if (from == null) {
                    created.add(ConsoleEvent.of(Kind.SESSION_CREATED, id, null, to));
                } else if (!from.equals(to)) {
                    moved.add(ConsoleEvent.of(Kind.SESSION_MOVED, id, from, to));
                }
                // Waiting: its node went down (or away) in this sample and the route still names it.
                if (down(after, to) && (from == null || !from.equals(to) || !down(before, to))) {
                    waiting.add(ConsoleEvent.of(Kind.SESSION_WAITING, id, to, null));
                }
            });
            was.forEach((id, from) -> {
                if (!is.containsKey(id)) {
                    closed.add(ConsoleEvent.of(Kind.SESSION_CLOSED, id, from, null));
                }
            });
        }
        fold(created, "created", limit, events);
        fold(closed, "closed", limit, events);
        fold(moved, "moved", limit, events);
        fold(waiting, "waiting for placement", limit, events);
    }

    private static boolean down(ClusterSnapshot snapshot, String mediaNodeId) {
        MediaNodeSample node = snapshot.mediaNodes().get(mediaNodeId);
        return node == null || !node.reachable();
    }

    private static void fold(List<ConsoleEvent> sameKind, String what, int limit, List<ConsoleEvent> events) {
        if (sameKind.size() <= limit) {
            sameKind.sort(Comparator.comparing(ConsoleEvent::subject));
            events.addAll(sameKind);
        } else {
            events.add(ConsoleEvent.of(Kind.SESSIONS_SUMMARY, String.valueOf(sameKind.size()), null, what));
        }
    }

    private static TreeSet<String> union(Map<String, ?> a, Map<String, ?> b) {
        TreeSet<String> ids = new TreeSet<>(a.keySet());
        ids.addAll(b.keySet());
        return ids;
    }
}
