package io.tessera.master.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.master.rest.BasicCredentials;
import io.tessera.master.rest.RestApi;
import io.tessera.master.views.JsonViews;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * The operator console on a master: the page under {@code /console/} (static files built by the {@code console}
 * module, on the class path under {@code tessera-console/}), and its three endpoints, all behind the REST API's
 * secret: {@code /console/api/login} (check the credential; 401 without a Basic challenge, so browsers show the
 * page's error instead of their own dialog), {@code /console/api/masters} (where the other masters' consoles are)
 * and {@code /console/api/feed} (the live timeline as Server-Sent Events). Everything else the page does goes
 * through the REST API. {@link #withCors} lets a console loaded from one master call the others.
 */
public final class ConsoleRoutes extends AllDirectives {
    static final String RESOURCES = "tessera-console";
    /** Tells a pre-materialized feed source to complete (a refused or failed subscription). */
    private static final ConsoleEvent END = new ConsoleEvent(-1, 0, "end", "", null, null);

    /**
     * @param clientBuffer events queued for one console that does not read; past it the feed to that console
     *                     fails and the page reconnects with its last event id
     * @param keepAlive    an SSE comment this often, so proxies and the page see a live stream when nothing happens
     */
    public record Settings(int clientBuffer, Duration keepAlive, Duration askTimeout) {
    }

    private final ActorSystem<?> system;
    private final ActorRef<ConsoleFeed.Command> feed;
    private final MasterDirectory directory;
    private final BasicCredentials auth;
    private final Settings settings;

    public ConsoleRoutes(ActorSystem<?> system, ActorRef<ConsoleFeed.Command> feed, MasterDirectory directory,
                         String secret, Settings settings) {
        this.system = system;
        this.feed = feed;
        this.directory = directory;
        this.auth = new BasicCredentials(secret);
        this.settings = settings;
    }

    public Route route() {
        return pathPrefix("console", () -> concat(
                pathEnd(() -> redirect(org.apache.pekko.http.javadsl.model.Uri.create("/console/"),
                        StatusCodes.PERMANENT_REDIRECT)),
                pathSingleSlash(() -> get(() -> respondWithHeader(RawHeader.create("Cache-Control", "no-cache"),
                        () -> getFromResource(RESOURCES + "/index.html", ContentTypes.TEXT_HTML_UTF8)))),
                pathPrefix("api", () -> authenticated(() -> concat(
                        path("login", () -> get(() -> complete(RestApi.json(200, JsonViews.MAPPER.createObjectNode()
                                .put("master", directory.selfId()))))),
                        path("masters", () -> get(() -> complete(RestApi.json(200, masters())))),
                        path("feed", () -> get(this::feed)),
                        extractUri(uri -> complete(RestApi.error(404, "no such console endpoint", uri.path())))))),
                pathPrefix("assets", () -> get(() -> respondWithHeader(
                        RawHeader.create("Cache-Control", "public, max-age=31536000, immutable"),
                        () -> getFromResourceDirectory(RESOURCES + "/assets"))))));
    }

    /**
     * CORS for the masters' own origins only: a console loaded from master-1 keeps working through master-2 when
     * master-1 dies, which means calling master-2's REST API and feed from master-1's origin. Any other origin gets
     * no CORS headers, so browsers keep it out as before.
     */
    public Route withCors(Route inner) {
        return optionalHeaderValueByName("Origin", origin -> {
            if (origin.isEmpty() || !directory.isMasterOrigin(origin.get())) {
                return inner;
            }
            List<HttpHeader> headers = List.of(
                    RawHeader.create("Access-Control-Allow-Origin", origin.get()),
                    RawHeader.create("Vary", "Origin"));
            return respondWithHeaders(headers, () -> concat(
                    options(() -> complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT).addHeaders(List.of(
                            RawHeader.create("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE"),
                            RawHeader.create("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID"),
                            RawHeader.create("Access-Control-Max-Age", "600"))))),
                    inner));
        });
    }

    private Route authenticated(Supplier<Route> inner) {
        return extractUri(uri -> optionalHeaderValueByName("Authorization", header -> auth.accepts(header.orElse(null))
                ? inner.get()
                : complete(RestApi.error(401, header.isPresent()
                        ? "wrong secret: the master refused OPENVIDUAPP and the secret given"
                        : "no credential: log in with the cluster secret (TESSERA_SECRET)", uri.path()))));
    }

    private ObjectNode masters() {
        ObjectNode root = JsonViews.MAPPER.createObjectNode();
        root.put("self", directory.selfId());
        ArrayNode list = root.putArray("masters");
        directory.masters().forEach((id, url) -> list.addObject().put("id", id).put("url", url));
        return root;
    }

    private Route feed() {
        return optionalHeaderValueByName("Last-Event-ID", lastId -> extractUri(uri -> {
            long after = parseSeq(lastId);
            Pair<ActorRef<ConsoleEvent>, Source<ConsoleEvent, NotUsed>> stream = ActorSource.<ConsoleEvent>actorRef(
                            e -> e == END, e -> Optional.empty(), settings.clientBuffer(), OverflowStrategy.fail())
                    .preMaterialize(system);
            CompletionStage<ConsoleFeed.SubscribeReply> reply = AskPattern.ask(feed,
                    replyTo -> new ConsoleFeed.Subscribe(stream.first(), after, replyTo),
                    settings.askTimeout(), system.scheduler());
            return onComplete(reply, result -> {
                if (result.isSuccess() && result.get() instanceof ConsoleFeed.Subscribed) {
                    Source<ServerSentEvent, NotUsed> events = stream.second()
                            .map(e -> ServerSentEvent.create(e.toJson(), "cluster", String.valueOf(e.seq())))
                            .keepAlive(settings.keepAlive(), ServerSentEvent::heartbeat);
                    return completeOK(events, EventStreamMarshalling.toEventStream());
                }
                stream.first().tell(END);
                stream.second().runWith(org.apache.pekko.stream.javadsl.Sink.ignore(), system);
                String message = result.isSuccess() && result.get() instanceof ConsoleFeed.Refused refused
                        ? refused.reason() : "the console feed did not answer in time; try again";
                return complete(RestApi.error(503, message, uri.path()));
            });
        }));
    }

    private static long parseSeq(Optional<String> lastEventId) {
        try {
            return lastEventId.map(String::trim).map(Long::parseLong).filter(n -> n >= 0).orElse(0L);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
