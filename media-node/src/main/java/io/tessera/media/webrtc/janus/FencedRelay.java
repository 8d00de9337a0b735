package io.tessera.media.webrtc.janus;

import io.tessera.wire.sdp.NegotiatedMedia;
import io.tessera.wire.sdp.SdpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Honours the media node's fence in Janus, which forwards in a process of its own and so cannot read the fence per
 * packet as the plain RTP engine does: while the node is fenced every publisher's streams are muted with the
 * VideoRoom's {@code moderate} request, so Janus relays nothing to subscribers or plain RTP forwarders (browsers whose
 * signalling still reaches the old node, or whose media still arrives there, get nothing from a copy that may already
 * run elsewhere); when the fence lifts without a move they are unmuted and media resumes on the same PeerConnections.
 * A publisher that comes up while the node is fenced (its publish was under way) is muted at once.
 *
 * <p>Every change goes through one chain of Janus requests, in order, so a fence that closes and lifts quickly ends
 * with the publishers in the fence's last state. Thread-safe.
 */
final class FencedRelay {
    private static final Logger log = LoggerFactory.getLogger(FencedRelay.class);

    /** A publisher's streams in Janus: room, feed id and the mids of its media. */
    private record Feed(String room, String feed, List<String> mids) {
    }

    private final Supplier<CompletableFuture<VideoRoomHandle>> manager;
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
    private boolean fenced; // guarded by this
    private CompletableFuture<Void> chain = CompletableFuture.completedFuture(null); // guarded by this

    /** The mids of the audio and video Janus accepted in its answer to a publisher: what a fence mutes. */
    static List<String> mids(String answer) {
        try {
            return NegotiatedMedia.read(answer).stream().map(NegotiatedMedia::mid).toList();
        } catch (SdpException e) {
            log.warn("Janus's answer cannot be read for its mids ({}): this publisher is not muted if the node is "
                    + "fenced", e.getMessage());
            return List.of();
        }
    }

    /** {@code manager}: the room-management handle, whichever Janus runs now. */
    FencedRelay(Supplier<CompletableFuture<VideoRoomHandle>> manager) {
        this.manager = manager;
    }

    /** The node's fence closed ({@code true}) or lifted. */
    synchronized void fenceChanged(boolean nowFenced) {
        if (nowFenced == fenced) {
            return;
        }
        fenced = nowFenced;
        List<Feed> all = List.copyOf(feeds.values());
        log.warn("{} the media of {} WebRTC publishers in Janus: the media node {}", nowFenced ? "muting" : "unmuting",
                all.size(), nowFenced ? "is fenced" : "serves again");
        all.forEach(feed -> enqueue(feed, nowFenced));
    }

    /** A publisher whose streams exist in Janus now (its answer was made); muted at once while fenced. */
    synchronized void added(String room, String feed, List<String> mids) {
        Feed added = new Feed(room, feed, List.copyOf(mids));
        feeds.put(key(room, feed), added);
        if (fenced) {
            enqueue(added, true);
        }
    }

    /** A publisher that is gone from Janus (unpublished, its room closed). */
    void removed(String room, String feed) {
        feeds.remove(key(room, feed));
    }

    /** Janus restarted: every publisher is gone. */
    void clear() {
        feeds.clear();
    }

    /** Whether the node is fenced now, as this relay last heard. */
    synchronized boolean fenced() {
        return fenced;
    }

    /** Completes once every change asked so far has been sent to Janus and answered (or failed). */
    synchronized CompletableFuture<Void> settled() {
        return chain;
    }

    private void enqueue(Feed feed, boolean mute) {
        chain = chain.thenCompose(ignored -> moderate(feed, mute));
    }

    private CompletableFuture<Void> moderate(Feed feed, boolean mute) {
        if (mute != fenced() || !feeds.containsKey(key(feed.room(), feed.feed()))) {
            return CompletableFuture.completedFuture(null); // superseded by a later change, or gone meanwhile
        }
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (String mid : feed.mids()) {
            all = all.thenCompose(ignored -> manager.get()
                    .thenCompose(m -> m.moderate(feed.room(), feed.feed(), mid, mute)));
        }
        return all.handle((ok, error) -> {
            if (error != null) { // the publisher went meanwhile, or Janus is restarting (then nothing is relayed)
                log.debug("Janus publisher {} not {}: {}", feed.feed(), mute ? "muted" : "unmuted",
                        error.getMessage());
            }
            return null;
        });
    }

    private static String key(String room, String feed) {
        return room + '|' + feed;
    }
}
