package io.tessera.media.engine;

/**
 * Moves the media of a media node's sessions. The control plane (the {@code Session} actors) opens and
 * closes endpoints through this interface; how packets move is the engine's business. Offers and answers
 * are SDP text whatever the engine, so a WebRTC engine can come later behind the same calls.
 *
 * <p>Implementations are thread-safe: sessions call them from different dispatcher threads.
 */
public interface MediaEngine extends AutoCloseable {

    /** Short name for logs and the cluster view, e.g. {@code plain-rtp}. */
    String name();

    /**
     * Opens the receiving side of a new stream and answers where its publisher sends media.
     *
     * @param streamId unique on this node
     * @param sdpOffer the publisher's offer (its own address, ports and codecs)
     * @return the SDP answer
     */
    String publish(String streamId, String sdpOffer) throws MediaException;

    /**
     * Starts forwarding a stream to one subscriber, from now on.
     *
     * @param subscriberId unique among this stream's subscribers (the subscriber's connection id)
     * @param sdpOffer     the subscriber's offer (where it receives media)
     * @return the SDP answer (where media comes from, where its RTCP feedback goes)
     */
    String subscribe(String streamId, String subscriberId, String sdpOffer) throws MediaException;

    /** Stops a stream and every subscription to it, releasing their resources. Unknown ids are ignored. */
    void unpublish(String streamId);

    /** Stops one subscription, releasing its resources. Unknown ids are ignored. */
    void unsubscribe(String streamId, String subscriberId);

    /** Totals since start; cheap enough to call once a second. */
    MediaStats stats();

    /** Releases every resource; the engine cannot be used afterwards. */
    @Override
    void close();
}
