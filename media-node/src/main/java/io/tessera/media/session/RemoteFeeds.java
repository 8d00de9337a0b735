package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol.PrepareSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.media.engine.MediaEngine;
import io.tessera.media.engine.MediaException;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.wire.sdp.RtpFormat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Browsers subscribing to a plain RTP stream, run on the {@link Session}'s actor beside {@link SessionMedia}: the
 * node makes the stream a <em>remote publisher</em> of the session's room in the WebRTC engine (Janus VideoRoom
 * {@code add_remote_publisher}), re-sends its packets there with the SSRC Janus expects (a rewriting subscription of
 * the plain RTP engine), and browsers subscribe by server offer as to any WebRTC stream. Keyframe requests of the
 * browsers come back on that subscription's RTCP port and go to the plain publisher.
 *
 * <p>A feed is made at the stream's first browser subscriber and lives as long as the stream: it goes with it
 * (unpublish, leave, the session's end), which ends its browser subscriptions. One per plain RTP stream.
 */
final class RemoteFeeds {
    /** Browsers that may wait for one feed to be set up. */
    static final int MAX_WAITING = 64;
    /** The plain RTP engine's subscriber id of a feed; no connection id can take it (ids are [A-Za-z0-9_-]). */
    static final String FEED_SUBSCRIBER = "~webrtc-feed";

    private static final class Feed {
        final String streamId;
        final List<Waiter> waiting = new ArrayList<>();
        boolean ready;

        Feed(String streamId) {
            this.streamId = streamId;
        }
    }

    private record Waiter(Participant subscriber, Participant publisher, PrepareSubscribe prepare) {
    }

    private final SessionMedia media;
    private final MediaEngine engine;
    private final Map<String, Feed> feeds = new HashMap<>(); // by stream id

    RemoteFeeds(SessionMedia media, MediaEngine engine) {
        this.media = media;
        this.engine = engine;
    }

    /** Whether browsers can subscribe to this plain RTP stream now. */
    boolean ready(String streamId) {
        Feed feed = feeds.get(streamId);
        return feed != null && feed.ready;
    }

    /** Whether the stream has a feed (being set up or ready). */
    boolean has(String streamId) {
        return feeds.containsKey(streamId);
    }

    /** A browser's {@code prepareReceiveVideoFrom} for {@code publisher}'s plain RTP stream. */
    void prepare(Participant p, Participant publisher, PrepareSubscribe prepare) {
        String streamId = prepare.streamId();
        Optional<String> codec = webRtcCodec(publisher);
        if (codec.isEmpty()) {
            RtpFormat format = publisher.plainOffer == null ? null : publisher.plainOffer.firstFormat();
            prepare.replyTo().tell(SdpReply.failure(ErrorCode.UNSUPPORTED_MEDIA, "stream " + streamId + " is "
                    + (format == null ? "of an unknown codec" : format.encoding() + "/" + format.clockRate())
                    + ", which a browser cannot receive through the WebRTC engine (VP8, VP9, H264, opus, PCMU, PCMA)"));
            return;
        }
        Feed feed = feeds.get(streamId);
        if (feed != null && feed.ready) {
            media.subscriptions().offerSubscription(p, publisher, prepare);
            return;
        }
        if (feed == null) {
            feed = new Feed(streamId);
            feeds.put(streamId, feed);
            open(publisher, feed, codec.get());
        }
        if (feed.waiting.size() >= MAX_WAITING) {
            prepare.replyTo().tell(SdpReply.failure(ErrorCode.UNAVAILABLE, "too many subscribers wait for stream "
                    + streamId + " to be offered to browsers (" + MAX_WAITING + "); try again"));
            return;
        }
        feed.waiting.add(new Waiter(p, publisher, prepare));
    }

    /** The plain RTP stream ended: its feed goes, and its browser subscriptions with it. */
    void streamEnded(Participant publisher, String streamId) {
        if (feeds.remove(streamId) != null) {
            media.webrtc().unpublish(media.sessionId(), publisher.connectionId());
            // the rewriting subscription goes with the stream in the plain RTP engine
        }
    }

    /** A subscription failed because the engine no longer has the feed (Janus restarted): the next one makes it anew. */
    void lost(Participant publisher, String streamId) {
        if (feeds.remove(streamId) != null) {
            engine.unsubscribe(streamId, FEED_SUBSCRIBER);
            media.webrtc().unpublish(media.sessionId(), publisher.connectionId());
        }
    }

    // --- internals ---

    private void open(Participant publisher, Feed feed, String codec) {
        String streamId = feed.streamId;
        media.whenDone(media.webrtc().publishRemote(media.sessionId(), publisher.connectionId(), streamId,
                publisher.plainOffer.media(), codec), (remote, error) -> {
            if (feeds.get(streamId) != feed) {
                return; // the stream ended meanwhile; its unpublish removed the feed in the engine
            }
            List<Waiter> waiting = List.copyOf(feed.waiting);
            feed.waiting.clear();
            SdpReply refusal = null;
            if (error != null) {
                refusal = media.failure(error, SdpReply::failure);
            } else {
                try {
                    engine.subscribeRewriting(streamId, FEED_SUBSCRIBER,
                            new InetSocketAddress(remote.host(), remote.port()),
                            new InetSocketAddress(remote.host(), remote.rtcpPort()), remote.ssrc());
                } catch (MediaException e) {
                    refusal = SdpReply.failure(e.kind().errorCode, e.getMessage());
                }
            }
            if (refusal != null) {
                media.ctx().getLog().warn("stream {} not offered to browsers: {}", streamId, refusal.error());
                feeds.remove(streamId);
                media.webrtc().unpublish(media.sessionId(), publisher.connectionId());
                for (Waiter waiter : waiting) {
                    waiter.prepare.replyTo().tell(refusal);
                }
                return;
            }
            feed.ready = true;
            for (Waiter waiter : waiting) {
                media.subscriptions().offerSubscription(waiter.subscriber, waiter.publisher, waiter.prepare);
            }
        });
    }

    /** The WebRTC engine's name of the stream's codec, if browsers can take it. */
    private static Optional<String> webRtcCodec(Participant publisher) {
        if (publisher.plainOffer == null) {
            return Optional.empty();
        }
        String encoding = publisher.plainOffer.firstFormat().encoding().toLowerCase(Locale.ROOT);
        boolean video = publisher.plainOffer.media().equals("video");
        List<String> accepted = video ? List.of("vp8", "vp9", "h264") : List.of("opus", "pcmu", "pcma");
        return accepted.contains(encoding) ? Optional.of(encoding) : Optional.empty();
    }
}
