package io.tessera.master.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.master.session.ApiError;
import io.tessera.master.views.JsonViews;
import io.tessera.master.session.SessionService;
import io.tessera.wire.jsonrpc.ErrorCode;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Issues the demo page's tokens: what an application server does for an OpenVidu app, done by the master itself so the
 * page needs no server of its own and the browser never holds the cluster secret. Anyone who reaches the endpoint gets
 * a token for any session, so it is for demos only and off unless {@code TESSERA_DEMO=on}.
 */
@FunctionalInterface
public interface DemoTokens {
    /** A token URL for {@code connect(token)}, and the connection it belongs to. */
    record DemoToken(String sessionId, String connectionId, String token) {
    }

    CompletionStage<DemoToken> issue(DemoTokenRequest request);

    /** Creates the session when it does not exist yet (as OpenVidu's tutorials' application servers do). */
    static DemoTokens through(SessionService sessions) {
        ObjectMapper mapper = JsonViews.MAPPER;
        return request -> {
            String sessionId = request.sessionId();
            CompletionStage<?> exists = sessions.session(sessionId).handle((found, error) -> {
                if (error == null) {
                    return CompletableFuture.completedFuture(found);
                }
                if (ApiError.cause(error) instanceof ApiError api && api.status() == ErrorCode.NOT_FOUND.code()) {
                    return sessions.createSession(newSession(sessionId)).exceptionally(createError -> {
                        // Another page created it in the meantime: join that one.
                        if (ApiError.cause(createError) instanceof ApiError conflict
                                && conflict.status() == ErrorCode.CONFLICT.code()) {
                            return null;
                        }
                        throw createError instanceof RuntimeException r ? r : new RuntimeException(createError);
                    });
                }
                throw error instanceof RuntimeException r ? r : new RuntimeException(error);
            }).thenCompose(stage -> stage);
            // The name the master vouches for travels as the connection's server data: others see it in
            // connection.data after the page's own clientData.
            String serverData = mapper.createObjectNode().put("userName", request.userName()).toString();
            return exists.thenCompose(done -> sessions.createConnection(sessionId,
                            new SessionService.NewConnection("PUBLISHER", false, serverData)))
                    .thenApply(c -> new DemoToken(c.sessionId(), c.connectionId(),
                            sessions.tokens().url(c.sessionId(), c.token())));
        };
    }

    private static SessionService.NewSession newSession(String sessionId) {
        return new SessionService.NewSession(sessionId, "ROUTED", "MANUAL", "MEDIA_SERVER_PREFERRED", false, null,
                null, "best-effort");
    }
}
