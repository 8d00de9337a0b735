package io.tessera.master.demo;

import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The demo page on a master, under {@code /demo/}: static files built by the {@code demo} module, on the class path
 * under {@code tessera-demo/}. {@code /demo/js/} carries the unmodified openvidu-browser that the build installs from
 * npm. No authentication: the page and the library hold no secret, and a browser must be able to load them before
 * anyone has a token.
 */
public final class DemoRoutes extends AllDirectives {
    static final String RESOURCES = "tessera-demo";

    public Route route() {
        return pathPrefix("demo", () -> concat(
                // The library's file name carries its version, so a browser may keep it for good.
                pathPrefix("js", () -> get(() -> respondWithHeader(
                        RawHeader.create("Cache-Control", "public, max-age=31536000, immutable"),
                        () -> getFromResourceDirectory(RESOURCES + "/js"))))));
    }
}
