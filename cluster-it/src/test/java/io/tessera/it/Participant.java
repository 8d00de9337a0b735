package io.tessera.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;

import io.tessera.client.JoinResult;
import io.tessera.client.JsonRpcException;
import io.tessera.client.ServerEvent;
import io.tessera.client.SignallingClient;
import io.tessera.client.TesseraToken;
import io.tessera.it.history.ClientRecorder;
import io.tessera.it.history.History;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;

/** A test participant: an SDK client plus the list of every event it has taken from the client's queue. */
final class Participant implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(15);

    final String name;
    final SignallingClient client;
    private final List<ServerEvent> seen = new ArrayList<>(); // guarded by this
    private volatile ClientRecorder recorder; // null unless recorded into a history

    private Participant(String name, SignallingClient client) {
        this.name = name;
        this.client = client;
    }

    static Participant of(String name, SignallingClient client) {
        return new Participant(name, client);
    }

    static Participant connect(String name, URI webSocketUri) throws Exception {
        return new Participant(name, SignallingClient.builder(webSocketUri).connect());
    }

    /**
     * Records this participant into {@code history} from now on: every event, its joins, the messages it sends with
     * {@link #sendMessage} and its end. Call before joining.
     */
    Participant recordTo(History history) {
        recorder = ClientRecorder.attach(history, name, client);
        return this;
    }

    /** Sends a message, recorded when this participant is; {@code data} must be unique in the history. */
    CompletableFuture<JsonNode> sendMessage(List<String> to, String data) {
        ClientRecorder r = recorder;
        return r == null ? client.sendMessage(to, "signal:test", data) : r.sendMessage(to, "signal:test", data);
    }

    /** The JSON-RPC error a request ends with (a result, or another failure, fails the test). */
    static JsonRpcException rpcError(CompletableFuture<?> request) throws Exception {
        try {
            Object result = request.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("expected a JSON-RPC error, got a result: " + result);
        } catch (ExecutionException e) {
            JsonRpcException rpc = assertInstanceOf(JsonRpcException.class, e.getCause(), "failure: " + e.getCause());
            assertNotNull(rpc.errorMessage(), "an error message");
            return rpc;
        }
    }

    /** Joins with a token that may point at another master: the socket decides where we are. */
    JoinResult join(String token, String metadata) throws Exception {
        CompletableFuture<JoinResult> request = client.joinRoom(TesseraToken.parse(token), metadata);
        ClientRecorder r = recorder;
        return (r == null ? request : r.join(name, request)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Every event received so far, in order. */
    synchronized List<ServerEvent> events() {
        client.events().drainTo(seen);
        return List.copyOf(seen);
    }

    /** Waits for an event with this method that matches, and returns it. */
    ServerEvent awaitEvent(String method, Predicate<ServerEvent> match, String what) {
        return await(name + " receives " + what).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> events().stream().filter(e -> e.method().equals(method) && match.test(e))
                        .findFirst().orElse(null), e -> e != null);
    }

    /** The seq numbers of the session's events seen, which must be 1, 2, 3... (socket notices such as
     *  {@code masterLeaving} carry none). */
    List<Long> seqs() {
        return events().stream().map(ServerEvent::seq).filter(seq -> seq >= 0).toList();
    }

    List<Long> expectedSeqs() {
        return LongStream.rangeClosed(1, seqs().size()).boxed().toList();
    }

    String describeEvents() {
        List<String> lines = new ArrayList<>();
        for (ServerEvent e : events()) {
            lines.add(e.method() + " " + e.params());
        }
        return name + " saw " + lines;
    }

    @Override
    public void close() {
        client.close();
    }
}
