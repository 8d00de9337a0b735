package io.tessera.loadtest.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.common.cluster.Asks;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.SystemMaterializer;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The floor under a master's socket: a Pekko HTTP server (the master's HTTP stack and versions, default settings)
 * whose one WebSocket route answers each JSON-RPC request with a {@code pong}, through one stage and no actor. What a
 * socket costs this process is what the stack costs before any of Tessera's own work (the {@code ClientConnection}
 * actor, its outbox and timers, the rate limit, the silence timeout); {@link SocketFloorCommand} drives it with the
 * control-plane benchmark's own {@code socket} operation. Prints {@code listening <port>} once bound.
 */
public final class SocketFloorServer extends AllDirectives {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A request larger than this is not answered (the master's default limit is 64 KiB). */
    private static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private final ActorSystem<Void> system;

    private SocketFloorServer(ActorSystem<Void> system) {
        this.system = system;
    }

    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "socket-floor");
        ServerBinding binding = bind(system, host, port).toCompletableFuture().get();
        System.out.println("listening " + binding.localAddress().getPort());
        System.out.flush();
        system.getWhenTerminated().toCompletableFuture().get();
    }

    /** Binds the floor's one route on {@code host:port} (0: any free port) of {@code system}. */
    static CompletionStage<ServerBinding> bind(ActorSystem<Void> system, String host, int port) {
        return Http.get(system).newServerAt(host, port).bind(new SocketFloorServer(system).route());
    }

    private Route route() {
        return path("openvidu", () -> handleWebSocketMessages(Flow.of(Message.class)
                .mapAsync(1, this::answer)
                .filter(text -> !text.isEmpty())
                .map(TextMessage::create)));
    }

    /**
     * The pong to a request, or "" for what is not a JSON-RPC request with an id. A strict text (every frame a
     * client sends whole) is answered at once, as the master's {@code SignallingRoute} reads it; a streamed one is
     * collected first. No callback goes to the JDK's default executor: Pekko hands back Scala's stage, which runs a
     * plain {@code thenApply} there, and on two cores that executor starts a new thread per call
     * ({@link Asks#onDispatcher}). Until 2026-12-03 this server did, one thread per request: the floor it measured
     * then was too high (docs/BENCHMARKS.md).
     */
    private CompletionStage<String> answer(Message message) {
        if (!message.isText()) {
            return Asks.onDispatcher(message.asBinaryMessage().getStreamedData().runWith(
                    org.apache.pekko.stream.javadsl.Sink.ignore(), system), system.executionContext())
                    .thenApply(done -> "");
        }
        TextMessage text = message.asTextMessage();
        if (text.isStrict()) {
            return CompletableFuture.completedFuture(pong(text.getStrictText()));
        }
        return Asks.onDispatcher(text.toStrict(Duration.ofSeconds(5).toMillis(),
                        SystemMaterializer.get(system).materializer()), system.executionContext())
                .thenApply(strict -> pong(strict.getStrictText()));
    }

    static String pong(String request) {
        if (request.length() > MAX_MESSAGE_BYTES) {
            return "";
        }
        try {
            JsonNode id = JSON.readTree(request).get("id");
            if (id == null) {
                return "";
            }
            ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0");
            answer.set("id", id);
            answer.putObject("result").put("value", "pong");
            return JSON.writeValueAsString(answer);
        } catch (Exception e) {
            return "";
        }
    }
}
