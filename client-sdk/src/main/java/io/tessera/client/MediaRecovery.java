package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Publishes and subscribes through a {@link SignallingClient} and does it again by itself when the session's
 * media node fails: on {@code mediaNodeFailed} it publishes again with the same options (same offer, so the
 * same local RTP ports) and, at the same time, subscribes again to every stream it received, with the offers used
 * before and the streams' old ids: the new node holds each such offer until the stream's publisher has published
 * there again and answers it then, naming the new stream id (docs/CONTRACT.md, {@code receiveVideoFrom} after a
 * move). So a subscriber waits for no event and no second round trip: its media comes back as soon as the
 * publisher's does. When the node refuses the early offer (an older node, or a publisher that took longer than the
 * node holds an offer) it subscribes again as the publisher's stream is announced ({@code participantPublished}).
 * The participant keeps its id; only the media node and the stream ids change. The application hears the new
 * answers through {@link #onRepublished} and {@link #onResubscribed} and points its RTP sender or receiver at the
 * new node.
 */
public final class MediaRecovery {

    /** A subscription made again after its session moved: the new stream id and the new node's answer. */
    public record Resubscribed(String publisherConnectionId, String streamId, String sdpAnswer) {
    }

    /** A subscription to remember for a recovery: the stream's id and the offer it was made with. */
    private record Subscription(String streamId, String sdpOffer) {
    }

    /**
     * Where one subscription's recovery is: its early offer is with the node ({@code early}, with the stream id
     * announced meanwhile, if any), or it waits for the stream to be announced.
     */
    private static final class Recovering {
        final boolean early;
        String announcedStreamId; // guarded by the map of them

        Recovering(boolean early) {
            this.early = early;
        }
    }

    private final SignallingClient client;
    private volatile PublishOptions published;
    /** By the connection id of the publisher received; bounded by the session's participants. */
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /**
     * Subscriptions being made again after a failure, by publisher connection id; a subset of the above. Its changes
     * that depend on what it held (an early offer's refusal against the announcement of the stream) are made while
     * holding it.
     */
    private final Map<String, Recovering> recovering = new ConcurrentHashMap<>();
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
        subscriptions.put(Objects.requireNonNull(publisherConnectionId, "publisherConnectionId"),
                new Subscription(Objects.requireNonNull(streamId, "streamId"), sdpOffer));
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
                subscriptions.forEach(this::subscribeEarly);
            }
            case "participantPublished" -> {
                String publisher = event.param("id");
                if (publisher == null || event.streams().isEmpty()) {
                    return;
                }
                String streamId = event.streams().get(0).streamId();
                boolean subscribeNow = false;
                synchronized (recovering) {
                    Recovering r = recovering.get(publisher);
                    if (r != null && r.early) {
                        r.announcedStreamId = streamId; // the early offer answers; if refused, subscribed with this id
                    } else if (r != null) {
                        subscribeNow = recovering.remove(publisher, r);
                    }
                }
                if (subscribeNow) {
                    subscribeAgain(publisher, streamId);
                }
            }
            case "participantLeft", "participantUnpublished" -> {
                String gone = event.param("connectionId");
                if (gone != null) {
                    recovering.remove(gone);
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

    /** The old stream's id and offer, sent at once: the new node answers once the publisher published there again. */
    private void subscribeEarly(String publisher, Subscription old) {
        Recovering r = new Recovering(true);
        recovering.put(publisher, r);
        client.receiveVideoFromResult(old.streamId(), old.sdpOffer()).whenComplete((result, error) -> {
            if (error == null) {
                String answer;
                try {
                    answer = JsonRpcCodec.requiredText(result, "sdpAnswer", "receiveVideoFrom");
                } catch (RuntimeException e) {
                    recovering.remove(publisher, r);
                    failed.accept(e);
                    return;
                }
                JsonNode id = result.get("id");
                String streamId = id != null && id.isTextual() ? id.asText() : old.streamId();
                if (recovering.remove(publisher, r)) {
                    subscriptions.computeIfPresent(publisher, (k, s) -> new Subscription(streamId, s.sdpOffer()));
                    resubscribed.accept(new Resubscribed(publisher, streamId, answer));
                }
                return;
            }
            // Refused: subscribe as the stream is announced; it may have been already.
            String announced = null;
            synchronized (recovering) {
                if (recovering.get(publisher) == r) {
                    announced = r.announcedStreamId;
                    if (announced != null) {
                        recovering.remove(publisher);
                    } else {
                        recovering.put(publisher, new Recovering(false));
                    }
                }
            }
            if (announced != null) {
                subscribeAgain(publisher, announced);
            }
        });
    }

    private void subscribeAgain(String publisher, String streamId) {
        Subscription old = subscriptions.get(publisher);
        if (old == null) {
            return; // it left meanwhile
        }
        client.receiveVideoFrom(streamId, old.sdpOffer()).whenComplete((answer, error) -> {
            if (error != null) {
                failed.accept(error);
            } else {
                subscriptions.computeIfPresent(publisher, (k, s) -> new Subscription(streamId, s.sdpOffer()));
                resubscribed.accept(new Resubscribed(publisher, streamId, answer));
            }
        });
    }
}
