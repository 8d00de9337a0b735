package io.tessera.it.history;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.client.JoinResult;
import io.tessera.client.ServerEvent;
import io.tessera.client.SignallingClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Records one SDK client into a {@link History}: every event it hands to the application (through its event
 * listener, so the test's own reading of the queue is untouched), its end, its joins and the messages it sends.
 */
public final class ClientRecorder {
    private final History history;
    private final String client;
    private final SignallingClient sdk;

    private ClientRecorder(History history, String client, SignallingClient sdk) {
        this.history = history;
        this.client = client;
        this.sdk = sdk;
    }

    /** Replaces the client's {@code onEvent} and {@code onClose} listeners with the recording ones. */
    public static ClientRecorder attach(History history, String client, SignallingClient sdk) {
        ClientRecorder recorder = new ClientRecorder(history, client, sdk);
        sdk.onEvent(recorder::event);
        sdk.onClose(close -> history.left(client, "client ended: " + close));
        return recorder;
    }

    public History history() {
        return history;
    }

    /** Records a join request and, when it succeeds, the join (connection id and starting seq). */
    public CompletableFuture<JoinResult> join(String connectionHint, CompletableFuture<JoinResult> request) {
        return history.track(client, "joinRoom", connectionHint, List.of(), request).thenApply(joined -> {
            history.joined(client, joined.sessionId(), joined.connectionId(), joined.seq());
            return joined;
        });
    }

    /** Sends a message whose {@code data} is unique in the history (the checker tells deliveries apart by it). */
    public CompletableFuture<JsonNode> sendMessage(List<String> to, String type, String data) {
        return history.track(client, "sendMessage", data, to, sdk.sendMessage(to, type, data));
    }

    private void event(ServerEvent e) {
        history.eventReceived(client, e.method(), e.seq(), keyOf(e), e.param("from"));
    }

    /** What an event is about, for the checks that group by it. */
    static String keyOf(ServerEvent e) {
        return switch (e.method()) {
            case "sendMessage" -> e.param("data");
            case "participantJoined", "participantPublished" -> e.param("id");
            case "participantLeft", "participantUnpublished", "participantEvicted" -> e.param("connectionId");
            case "mediaNodeFailed" -> e.param("mediaNodeId");
            default -> null;
        };
    }
}
