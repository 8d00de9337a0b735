package io.tessera.master.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.common.protocol.MediaNodeStatus;
import io.tessera.master.cluster.ClusterView;
import io.tessera.master.cluster.MediaNodeViews;
import io.tessera.master.fencing.ServingGate;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.SessionRecord;
import io.tessera.master.placement.MediaFailover;
import io.tessera.master.views.JsonViews;
import io.tessera.master.session.ApiError;
import io.tessera.master.webhook.WebhookEvent;
import io.tessera.master.webhook.Webhooks;
import org.apache.pekko.actor.typed.ActorRef;
import io.tessera.master.session.Ids;
import io.tessera.master.medianode.SessionStreams;
import io.tessera.master.session.LiveMedia;
import io.tessera.master.session.SessionService;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The OpenVidu 2 REST API under {@code /openvidu/api}, behind HTTP Basic auth with the cluster secret, plus
 * Tessera's {@code /cluster} extension. Every error is a JSON body
 * {@code {"status":..,"error":..,"message":..,"path":..}}; nothing unexpected leaks a stack trace.
 */
public final class RestApi extends AllDirectives {
    private static final Logger log = LoggerFactory.getLogger(RestApi.class);

    private final SessionService sessions;
    private final ClusterView cluster;
    private final BasicCredentials credentials;

    private final ActorRef<MediaFailover.Command> failover;
    private final Webhooks webhooks;
    private final LiveMedia liveMedia;
    private final ServingGate gate;
    private final Route route;

    public RestApi(SessionService sessions, ClusterView cluster, String secret, ActorRef<MediaFailover.Command> failover,
                   Webhooks webhooks, LiveMedia liveMedia, ServingGate gate) {
        this.liveMedia = liveMedia;
        this.gate = gate;
        this.failover = failover;
        this.webhooks = webhooks;
        this.sessions = sessions;
        this.cluster = cluster;
        this.credentials = new BasicCredentials(secret);
        this.route = build();
    }

    /**
     * The route, built once. Pekko HTTP's Java DSL evaluates a directive's inner route per request, so a tree written
     * inline is rebuilt for every request, handlers included; here only the leaves that capture a request's values
     * (an id, a body) are (docs/BENCHMARKS.md "The REST route built once").
     */
    public Route route() {
        return route;
    }

    private Route build() {
        Route api = api();
        Route authenticated = authenticated(api);
        // A master that is downed, leaving or fenced answers 503 at once, before it reads credentials or a body.
        Route serving = extractRequest(request -> gate.refusal()
                .<Route>map(message -> errorAtPath(503, message))
                .orElse(authenticated));
        Route openviduApi = pathPrefix("openvidu", () -> pathPrefix("api", () -> serving));
        Route rejectionsHandled = handleRejections(REJECTIONS, () -> openviduApi);
        Route rejectionsAsJson = extractUri(uri -> mapResponse(response -> asJsonError(response, uri.path()),
                () -> rejectionsHandled));
        return handleExceptions(exceptions(), () -> rejectionsAsJson);
    }

    /** The API's tree; a lambda that returns a local route returns the one built here, not a new one. */
    private Route api() {
        Route sessionList = concat(
                post(() -> body(body -> respond(sessions.createSession(RequestBodies.newSession(body))
                        .thenApply(this::announceCreated)
                        .thenApply(this::newSessionJson)))),
                get(() -> pending(pending -> respond(sessions.sessions().thenCompose(all -> sessionsJson(all, pending))))));
        Route sessionsRoute = concat(
                pathEnd(() -> sessionList),
                pathPrefix(PathMatchers.segment(), sessionId -> validId(sessionId, "session", () -> session(sessionId))));
        Route tokens = post(() -> body(this::legacyToken));
        Route signal = post(() -> body(this::signal));
        Route mediaNodeList = get(() -> complete(json(200, JsonViews.page(cluster.mediaNodes(), MediaNodeViews::mediaNode))));
        Route mediaNodes = concat(
                pathEnd(() -> mediaNodeList),
                path(PathMatchers.segment(), id -> concat(
                        get(() -> complete(cluster.mediaNode(id)
                                .map(n -> json(200, MediaNodeViews.mediaNode(n)))
                                .orElseGet(() -> error(404, "media node " + id + " not found",
                                        "/openvidu/api/media-nodes/" + id)))),
                        patch(() -> body(b -> setMediaNodeStatus(id, b))))));
        Route health = get(() -> complete(json(200, JsonViews.MAPPER.createObjectNode().put("status", "UP"))));
        Route clusterRoute = get(() -> respond(cluster.json()));
        return concat(
                pathPrefix("sessions", () -> sessionsRoute),
                path("tokens", () -> tokens),
                path("signal", () -> signal),
                pathPrefix("media-nodes", () -> mediaNodes),
                path("health", () -> health),
                path("cluster", () -> clusterRoute));
    }

    /** {@code /sessions/{sessionId}...}: built per request, as it holds the id. */
    private Route session(String sessionId) {
        return concat(
                pathEnd(() -> concat(
                        get(() -> pending(pending -> respond(sessions.session(sessionId)
                                .thenCompose(s -> sessionJson(s, pending))))),
                        delete(() -> noContent(sessions.closeSession(sessionId)
                                .thenAccept(this::announceClosed))))),
                pathPrefix("connection", () -> concat(
                        pathEnd(() -> concat(
                                post(() -> body(body -> respond(sessions.createConnection(sessionId,
                                                RequestBodies.newConnection(body))
                                        .thenApply(this::connectionJson)))),
                                get(() -> pending(pending -> respond(sessions.connections(sessionId)
                                        .thenCompose(cs -> connectionsJson(sessionId, visible(cs, pending)))
                                        .thenApply(views -> JsonViews.page(views, view -> view))))))),
                        path(PathMatchers.segment(), connectionId -> validId(connectionId, "connection",
                                () -> connection(sessionId, connectionId))))));
    }

    /** {@code /sessions/{sessionId}/connection/{connectionId}}. */
    private Route connection(String sessionId, String connectionId) {
        return concat(
                get(() -> respond(sessions.connection(sessionId, connectionId)
                        .thenCompose(c -> connectionsJson(sessionId, List.of(c)))
                        .thenApply(views -> views.get(0)))),
                delete(() -> noContent(sessions.deleteConnection(sessionId, connectionId))),
                patch(() -> body(body -> respond(sessions.updateConnection(sessionId, connectionId,
                                body.has("role") ? RequestBodies.oneOf(body, "role", RequestBodies.ROLES, null) : null,
                                body.has("record") ? RequestBodies.bool(body, "record", true) : null)
                        .thenCompose(c -> connectionsJson(sessionId, List.of(c)))
                        .thenApply(views -> views.get(0))))));
    }

    // ---- handlers that need more than one line

    /** The master that created a session is the one that announces it (every master would be too many). */
    private SessionRecord announceCreated(SessionRecord record) {
        webhooks.publish(WebhookEvent.sessionCreated(record.sessionId(), record.createdAt()));
        return record;
    }

    /**
     * The master that closed a session announces it, as OpenVidu does: {@code participantLeft} for each participant
     * still there, in join order, then {@code sessionDestroyed}, all with reason {@code sessionClosedByServer} and
     * the session's start time from its record (the one {@code sessionCreated} carried).
     */
    private void announceClosed(SessionService.ClosedSession closed) {
        SessionRecord s = closed.session();
        for (ConnectionRecord c : closed.participants()) {
            webhooks.publish(WebhookEvent.participantLeft(s.sessionId(), s.createdAt(), c, SessionService.CLOSED_BY_SERVER));
        }
        webhooks.publish(WebhookEvent.sessionDestroyed(s.sessionId(), s.createdAt(), SessionService.CLOSED_BY_SERVER));
    }

    /**
     * {@code PATCH /media-nodes/{id}} {@code {"status":"draining","deadline":"2026-11-24T10:00:00Z"}} (or
     * {@code "deadline": <seconds from now>}): no new session goes there, and at the deadline the sessions still
     * there are moved to other nodes; {@code {"status":"running"}} undoes it. What the AWS scale-in hook calls.
     */
    private Route setMediaNodeStatus(String id, ObjectNode body) {
        RequestBodies.StatusChange change = RequestBodies.mediaNodeStatus(body, 3_600_000L);
        String status = change.status();
        long deadline = change.deadlineMillis();
        return respond(sessions.setMediaNodeStatus(id, status, deadline).thenApply(node -> {
            String old = node.report().status();
            if (MediaNodeStatus.DRAINING.wireName().equals(status)) {
                failover.tell(new MediaFailover.Drain(id, deadline));
            } else {
                failover.tell(new MediaFailover.CancelDrain(id));
            }
            if (!old.equals(status)) {
                webhooks.publish(WebhookEvent.mediaNodeStatusChanged(id, old, status));
            }
            ObjectNode json = MediaNodeViews.mediaNode(node);
            json.put("status", status);
            json.remove("drainDeadline"); // the node's answer is the new state; its last report is older
            if (MediaNodeStatus.DRAINING.wireName().equals(status)) {
                json.put("drainDeadline", java.time.Instant.ofEpochMilli(deadline).toString());
            }
            return json;
        }));
    }

    /** OpenVidu's deprecated {@code POST /tokens}: a connection whose token is the answer's id. */
    private Route legacyToken(ObjectNode body) {
        String sessionId = RequestBodies.string(body, "session", null);
        if (sessionId == null) {
            throw ApiError.badRequest("'session' is required");
        }
        if (!Ids.isValidId(sessionId)) {
            throw ApiError.notFound("session " + sessionId + " not found");
        }
        SessionService.NewConnection request = new SessionService.NewConnection(
                RequestBodies.oneOf(body, "role", RequestBodies.ROLES, "PUBLISHER"),
                RequestBodies.bool(body, "record", true), RequestBodies.data(body));
        return respond(sessions.createConnection(sessionId, request)
                .thenApply(c -> JsonViews.legacyToken(c, sessions.tokens()::url)));
    }

    private Route signal(ObjectNode body) {
        String sessionId = RequestBodies.string(body, "session", null);
        if (sessionId == null) {
            throw ApiError.badRequest("'session' is required");
        }
        List<String> to = RequestBodies.stringList(body, "to");
        String type = RequestBodies.string(body, "type", "signal");
        String data = RequestBodies.data(body);
        CompletionStage<Void> sent = sessions.signal(sessionId, to, type, data).exceptionally(error -> {
            Throwable cause = ApiError.cause(error);
            // OpenVidu answers 406 when a recipient is not connected.
            if (cause instanceof ApiError api && api.status() == 404 && api.getMessage().startsWith("signal recipient")) {
                throw new ApiError(406, api.getMessage());
            }
            throw error instanceof RuntimeException r ? r : new RuntimeException(error);
        });
        return respond(sent.thenApply(done -> JsonViews.MAPPER.createObjectNode()));
    }

    /**
     * A session this request has just created, from its record: it has no connection yet (a token needs the session
     * first) and no media, so neither a majority read of its connections nor an ask of its media node is needed, which
     * were about 6 of a create's 10 messages between nodes and two of its round trips (docs/BENCHMARKS.md "Wire census
     * per operation").
     */
    private JsonNode newSessionJson(SessionRecord created) {
        return JsonViews.session(created, List.of(), sessions.tokens()::url, SessionStreams.none());
    }

    private CompletionStage<JsonNode> sessionJson(SessionRecord session, boolean pendingConnections) {
        return liveMedia.of(session).thenCompose(media -> sessionJson(session, pendingConnections, media));
    }

    private CompletionStage<JsonNode> sessionJson(SessionRecord session, boolean pendingConnections,
                                                  SessionStreams media) {
        return sessions.connections(session.sessionId())
                .exceptionally(error -> List.of())
                .thenApply(cs -> JsonViews.session(session, visible(cs, pendingConnections), sessions.tokens()::url, media));
    }

    /**
     * Every session, with one media request per media node for all of them (not one per session), and one read of
     * all connections (not one per session).
     */
    private CompletionStage<JsonNode> sessionsJson(List<SessionRecord> all, boolean pendingConnections) {
        return liveMedia.of(all).thenCombine(sessions.connectionsBySession(), (media, connections) ->
                JsonViews.page(all, s -> JsonViews.session(s, visible(connections.getOrDefault(s.sessionId(), List.of()),
                        pendingConnections), sessions.tokens()::url, media.get(s.sessionId()))));
    }

    /** Connections of a session with their streams, as the session's media node describes them. */
    private CompletionStage<List<JsonNode>> connectionsJson(String sessionId, List<ConnectionRecord> connections) {
        return sessions.session(sessionId).thenCompose(liveMedia::of)
                .thenApply(media -> connections.stream()
                        .<JsonNode>map(c -> JsonViews.connection(c, sessions.tokens()::url, media)).toList());
    }

    /** OpenVidu lists only active connections unless {@code pendingConnections=true}. */
    private static List<ConnectionRecord> visible(List<ConnectionRecord> connections, boolean pending) {
        return pending ? connections : connections.stream().filter(ConnectionRecord::active).toList();
    }

    private JsonNode connectionJson(ConnectionRecord c) {
        return JsonViews.connection(c, sessions.tokens()::url);
    }

    // ---- directives

    private Route authenticated(Route inner) {
        return optionalHeaderValueByName("Authorization", header -> credentials.accepts(header.orElse(null)) ? inner
                : extractUri(uri -> complete(error(401, "missing or wrong credentials: use HTTP Basic OPENVIDUAPP:<secret>",
                        uri.path()).addHeader(WWWAuthenticate.create(HttpChallenge.createBasic("Tessera"))))));
    }

    private Route validId(String id, String kind, Supplier<Route> inner) {
        if (!Ids.isValidId(id)) {
            return complete(error(400, "invalid " + kind + " id: use " + Ids.VALID_ID_RULE, null));
        }
        return inner.get();
    }

    private Route body(Function<ObjectNode, Route> inner) {
        return entity(Unmarshaller.entityToString(), text -> inner.apply(RequestBodies.object(text)));
    }

    private Route pending(Function<Boolean, Route> inner) {
        return parameterOptional("pendingConnections", value -> inner.apply(value.map("true"::equalsIgnoreCase).orElse(false)));
    }

    private Route respond(CompletionStage<? extends JsonNode> result) {
        return extractUri(uri -> completeWithFuture(result.handle((body, error) -> error == null
                ? json(200, body) : failure(error, uri.path()))));
    }

    private Route noContent(CompletionStage<Void> result) {
        return extractUri(uri -> completeWithFuture(result.handle((done, error) -> error == null
                ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT) : failure(error, uri.path()))));
    }

    static HttpResponse failure(Throwable error, String path) {
        Throwable cause = ApiError.cause(error);
        if (cause instanceof ApiError api) {
            return error(api.status(), api.getMessage(), path);
        }
        if (cause instanceof java.util.concurrent.TimeoutException) {
            // An ask inside this master (the replicator, a media node) that got no answer in time: the master is
            // overloaded or a peer is slow, not broken. Retryable, so 503, not a 500 with a stack trace in the log.
            log.warn("no answer in time serving {}: {}", path, cause.getMessage());
            return error(503, "this master got no answer in time from the cluster; try again", path);
        }
        log.error("unexpected failure serving {}", path, cause);
        return error(500, "internal error; see the master's log", path);
    }

    /**
     * The same answers as a failed future ({@link #failure}: an {@link ApiError}'s own status, 503 for an ask that
     * timed out, 500 for the unknown), and 413 for a body over the limit, thrown or wrapped.
     */
    private ExceptionHandler exceptions() {
        return ExceptionHandler.newBuilder()
                .matchAny(e -> ApiError.cause(e) instanceof EntityStreamSizeException size ? bodyTooLarge(size)
                        : extractUri(uri -> complete(failure(e, uri.path()))))
                .build();
    }

    /** Pekko's answers to rejected requests, with an oversized body told apart from a malformed one. */
    private static final RejectionHandler REJECTIONS = RejectionHandler.newBuilder()
            // Pekko reports an oversized body as malformed content, with the exception's name in the text.
            .handle(MalformedRequestContentRejection.class, rejection -> {
                if (rejection.getCause() instanceof EntityStreamSizeException size) {
                    return bodyTooLarge(size);
                }
                return errorAtPath(400, "request body is not valid: " + rejection.message()
                        .replaceAll("[A-Za-z.]*Exception: ", ""));
            })
            .build()
            .withFallback(RejectionHandler.defaultHandler());

    /**
     * Pekko's default rejection answers are plain text; every error of this API is the JSON error body. Our own
     * answers are JSON already, and a success is never changed.
     */
    private static HttpResponse asJsonError(HttpResponse response, String path) {
        if (response.status().intValue() >= 400 && response.entity() instanceof HttpEntity.Strict strict
                && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
            String message = strict.getData().utf8String();
            return error(response.status().intValue(), message.isBlank() ? response.status().reason() : message, path)
                    .addHeaders(response.getHeaders());
        }
        return response;
    }

    private static Route bodyTooLarge(EntityStreamSizeException size) {
        return errorAtPath(413, "request body is larger than the limit of " + size.limit() + " bytes");
    }

    private static Route errorAtPath(int status, String message) {
        return Directives.extractUri(uri -> Directives.complete(error(status, message, uri.path())));
    }

    /** A JSON answer; the console's endpoints answer with it too. */
    public static HttpResponse json(int status, JsonNode body) {
        return HttpResponse.create().withStatus(StatusCodes.get(status))
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
    }

    /**
     * The error shape every master endpoint answers with ({@code timestamp}, {@code status}, {@code error},
     * {@code message}, {@code path}), the REST API's and the console's alike, so a client reads one.
     */
    public static HttpResponse error(int status, String message, String path) {
        StatusCode code = StatusCodes.lookup(status).orElse(StatusCodes.INTERNAL_SERVER_ERROR);
        ObjectNode body = JsonViews.MAPPER.createObjectNode();
        body.put("timestamp", System.currentTimeMillis());
        body.put("status", code.intValue());
        body.put("error", code.reason());
        body.put("message", message);
        if (path != null) {
            body.put("path", path);
        }
        return json(code.intValue(), body);
    }
}
