package io.tessera.master.rebuild;

import io.tessera.common.protocol.MediaNodeProtocol.HostedSession;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.SessionDescriptor;
import io.tessera.master.routing.SessionRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the media nodes' inventories into session records: one winner per session (the highest route epoch; on a tie
 * the lowest node id, so every master picks the same), and the other copies, to be released.
 */
final class InventoryMerge {
    private InventoryMerge() {
    }

    /** A session to route again, with the participants its node holds. */
    record Route(SessionRecord record, List<ParticipantInfo> participants) {
    }

    /** A copy that lost to a higher epoch (or to a lower node id on a tie). */
    record Loser(String sessionId, String mediaNodeId, long epoch) {
    }

    record Result(List<Route> routes, List<Loser> losers) {
    }

    private record Copy(String mediaNodeId, SessionDescriptor descriptor, List<ParticipantInfo> participants) {
        long epoch() {
            return descriptor.epoch();
        }
    }

    /** @param inventories every answering node's sessions (pages concatenated; a session may appear several times) */
    static Result merge(Map<String, List<HostedSession>> inventories, long nowMillis) {
        Map<String, Map<String, Copy>> copies = new LinkedHashMap<>();
        inventories.forEach((nodeId, sessions) -> {
            for (HostedSession s : sessions) {
                Copy known = copies.computeIfAbsent(s.sessionId(), id -> new LinkedHashMap<>()).get(nodeId);
                List<ParticipantInfo> participants = new ArrayList<>(known == null ? List.of() : known.participants());
                participants.addAll(s.participants());
                SessionDescriptor descriptor = s.descriptor() != null ? s.descriptor()
                        : known != null ? known.descriptor() : placedByJoin(s.sessionId(), s.participants(), nowMillis);
                copies.get(s.sessionId()).put(nodeId, new Copy(nodeId, descriptor, participants));
            }
        });
        List<Route> routes = new ArrayList<>();
        List<Loser> losers = new ArrayList<>();
        copies.forEach((sessionId, byNode) -> {
            List<Copy> ranked = byNode.values().stream()
                    .sorted(Comparator.comparingLong(Copy::epoch).reversed().thenComparing(Copy::mediaNodeId)).toList();
            Copy winner = ranked.get(0);
            routes.add(new Route(SessionRecord.of(sessionId, winner.mediaNodeId(), winner.descriptor()),
                    List.copyOf(winner.participants())));
            ranked.subList(1, ranked.size()).forEach(c -> losers.add(new Loser(sessionId, c.mediaNodeId(), c.epoch())));
        });
        routes.sort(Comparator.comparingLong(r -> r.record().createdAt()));
        return new Result(routes, losers);
    }

    /**
     * A session the node started at a first join whose placement message was lost: it never got its properties, so
     * it gets the defaults of a create without a body, and epoch 0 (any placed copy wins over it).
     */
    private static SessionDescriptor placedByJoin(String sessionId, List<ParticipantInfo> participants, long nowMillis) {
        long createdAt = participants.stream().mapToLong(ParticipantInfo::createdAt).min().orElse(nowMillis);
        return new SessionDescriptor(createdAt, 0, "best-effort", sessionId, "ROUTED", "MANUAL",
                "MEDIA_SERVER_PREFERRED", false, null);
    }
}
