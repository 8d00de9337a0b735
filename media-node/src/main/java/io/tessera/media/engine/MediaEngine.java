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

    /**
     * Opens a stream fed by another engine on this host (a browser's stream that the WebRTC engine forwards as plain
     * RTP): its packets are taken from any port of {@code source}, its subscribers are told {@code format} and
     * {@code ssrc}, and their keyframe requests go where {@link #relayFeedbackTo} says once the feeder exists.
     *
     * @return the RTP port to send to (RTCP on the next one)
     */
    int publishRelay(String streamId, String media, io.tessera.wire.sdp.RtpFormat format, long ssrc,
                     java.net.InetAddress source) throws MediaException;

    /** Where a relayed stream's keyframe requests go. Unknown ids are ignored. */
    void relayFeedbackTo(String streamId, java.net.InetSocketAddress target);

    /**
     * Sends a stream to another engine on this host with every packet's SSRC set to {@code ssrc} (a plain RTP stream
     * to Janus's remote publisher); keyframe requests from {@code rtcpTarget}'s host go to the publisher.
     */
    void subscribeRewriting(String streamId, String subscriberId, java.net.InetSocketAddress rtpTarget,
                            java.net.InetSocketAddress rtcpTarget, long ssrc) throws MediaException;

    /** The address the engine receives on: where another engine on this host sends a relayed stream. */
    String bindAddress();

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
