package io.tessera.master.session;

import io.tessera.common.protocol.MediaNodeProtocol.DescribeSessions;
import io.tessera.common.protocol.MediaNodeProtocol.SessionMedia;
import io.tessera.common.protocol.MediaNodeProtocol.SessionsMedia;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.medianode.SessionStreams;
import io.tessera.master.placement.MediaNodeState;
import io.tessera.master.placement.MediaNodes;
import io.tessera.master.routing.SessionRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The streams of sessions, for the REST views: asked of each session's media node when a view is built, because
 * the node is the ground truth (masters keep no copy that could drift, miss a notice, or be empty on a master that
 * started later). One request per media node for any number of sessions, bounded by {@code within}; a node that is
 * gone, unreachable or silent gives an {@link SessionStreams} that says so instead of streams, and never fails the view.
 */
public final class LiveMedia {

    private final MediaNodes mediaNodes;
    private final MediaNodeClient client;
    private final Duration within;

    public LiveMedia(MediaNodes mediaNodes, MediaNodeClient client, Duration within) {
        this.mediaNodes = mediaNodes;
        this.client = client;
        this.within = within;
    }

    /** The media of every session in {@code sessions}, by session id; the stage never fails. */
    public CompletionStage<Map<String, SessionStreams>> of(Collection<SessionRecord> sessions) {
        Map<String, List<String>> byNode = new HashMap<>();
        sessions.forEach(s -> byNode.computeIfAbsent(s.mediaNodeId(), n -> new ArrayList<>()).add(s.sessionId()));
        Map<String, SessionStreams> answers = new ConcurrentHashMap<>(); // filled by the nodes' answers, on their threads
        List<CompletableFuture<Void>> asks = new ArrayList<>();
        byNode.forEach((nodeId, ids) -> {
            Optional<MediaNodeState> node = mediaNodes.get(nodeId);
            if (node.isEmpty() || !node.get().reachable()) {
                SessionStreams unknown = SessionStreams.unknown("media node " + nodeId + (node.isEmpty() ? " is not in the cluster"
                        : " is not reachable"));
                ids.forEach(id -> answers.put(id, unknown));
                return;
            }
            for (int from = 0; from < ids.size(); from += DescribeSessions.MAX_DESCRIBED) {
                List<String> part = ids.subList(from, Math.min(ids.size(), from + DescribeSessions.MAX_DESCRIBED));
                asks.add(client.describe(node.get().report().manager(), part, within)
                        .thenAccept(reply -> record(nodeId, part, reply, answers)).toCompletableFuture());
            }
        });
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> Map.copyOf(answers));
    }

    /** The media of one session. */
    public CompletionStage<SessionStreams> of(SessionRecord session) {
        return of(List.of(session)).thenApply(all -> all.get(session.sessionId()));
    }

    private static void record(String nodeId, List<String> ids, MediaNodeClient.Reply<SessionsMedia> reply,
                               Map<String, SessionStreams> answers) {
        if (reply instanceof MediaNodeClient.Rejected<SessionsMedia> rejected) {
            SessionStreams unknown = SessionStreams.unknown("media node " + nodeId + ": " + rejected.message());
            ids.forEach(id -> answers.put(id, unknown));
            return;
        }
        SessionsMedia media = ((MediaNodeClient.Accepted<SessionsMedia>) reply).value();
        Map<String, SessionMedia> described = new HashMap<>();
        media.sessions().forEach(s -> described.put(s.sessionId(), s));
        for (String id : ids) {
            SessionMedia session = described.get(id);
            if (session != null) {
                answers.put(id, SessionStreams.of(session));
            } else if (media.error() != null) {
                answers.put(id, SessionStreams.unknown("media node " + nodeId + ": " + media.error()));
            } else {
                // Routed there but not hosted (yet, or any more): it holds no participants, so no streams.
                answers.put(id, SessionStreams.none());
            }
        }
    }
}
