package io.tessera.client;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Publishes and subscribes through a {@link SignallingClient} and does it again by itself when the session's
 * media node fails: on {@code mediaNodeFailed} it publishes again with the same options (same offer, so the
 * same local RTP ports) and, as the other participants' streams are announced on the new node, subscribes to
 * them again with the offers used before. The participant keeps its id; only the media node and the stream
 * ids change. The application hears the new answers through {@link #onRepublished} and {@link #onResubscribed}
 * and points its RTP sender or receiver at the new node.
 */
public final class MediaRecovery {

    /** A subscription made again after its session moved: the new stream id and the new node's answer. */
    public record Resubscribed(String publisherConnectionId, String streamId, String sdpAnswer) {
    }

    private final SignallingClient client;
    private volatile PublishOptions published;
    /** Offers by the connection id of the publisher received; bounded by the session's participants. */
    private final Map<String, String> subscriptions = new ConcurrentHashMap<>();
    /** Streams waiting to be announced on the new node, by publisher connection id. */
    private final Map<String, String> awaitingStreams = new ConcurrentHashMap<>();
    private volatile Consumer<PublishResult> republished = r -> { };
    private volatile Consumer<Resubscribed> resubscribed = r -> { };
    private volatile Consumer<Throwable> failed = e -> { };
    private final AtomicLong recoveries = new AtomicLong();

    private MediaRecovery(SignallingClient client) {
        this.client = client;
    }

    /** Watches {@code client}'s events; publish and subscribe through the returned object from now on. */
    public static MediaRecovery attach(SignallingClient client) {
        MediaRecovery recovery = new MediaRecovery(Objects.requireNonNull(client, "client"));
        client.addEventHook(recovery::onEvent);
        return recovery;
    }

    /** {@link SignallingClient#publishVideo}, remembered for a recovery. */
    public CompletableFuture<PublishResult> publish(PublishOptions options) {
        published = Objects.requireNonNull(options, "options");
        return client.publishVideo(options);
    }

    /** {@link SignallingClient#receiveVideoFrom}, remembered (by publisher) for a recovery. */
    public CompletableFuture<String> subscribe(String publisherConnectionId, String streamId, String sdpOffer) {
        subscriptions.put(Objects.requireNonNull(publisherConnectionId, "publisherConnectionId"), sdpOffer);
        return client.receiveVideoFrom(streamId, sdpOffer);
    }

    /** Called with the new publish result after a recovery; point the RTP sender at its answer. */
    public MediaRecovery onRepublished(Consumer<PublishResult> listener) {
        republished = Objects.requireNonNull(listener);
        return this;
    }

    /** Called for each subscription made again after a recovery. */
    public MediaRecovery onResubscribed(Consumer<Resubscribed> listener) {
        resubscribed = Objects.requireNonNull(listener);
        return this;
    }

    /** Called when publishing or subscribing again failed. */
    public MediaRecovery onFailure(Consumer<Throwable> listener) {
        failed = Objects.requireNonNull(listener);
        return this;
    }

    /** Media node failures this participant went through. */
    public long recoveries() {
        return recoveries.get();
    }

    private void onEvent(ServerEvent event) {
        switch (event.method()) {
            case "mediaNodeFailed" -> {
                recoveries.incrementAndGet();
                awaitingStreams.clear();
                subscriptions.keySet().forEach(id -> awaitingStreams.put(id, id));
                PublishOptions options = published;
                if (options != null) {
                    client.publishVideo(options).whenComplete((result, error) -> {
                        if (error != null) {
                            failed.accept(error);
                        } else {
                            republished.accept(result);
                        }
                    });
                }
            }
            case "participantPublished" -> {
                String publisher = event.param("id");
                if (publisher != null && awaitingStreams.remove(publisher) != null && !event.streams().isEmpty()) {
                    String streamId = event.streams().get(0).streamId();
                    String offer = subscriptions.get(publisher);
                    client.receiveVideoFrom(streamId, offer).whenComplete((answer, error) -> {
                        if (error != null) {
                            failed.accept(error);
                        } else {
                            resubscribed.accept(new Resubscribed(publisher, streamId, answer));
                        }
                    });
                }
            }
            case "participantLeft", "participantUnpublished" -> {
                String gone = event.param("connectionId");
                if (gone != null) {
                    awaitingStreams.remove(gone);
                    if (event.method().equals("participantLeft")) {
                        subscriptions.remove(gone);
                    }
                }
            }
            default -> {
                // other events do not concern media
            }
        }
    }
}
