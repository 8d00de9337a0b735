package io.tessera.media.webrtc;

import java.util.concurrent.CompletionStage;

/**
 * Moves the WebRTC (ICE, DTLS-SRTP) media of a media node's sessions, beside the plain RTP {@code MediaEngine}. A
 * session is a room; an endpoint is a publisher (named by its participant's connection id) or one subscriber's
 * subscription to a publisher. Every call is asynchronous and ends within the engine's request timeout; a refusal
 * fails the stage with a {@link io.tessera.media.engine.MediaException} (inside a
 * {@link java.util.concurrent.CompletionException}) whose kind gives the client's error code.
 *
 * <p>Subscriptions are offered by the server ({@link #prepareSubscribe}, then {@link #startSubscribe} with the
 * client's answer): Janus's VideoRoom cannot answer a subscriber's offer.
 */
public interface WebRtcEngine extends AutoCloseable {

    /** Short name for logs and for joinRoom's decision of how browsers subscribe, e.g. {@code janus}. */
    String name();

    /**
     * Whether an SDP is WebRTC's (ICE credentials or a DTLS fingerprint): such offers go to this engine, plain RTP
     * ones to the plain RTP engine.
     */
    static boolean isWebRtc(String sdp) {
        return sdp.contains("a=ice-ufrag:") || sdp.contains("a=fingerprint:") || sdp.contains("UDP/TLS/RTP/SAVPF");
    }

    /**
     * Publishes the offer's media (audio and video in one offer) as stream {@code streamId} of publisher
     * {@code publisher} in room {@code room}; answers with the engine's SDP. {@code onUp} runs once, on an engine
     * thread, when the publisher's PeerConnection is up: only then can others subscribe.
     */
    CompletionStage<String> publish(String room, String publisher, String streamId, String sdpOffer, Runnable onUp);

    /** Offers {@code subscriber} the stream of {@code publisher}; answers with the engine's SDP offer. */
    CompletionStage<String> prepareSubscribe(String room, String publisher, String subscriber);

    /** Completes a subscription with the subscriber's answer. */
    CompletionStage<Void> startSubscribe(String room, String publisher, String subscriber, String sdpAnswer);

    /**
     * A trickled candidate of the peer of an endpoint ({@code subscriber} null: the publisher itself); an empty
     * {@code candidate} ends the peer's candidates. Candidates outside the node's ICE allow-list are dropped (and
     * counted); candidates for an endpoint that does not exist yet, or whose SDP is not set yet, are queued (bounded).
     */
    CompletionStage<Void> addCandidate(String room, String publisher, String subscriber, String candidate,
                                       String sdpMid, int sdpMLineIndex);

    /**
     * Forwards one stream ({@code mid}) of {@code publisher}'s live WebRTC stream, decrypted, as plain RTP to
     * {@code host:port} with SSRC {@code ssrc}; keyframe requests sent to the forward's {@code localRtcpPort} reach the
     * publisher (Janus sends its first packets there to {@code rtcpPort}). The forward ends with the publisher, or by
     * {@link #stopForward}.
     */
    CompletionStage<PlainForward> forwardPlain(String room, String publisher, String mid, String host, int port,
                                               int rtcpPort, long ssrc);

    /** Ends one forward early. Unknown ones are ignored. */
    void stopForward(String room, PlainForward forward);

    /**
     * A publisher's stream forwarded as plain RTP.
     *
     * @param id            the engine's id of the forward
     * @param feed          the engine's id of the publisher it forwards (a rebuilt stream is another one)
     * @param localRtcpPort where, on the engine's host, keyframe requests for it go
     */
    record PlainForward(long id, String feed, int localRtcpPort) {
    }

    /**
     * Makes the plain RTP stream {@code streamId} of {@code publisher} a publisher of the room that browsers subscribe
     * to as to any ({@link #prepareSubscribe} with {@code publisher}): the engine opens a port for its RTP, which must
     * arrive with the SSRC it names, and one for RTCP, where the keyframe requests of its subscribers come from once
     * something was sent there. Ended by {@link #unpublish}.
     *
     * @param media {@code audio} or {@code video}
     * @param codec the engine's codec name ({@code vp8}, {@code h264}, {@code opus}...)
     */
    CompletionStage<RemoteFeed> publishRemote(String room, String publisher, String streamId, String media,
                                              String codec);

    /** Where a remote publisher takes its plain RTP: host, ports, and the SSRC its packets must carry. */
    record RemoteFeed(String host, int port, int rtcpPort, long ssrc) {
    }

    /** Ends a publisher and every subscription to it. Unknown ones are ignored. */
    void unpublish(String room, String publisher);

    /** Ends one subscription. Unknown ones are ignored. */
    void unsubscribe(String room, String publisher, String subscriber);

    /** Ends every endpoint of a room and the room. */
    void closeRoom(String room);

    /**
     * From now on the engine relays no publisher's media while {@code fence} is closed (the media node is cut off or
     * downed: its sessions are or will be elsewhere), and relays it again on the same PeerConnections if it lifts.
     */
    void forwardOnlyWhileOpen(io.tessera.media.fencing.MediaFence fence);

    /** Counts for the node's metrics. */
    WebRtcStats stats();

    @Override
    void close();

    /**
     * @param publishers         publisher endpoints open now
     * @param subscribers        subscriber endpoints open now
     * @param handles            Janus handles the engine holds now (endpoints and the room manager)
     * @param rooms              rooms open now
     * @param candidatesRefused  remote candidates the allow-list dropped since start
     * @param candidatesQueued   candidates waiting for their endpoint now
     */
    record WebRtcStats(int publishers, int subscribers, int handles, int rooms, long candidatesRefused,
                       int candidatesQueued) {
    }
}
