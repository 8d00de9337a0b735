package io.tessera.master.session;

import io.tessera.wire.log.LogSafe;
import io.tessera.common.logging.SessionMdc;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.placement.MediaNodeState;
import io.tessera.master.placement.MediaNodes;
import io.tessera.master.placement.NodeStatusBroadcast;
import io.tessera.master.placement.PlacementMeters;
import io.tessera.master.placement.PlacementPolicy;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.PeerLookup;
import io.tessera.master.routing.Routes;
import io.tessera.master.routing.RoutingTable;
import io.tessera.master.routing.SessionRecord;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.wire.jsonrpc.LeaveReason;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The session operations of the OpenVidu API, shared by REST and signalling: placement on create,
 * records in the routing table, and the commands to the hosting media node. Failures complete the stage
 * with an {@link ApiError}.
 */
public final class SessionService {
    /**
     * HTTP 507: a token refused because its session's routing shard is full ({@code RoutingTable.ShardFull}). Not
     * 503: another master, or the same one later, refuses it as well until connections are deleted.
     */
    static final int INSUFFICIENT_STORAGE = 507;
    private static final Logger log = LoggerFactory.getLogger(SessionService.class);

    /** A validated session creation request. */
    public record NewSession(String customSessionId, String mediaMode, String recordingMode, String forcedVideoCodec,
                             boolean allowTranscoding, String defaultRecordingProperties, String mediaNodeId,
                             String priority) {
    }

    /** A validated connection creation request. */
    public record NewConnection(String role, boolean record, String serverData) {
    }

    /** What a participant needs to join: the session, its connection, and the media node hosting it. */
    public record JoinTicket(SessionRecord session, ConnectionRecord connection,
                             ActorRef<MediaNodeProtocol.Command> mediaNode) {
    }

    private final ActorSystem<?> system;
    private final Routes routing;
    private final MediaNodes mediaNodes;
    private final PlacementPolicy placement;
    private final Tokens tokens;
    private final Duration tokenTtl;
    private final MediaNodeClient mediaNodeClient;
    private final PlacementMeters meters;
    private final BooleanSupplier routesComplete;

    /** A table that is always complete (tests, and masters that never lose their table). */
    public SessionService(ActorSystem<?> system, Routes routing, MediaNodes mediaNodes, PlacementPolicy placement,
                          Tokens tokens, Duration tokenTtl, MediaNodeClient mediaNodeClient, PlacementMeters meters) {
        this(system, routing, mediaNodes, placement, tokens, tokenTtl, mediaNodeClient, meters, () -> true);
    }

    /**
     * @param routesComplete whether this master's routing table holds every route the media nodes host
     *                       ({@code RebuildGate.routesComplete}); while it does not, a session or participant it lacks
     *                       may still exist, so it is answered 503 (retry), not 404
     */
    public SessionService(ActorSystem<?> system, Routes routing, MediaNodes mediaNodes, PlacementPolicy placement,
                          Tokens tokens, Duration tokenTtl, MediaNodeClient mediaNodeClient, PlacementMeters meters,
                          BooleanSupplier routesComplete) {
        this.routesComplete = routesComplete;
        this.meters = meters;
        this.mediaNodeClient = mediaNodeClient;
        this.system = system;
        this.routing = routing;
        this.mediaNodes = mediaNodes;
        this.placement = placement;
        this.tokens = tokens;
        this.tokenTtl = tokenTtl;
    }

    public Tokens tokens() {
        return tokens;
    }

    /** The media nodes as this master's registry sees them (signalling asks whether a participant's node is gone). */
    public MediaNodes mediaNodes() {
        return mediaNodes;
    }

    /** How this master asks media nodes; signalling uses the same client. */
    public MediaNodeClient mediaNodeClient() {
        return mediaNodeClient;
    }

    // ---- sessions

    public CompletionStage<SessionRecord> createSession(NewSession request) {
        String sessionId = request.customSessionId() != null ? request.customSessionId() : Ids.sessionId();
        CompletionStage<Optional<SessionRecord>> existing = request.customSessionId() != null
                ? routing.lookupSession(sessionId) : CompletableFuture.completedFuture(Optional.empty());
        return existing.thenCompose(found -> {
            if (found.isPresent()) {
                throw new ApiError(ErrorCode.CONFLICT, "session " + sessionId + " already exists");
            }
            if (request.customSessionId() != null && !routesComplete.getAsBoolean()) {
                // An incomplete table may lack it while a media node hosts it: a second one would take its id.
                throw new ApiError(ErrorCode.UNAVAILABLE, "session " + sessionId + " cannot be created while this "
                        + "master's routing table is incomplete (its rebuild from the media nodes failed and is being "
                        + "retried): it may exist already; try again in a few seconds");
            }
            return host(request, sessionId, Set.of(), null).thenCompose(record -> routing.createSession(record)
                    .thenApply(outcome -> {
                        if (outcome == Routes.CreateOutcome.ALREADY_EXISTS) {
                            throw new ApiError(ErrorCode.CONFLICT, "session " + sessionId + " already exists");
                        }
                        try (SessionMdc mdc = SessionMdc.of(sessionId, null, record.mediaNodeId())) {
                            log.info("session {} created on media node {}", sessionId, record.mediaNodeId());
                        }
                        return record;
                    }));
        });
    }

    /**
     * Places a new session on an available node other than those that refused it for room ({@code refusedBy}, the
     * last refusal {@code lastRefusal}) and has it hosted there; the record to route is the answer. A node refuses
     * when it is full, and masters place by load reports a moment old, so near capacity a full node can be chosen
     * while another has room: the session goes to the other, and only when every available node refused is it 503.
     * A node that was named ({@code mediaNode.id}) is not replaced, nor one that did not answer (it may host the
     * session after all).
     */
    private CompletionStage<SessionRecord> host(NewSession request, String sessionId, Set<String> refusedBy,
                                                ApiError lastRefusal) {
        MediaNodeState node;
        try {
            node = chooseNode(request.mediaNodeId(), MediaNodeProtocol.PROTECTED.equals(request.priority()), refusedBy);
        } catch (ApiError e) {
            if (e.status() == ErrorCode.UNAVAILABLE.code()) {
                meters.placed(PlacementMeters.Outcome.NO_CAPACITY);
            }
            throw lastRefusal != null ? lastRefusal : e;
        }
        SessionRecord record = new SessionRecord(sessionId, System.currentTimeMillis(), node.id(), 1,
                request.priority(), request.customSessionId() == null ? "" : request.customSessionId(),
                request.mediaMode(), request.recordingMode(), request.forcedVideoCodec(), request.allowTranscoding(),
                request.defaultRecordingProperties());
        return mediaNodeClient.hostSession(node.report().manager(), sessionId, record.descriptor(record.epoch()))
                .thenCompose(reply -> {
                    if (reply instanceof MediaNodeClient.Rejected<Ack> refused && refused.noRoom()
                            && request.mediaNodeId() == null) {
                        meters.refusedForRoom();
                        log.info("media node {} has no room for session {} ({}); trying the other available nodes",
                                node.id(), sessionId, refused.message());
                        Set<String> refusing = new HashSet<>(refusedBy);
                        refusing.add(node.id());
                        return host(request, sessionId, refusing, new ApiError(refused.code(), refused.message()));
                    }
                    meters.placed(reply instanceof MediaNodeClient.Accepted<Ack>
                            ? PlacementMeters.Outcome.PLACED : PlacementMeters.Outcome.FAILED);
                    accepted(reply);
                    return CompletableFuture.completedFuture(record);
                });
    }

    private MediaNodeState chooseNode(String requestedNodeId, boolean protectedSession, Set<String> refusedBy) {
        long now = System.currentTimeMillis();
        if (requestedNodeId != null) {
            MediaNodeState node = mediaNodes.get(requestedNodeId)
                    .orElseThrow(() -> ApiError.badRequest("mediaNode " + requestedNodeId + " does not exist"));
            if (!mediaNodes.isAvailable(requestedNodeId)) {
                throw new ApiError(ErrorCode.UNAVAILABLE, "mediaNode " + requestedNodeId + " is not available (unreachable or not running)");
            }
            placement.remember(node.id(), now, protectedSession);
            return node;
        }
        List<MediaNodeState> candidates = refusedBy.isEmpty() ? mediaNodes.available()
                : mediaNodes.available().stream().filter(n -> !refusedBy.contains(n.id())).toList();
        return placement.place(candidates, now, protectedSession)
                .orElseThrow(() -> new ApiError(ErrorCode.UNAVAILABLE, "no media node is available to host a session"));
    }

    public CompletionStage<SessionRecord> session(String sessionId) {
        return routing.session(sessionId)
                .thenApply(found -> found.orElseThrow(() -> notFound("session " + sessionId + " not found")));
    }

    /** {@link #session} for a caller that only looks at the record and writes nothing of it back. */
    private CompletionStage<SessionRecord> lookedAt(String sessionId) {
        return routing.lookupSession(sessionId)
                .thenApply(found -> found.orElseThrow(() -> notFound("session " + sessionId + " not found")));
    }

    /**
     * Every session, for REST: read from a majority of masters together with this one, so that a session created
     * through any master is listed by every master on the next request (ARCHITECTURE.md "State").
     */
    public CompletionStage<List<SessionRecord>> sessions() {
        return routing.allSessionsFromMajority();
    }

    /** Every connection by session id, for REST's list of sessions: from a majority, as {@link #sessions()}. */
    public CompletionStage<java.util.Map<String, List<ConnectionRecord>>> connectionsBySession() {
        return routing.allConnectionsFromMajority();
    }

    /** The reason of a session closed through the REST API, and of its participants' leaving. */
    public static final String CLOSED_BY_SERVER = LeaveReason.SESSION_CLOSED_BY_SERVER.wireName();

    /** A session closed through the REST API: its record and the participants that were in it, in join order. */
    public record ClosedSession(SessionRecord session, List<ConnectionRecord> participants) {
    }

    /**
     * Removes the session from the routing table first (so no new join finds it), then closes it on its node.
     * Answers what the session was, read before the removal: the caller announces the close (the records are gone
     * by the time the node reports the session ended).
     */
    public CompletionStage<ClosedSession> closeSession(String sessionId) {
        return session(sessionId).thenCompose(record -> routing.connections(sessionId).exceptionally(error -> List.of())
                .thenCompose(connections -> routing.removeSession(sessionId).thenApply(removed -> {
            try (SessionMdc mdc = SessionMdc.of(sessionId, null, record.mediaNodeId())) {
                log.info("session {} closed through the REST API", sessionId);
            }
            mediaNodes.get(record.mediaNodeId()).ifPresent(node -> mediaNodeClient.closeSession(
                    node.report().manager(), sessionId, CLOSED_BY_SERVER));
            List<ConnectionRecord> participants = connections.stream()
                    .filter(c -> c.active() && c.activeAt() != null)
                    .sorted(java.util.Comparator.comparingLong(ConnectionRecord::activeAt)).toList();
            return new ClosedSession(record, participants);
        })));
    }

    // ---- connections

    public CompletionStage<ConnectionRecord> createConnection(String sessionId, NewConnection request) {
        // Only looked at (the token goes to the connections' shard), so a miss asks the other masters for this one
        // record. session() would read the whole shard from a majority: the third master, which Pekko's fixed
        // order of majority writes never sends another master's create, did that for nearly every token of the
        // sessions created through the second (4 400-4 900 majority reads per benchmark run, BENCHMARKS.md).
        return lookedAt(sessionId).thenCompose(record -> {
            if (!mediaNodes.isAvailable(record.mediaNodeId())) {
                throw new ApiError(ErrorCode.UNAVAILABLE, "media node " + record.mediaNodeId() + " of session " + sessionId
                        + " is not available; no token is issued that could not be used");
            }
            long now = System.currentTimeMillis();
            ConnectionRecord connection = new ConnectionRecord(Ids.connectionId(), sessionId, Ids.token(),
                    now + tokenTtl.toMillis(), request.role(), request.record(), request.serverData(), now,
                    ConnectionRecord.Status.PENDING.wireName(), null, null, null, null);
            return routing.putConnection(connection).exceptionally(error -> {
                if (ApiError.cause(error) instanceof RoutingTable.ShardFull full) {
                    throw new ApiError(INSUFFICIENT_STORAGE, full.getMessage());
                }
                throw error instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(error);
            }).thenApply(done -> {
                // The token itself never: its fingerprint lets a refused join be matched to this line.
                try (SessionMdc mdc = SessionMdc.of(sessionId, connection.connectionId(), record.mediaNodeId())) {
                    log.info("connection {} created in session {}, token {} valid until {}", connection.connectionId(),
                            sessionId, LogSafe.fingerprint(connection.token()),
                            java.time.Instant.ofEpochMilli(connection.tokenExpiresAt()));
                }
                return connection;
            });
        });
    }

    /** The session's connections, for REST: from a majority, so a token created through any master is listed. */
    public CompletionStage<List<ConnectionRecord>> connections(String sessionId) {
        return session(sessionId).thenCompose(record -> routing.connectionsFromMajority(sessionId));
    }

    public CompletionStage<ConnectionRecord> connection(String sessionId, String connectionId) {
        return session(sessionId).thenCompose(record -> routing.connection(sessionId, connectionId))
                .thenApply(found -> found.orElseThrow(() -> connectionNotFound(sessionId, connectionId)));
    }

    /** Revokes the token and, if the participant is in the session, evicts it. */
    public CompletionStage<Void> deleteConnection(String sessionId, String connectionId) {
        return session(sessionId).thenCompose(record -> routing.connection(sessionId, connectionId)
                .thenCompose(found -> {
                    ConnectionRecord connection = found.orElseThrow(() -> connectionNotFound(sessionId, connectionId));
                    return routing.removeConnection(sessionId, connectionId).thenApply(removed -> {
                        try (SessionMdc mdc = SessionMdc.of(sessionId, connectionId, record.mediaNodeId())) {
                            log.info("connection {} deleted from session {}: its token is revoked{}", connectionId,
                                    sessionId, connection.active() ? ", the participant evicted" : "");
                        }
                        if (connection.active()) {
                            mediaNodes.get(record.mediaNodeId()).ifPresent(node -> mediaNodeClient.evict(
                                    node.report().manager(), sessionId, connectionId,
                                    LeaveReason.FORCE_DISCONNECT_BY_SERVER.wireName()));
                        }
                        return null;
                    });
                }));
    }

    public CompletionStage<ConnectionRecord> updateConnection(String sessionId, String connectionId, String role,
                                                              Boolean record) {
        return session(sessionId).thenCompose(s -> routing.updateConnection(sessionId, connectionId,
                        c -> c.withRole(role != null ? role : c.role(), record != null ? record : c.record())))
                .thenApply(found -> found.orElseThrow(() -> connectionNotFound(sessionId, connectionId)));
    }

    /** Sends a signal from the server (REST) to the session's participants (all when {@code to} is empty). */
    public CompletionStage<Void> signal(String sessionId, List<String> to, String type, String data) {
        return session(sessionId).thenCompose(record -> {
            ActorRef<MediaNodeProtocol.Command> node = nodeOf(record);
            return mediaNodeClient.signal(node, sessionId, to, type, data)
                    .thenApply(reply -> {
                        accepted(reply);
                        return null;
                    });
        });
    }

    // ---- joining

    /** Checks a token against the session's connections and finds the media node to join on. */
    public CompletionStage<JoinTicket> authorizeJoin(String sessionId, String tokenOrUrl) {
        String token = Tokens.tokenValue(tokenOrUrl).orElseThrow(() -> new ApiError(ErrorCode.UNAUTHORIZED, "token is missing or malformed"));
        // Lookups: a session and a token created through another master a moment ago are asked of the other masters
        // record by record (RoutingTable.lookupSession); nothing here writes them.
        return routing.lookupSession(sessionId).thenCompose(found -> {
            SessionRecord session = found.orElseThrow(() -> notFound("session " + sessionId + " not found"));
            return routing.lookupConnection(sessionId, PeerLookup.ConnectionMatch.byToken(token))
                    .thenApply(connection -> {
                        ConnectionRecord c = connection.orElseThrow(
                                () -> new ApiError(ErrorCode.UNAUTHORIZED, "token is not valid for session " + sessionId));
                        if (System.currentTimeMillis() > c.tokenExpiresAt()) {
                            throw new ApiError(ErrorCode.UNAUTHORIZED, "token has expired");
                        }
                        if (c.active()) {
                            // A token is one participation; a lost socket resumes with 'connect' instead.
                            throw new ApiError(ErrorCode.CONFLICT, "token is in use by connection " + c.connectionId()
                                    + "; resume it with 'connect', or ask the application for a new token");
                        }
                        return new JoinTicket(session, c, nodeOf(session));
                    });
        });
    }

    /**
     * The same ticket with the session's route read again from the majority of masters: the media node refused a join
     * through {@code stale}'s route ({@link MediaNodeProtocol#isStaleRoute}: this master's replica lagged behind a
     * move). 404 when the session ended meanwhile.
     */
    public CompletionStage<JoinTicket> rereadRoute(JoinTicket stale) {
        String sessionId = stale.session().sessionId();
        return routing.sessionFromMajority(sessionId).thenApply(found -> {
            SessionRecord session = found.orElseThrow(() -> notFound("session " + sessionId + " not found"));
            log.info("session {}: joining at {} (epoch {}) instead of {} (epoch {}), as the majority's route says",
                    sessionId, session.mediaNodeId(), session.epoch(), stale.session().mediaNodeId(),
                    stale.session().epoch());
            return new JoinTicket(session, stale.connection(), nodeOf(session));
        });
    }

    /**
     * Finds where a participant that is resuming lives: its session, its connection and the session's media
     * node. The resume secret is checked by the media node, which alone knows it.
     */
    public CompletionStage<JoinTicket> locateForResume(String sessionId, String connectionId) {
        return routing.lookupSession(sessionId).thenCompose(found -> {
            SessionRecord session = found.orElseThrow(() -> notFound("session " + sessionId
                    + " not found (it ended); join again"));
            return routing.lookupConnection(sessionId, PeerLookup.ConnectionMatch.byId(connectionId))
                    .thenApply(connection -> new JoinTicket(session, connection.orElseThrow(() -> notFound(
                            "connection " + connectionId + " is no longer in session " + sessionId
                                    + " (its grace window passed, or it left); join again")), nodeOf(session)));
        });
    }

    private ActorRef<MediaNodeProtocol.Command> nodeOf(SessionRecord session) {
        if (!mediaNodes.isAvailable(session.mediaNodeId())) {
            throw new ApiError(ErrorCode.UNAVAILABLE, "media node " + session.mediaNodeId() + " of session " + session.sessionId()
                    + " is not available");
        }
        return mediaNodes.get(session.mediaNodeId()).orElseThrow().report().manager();
    }

    /**
     * Tells a media node its status ({@code running} / {@code draining}), then the placement of every reachable
     * master; completes (with the node's previous state) only when all of them applied it, so that no session
     * created after the answer lands on a node that is no longer running. 503 when a master did not confirm.
     */
    public CompletionStage<MediaNodeState> setMediaNodeStatus(String nodeId, String status, long drainDeadlineMillis) {
        MediaNodeState node = mediaNodes.get(nodeId).orElseThrow(() -> ApiError.notFound("media node " + nodeId + " not found"));
        return mediaNodeClient.setStatus(node.report().manager(), status, drainDeadlineMillis)
                .thenApply(SessionService::accepted)
                .thenCompose(ack -> NodeStatusBroadcast.apply(system, nodeId, status, drainDeadlineMillis,
                        mediaNodeClient.timeout())
                        .handle((masters, error) -> {
                            if (error != null) {
                                throw new ApiError(ErrorCode.UNAVAILABLE, "media node " + nodeId + " is " + status
                                        + ", but not every master confirmed it (" + ApiError.cause(error).getMessage()
                                        + "); send the request again");
                            }
                            log.info("media node {} is {} in the placement of {} master(s)", nodeId, status, masters);
                            return node;
                        }));
    }

    /** A media node's answer, or its refusal (silence: 503) as an ApiError with the same code. */
    private static <T> T accepted(MediaNodeClient.Reply<T> reply) {
        if (reply instanceof MediaNodeClient.Rejected<T> rejected) {
            throw new ApiError(rejected.code(), rejected.message());
        }
        return ((MediaNodeClient.Accepted<T>) reply).value();
    }

    /**
     * A session or participant this master's table lacks: 404, unless the table is incomplete (its rebuild from the
     * media nodes failed or timed out and is retried), where it may well exist on a media node: 503, so that a client
     * retries (openvidu-browser and the SDKs give up on a 404, and a resuming client would be told its session ended).
     */
    private ApiError notFound(String what) {
        if (routesComplete.getAsBoolean()) {
            return ApiError.notFound(what);
        }
        return new ApiError(ErrorCode.UNAVAILABLE, what + " in this master's routing table, which is incomplete: its "
                + "rebuild from the media nodes failed and is being retried; try again in a few seconds");
    }

    private ApiError connectionNotFound(String sessionId, String connectionId) {
        return notFound("connection " + connectionId + " not found in session " + sessionId);
    }
}
