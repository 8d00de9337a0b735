package io.tessera.master.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tessera.master.rest.RestApi;
import io.tessera.master.session.ApiError;
import io.tessera.master.views.JsonViews;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * The demo page on a master, under {@code /demo/}: static files of the {@code demo} module, on the class path under
 * {@code tessera-demo/} ({@code js/} carries the unmodified openvidu-browser that the build installs from npm), and
 * its two endpoints: {@code GET /demo/api/config} (whether this master issues demo tokens) and
 * {@code POST /demo/api/token} (a token for a session by name, created when missing; off unless
 * {@code TESSERA_DEMO=on}, because anyone who reaches it may join any session). No authentication anywhere here:
 * the page holds no secret.
 */
public final class DemoRoutes extends AllDirectives {
    static final String RESOURCES = "tessera-demo";
    /** A token request is two short strings; anything much larger is not the page talking. */
    static final long MAX_BODY_BYTES = 4096;
    static final String OFF_MESSAGE = "demo tokens are off on this master: start it with TESSERA_DEMO=on"
            + " (insecure: anyone who reaches the master may join any session; bin/cluster start turns it on locally)";
    private static final Logger log = LoggerFactory.getLogger(DemoRoutes.class);
    private static final ObjectMapper MAPPER = JsonViews.MAPPER;

    private final boolean tokensEnabled;
    private final DemoTokens tokens;

    /** @param tokensEnabled {@code tessera.master.demo.enabled} ({@code TESSERA_DEMO}) */
    public DemoRoutes(boolean tokensEnabled, DemoTokens tokens) {
        this.tokensEnabled = tokensEnabled;
        this.tokens = tokens;
    }

    public Route route() {
        return pathPrefix("demo", () -> concat(
                pathEnd(() -> redirect(Uri.create("/demo/"), StatusCodes.PERMANENT_REDIRECT)),
                pathSingleSlash(() -> get(() -> noCache(
                        () -> getFromResource(RESOURCES + "/index.html", ContentTypes.TEXT_HTML_UTF8)))),
                pathPrefix("api", () -> extractUri(uri -> concat(
                        path("config", () -> get(() -> complete(RestApi.json(200, MAPPER.createObjectNode()
                                .put("tokens", tokensEnabled)
                                .put("message", tokensEnabled ? "" : OFF_MESSAGE))))),
                        path("token", () -> concat(post(() -> token(uri.path())),
                                complete(RestApi.error(405, "use POST with {\"sessionId\":\"...\",\"userName\":\"...\"}",
                                        uri.path())))),
                        complete(RestApi.error(404, "no such demo endpoint (POST /demo/api/token, GET /demo/api/config)",
                                uri.path()))))),
                // The library's file name carries its version, so a browser may keep it for good.
                pathPrefix("js", () -> get(() -> respondWithHeader(
                        RawHeader.create("Cache-Control", "public, max-age=31536000, immutable"),
                        () -> getFromResourceDirectory(RESOURCES + "/js")))),
                // The page's own script and style change with the code: always revalidated.
                get(() -> noCache(() -> getFromResourceDirectory(RESOURCES + "/app")))));
    }

    private Route token(String path) {
        if (!tokensEnabled) {
            return complete(RestApi.error(403, OFF_MESSAGE, path));
        }
        return withSizeLimit(MAX_BODY_BYTES, () -> handleRejections(RejectionHandler.newBuilder()
                        .handle(MalformedRequestContentRejection.class, rejection -> complete(
                                rejection.getCause() instanceof EntityStreamSizeException
                                        ? RestApi.error(413, "request body is larger than " + MAX_BODY_BYTES + " bytes", path)
                                        : RestApi.error(400, "request body cannot be read", path)))
                        .build(),
                () -> entity(Unmarshaller.entityToString(), body -> {
                    DemoTokenRequest request;
                    try {
                        request = DemoTokenRequest.parse(body);
                    } catch (ApiError e) {
                        return complete(RestApi.error(e.status(), e.getMessage(), path));
                    }
                    return completeWithFuture(tokens.issue(request).handle((token, failure) -> failure == null
                            ? RestApi.json(200, MAPPER.createObjectNode().put("token", token.token())
                                    .put("sessionId", token.sessionId()).put("connectionId", token.connectionId()))
                            : failed(failure, path)));
                })));
    }

    private Route noCache(Supplier<Route> inner) {
        return respondWithHeader(RawHeader.create("Cache-Control", "no-cache"), inner);
    }

    private static HttpResponse failed(Throwable failure, String path) {
        if (ApiError.cause(failure) instanceof ApiError api) {
            return RestApi.error(api.status(), api.getMessage(), path);
        }
        log.error("demo token for {} failed", path, ApiError.cause(failure));
        return RestApi.error(500, "internal error; see the master's log", path);
    }
}
