package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.Subscribe;
import io.tessera.wire.jsonrpc.ErrorCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain RTP subscriptions asked for before their stream is back, after the session moved here (a media node's death
 * or a drain). A participant that moved with its session knows the streams it received there by their old ids; the
 * publishers publish again here, under new ids, as they follow. Instead of waiting for each publisher's
 * {@code participantPublished} and only then subscribing (one more event and one more round trip through a master
 * for every subscriber, after every publisher), a subscriber that moved in sends its offer for the old stream id at
 * once: the offer is held until that publisher's stream is up here and then served at once (at once when it is up
 * already), its answer carrying the new stream id; or refused with {@code 404} after {@link #HOLD}, as any offer for
 * an unknown stream.
 *
 * <p>Only offers of a participant that moved in, for a stream id of OpenVidu's form naming another connection that is
 * not in the session yet, publishes nothing here yet, or moved in too and published here since. One per subscriber and publisher (a second is {@code 409});
 * bounded by the session's participants squared. Touched on the session's actor only.
 */
final class HeldSubscriptions {
    /**
     * How long an offer is held: below the masters' default ask timeout ({@code tessera.media.ask-timeout}, 5 s), so
     * the subscriber hears a clear {@code 404} from the node rather than the master's {@code 503} for a node that did
     * not answer.
     */
    static final Duration HOLD = Duration.ofSeconds(3);

    /** openvidu's stream ids: {@code str_<type>_<4 letters>_<connection id>}. */
    private static final Pattern STREAM_ID = Pattern.compile("str_[A-Z]{3}_[A-Za-z]{4}_(.+)");

    /** The hold of one offer ran out. */
    record Expired(String subscriberId, String publisherId) implements Session.Message {
    }

    private record Key(String subscriberId, String publisherId) {
    }

    private final SessionMedia media;
    private final int maxParticipants;
    private final Map<Key, Subscribe> held = new LinkedHashMap<>();

    HeldSubscriptions(SessionMedia media, int maxParticipants) {
        this.media = media;
        this.maxParticipants = maxParticipants;
    }

    /** The connection id an OpenVidu-form stream id names, or null. */
    static String publisherIn(String streamId) {
        Matcher m = STREAM_ID.matcher(streamId);
        return m.matches() ? m.group(1) : null;
    }

    /**
     * Holds {@code subscribe} (an offer for a stream not published here) when it may still come: the subscriber moved
     * here with its session and the stream's publisher has not published here yet. Returns false when the offer is
     * not for holding (the caller answers {@code 404}); true when it was held, or refused here.
     */
    boolean hold(Participant subscriber, Subscribe subscribe) {
        String publisherId = publisherIn(subscribe.streamId());
        if (!subscriber.movedIn || publisherId == null || publisherId.equals(subscriber.connectionId())) {
            return false;
        }
        Participant publisher = media.room().participants().get(publisherId);
        if (publisher != null && publisher.visibleStream() != null) {
            if (!publisher.movedIn) {
                return false;
            }
            // It published here again before the offer came: served as if it had been held.
            serve(subscriber, publisher, subscribe);
            return true;
        }
        Key key = new Key(subscriber.connectionId(), publisherId);
        if (held.containsKey(key)) {
            subscribe.replyTo().tell(SdpReply.failure(ErrorCode.CONFLICT, "connection " + subscriber.connectionId()
                    + " already waits for the stream of " + publisherId + " to be published here again"));
            return true;
        }
        if (held.size() >= (long) maxParticipants * maxParticipants) {
            return false;
        }
        held.put(key, subscribe);
        media.timers().startSingleTimer(timerKey(key), new Expired(key.subscriberId(), key.publisherId()), HOLD);
        return true;
    }

    /** {@code publisher}'s stream is up here (announced): the offers held for it are served now. */
    void streamUp(Participant publisher) {
        List<Map.Entry<Key, Subscribe>> waiting = new ArrayList<>();
        held.entrySet().removeIf(e -> e.getKey().publisherId().equals(publisher.connectionId()) && waiting.add(e));
        for (Map.Entry<Key, Subscribe> e : waiting) {
            media.timers().cancel(timerKey(e.getKey()));
            Subscribe offer = e.getValue();
            Participant subscriber = media.room().participants().get(e.getKey().subscriberId());
            if (subscriber == null) {
                offer.replyTo().tell(SdpReply.failure(ErrorCode.NOT_JOINED, media.notIn(e.getKey().subscriberId())));
                continue;
            }
            serve(subscriber, publisher, offer);
        }
    }

    /** The offer for {@code publisher}'s old stream, made for the stream it publishes here now. */
    private void serve(Participant subscriber, Participant publisher, Subscribe offer) {
        String streamId = publisher.published.streamId();
        media.ctx().getLog().info("participant {} receives stream {} of {}, published here again (offered for {})",
                subscriber.connectionId(), streamId, publisher.connectionId(), offer.streamId());
        media.subscriptions().subscribe(subscriber, publisher, new Subscribe(offer.sessionId(),
                offer.connectionId(), streamId, offer.sdpOffer(), offer.replyTo()), publisher.published);
    }

    void onExpired(Expired expired) {
        Subscribe offer = held.remove(new Key(expired.subscriberId(), expired.publisherId()));
        if (offer != null) {
            offer.replyTo().tell(SdpReply.failure(ErrorCode.NOT_FOUND, media.notPublished(offer.streamId())
                    + " (its publisher did not publish here again within " + HOLD.toSeconds() + " s)"));
        }
    }

    /** A participant left: offers it held, and offers held for its stream, are refused. */
    void gone(String connectionId) {
        List<Map.Entry<Key, Subscribe>> refused = new ArrayList<>();
        held.entrySet().removeIf(e -> (e.getKey().subscriberId().equals(connectionId)
                || e.getKey().publisherId().equals(connectionId)) && refused.add(e));
        for (Map.Entry<Key, Subscribe> e : refused) {
            media.timers().cancel(timerKey(e.getKey()));
            Subscribe offer = e.getValue();
            offer.replyTo().tell(e.getKey().subscriberId().equals(connectionId)
                    ? SdpReply.failure(ErrorCode.NOT_JOINED, media.notIn(connectionId))
                    : SdpReply.failure(ErrorCode.NOT_FOUND, media.notPublished(offer.streamId())
                    + " (its publisher left)"));
        }
    }

    private static String timerKey(Key key) {
        return "held-" + key.subscriberId() + "-" + key.publisherId();
    }
}
