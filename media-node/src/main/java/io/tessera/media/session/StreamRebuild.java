package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol.ForciblyReconnectSubscriber;
import io.tessera.common.protocol.MediaNodeProtocol.ReconnectStream;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.media.webrtc.WebRtcEngine;
import io.tessera.wire.jsonrpc.ErrorCode;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * openvidu-browser's {@code reconnectStream}, served for a {@link Session}'s WebRTC streams: a browser rebuilds one
 * of its streams with a new PeerConnection, when ICE failed or stayed disconnected for 4 s, or when the node pushed
 * it {@code forciblyReconnectSubscriber}.
 * <ul>
 * <li><b>Its own stream</b>: the new offer is published again <em>under the same stream id</em> (the browser and
 * everyone subscribed to it know the stream by that id). On the same node the old endpoint goes first. After the
 * session moved here (the old node died or was drained) the stream is not here yet: it is published under the id the
 * browser names, which must be one of its own ({@code str_<type>_<4 letters>_<its connection id>}); its description
 * is read back from the offer (audio and video present, the type from the id), since the old node took the one
 * given at {@code publishVideo} with it.</li>
 * <li><b>Another's stream</b>: the SDP answers the offer the node made for that subscription.</li>
 * </ul>
 * When a rebuilt stream is up again, those who received it are offered it again at once
 * ({@link #offerAgain}), so subscribers need not wait for their own ICE timers; those who knew the stream
 * but did not receive it hear nothing, and only those who never knew it get {@code participantPublished}.
 */
final class StreamRebuild {

    /**
     * Who knows a rebuilt stream by its id and who received it. {@code afterMove}: rebuilt after its session moved
     * here: the participants that moved with the session knew it, and since the old node's subscriptions died with it,
     * each of them is offered it again (openvidu-browser does not say which streams it received).
     */
    record Rebuild(boolean afterMove, Set<String> knew, Set<String> receivers) {
        boolean knownBy(Participant other) {
            return afterMove ? other.movedIn : knew.contains(other.connectionId());
        }

        boolean received(Participant other) {
            return afterMove ? other.movedIn : receivers.contains(other.connectionId());
        }
    }

    private static final Pattern STREAM_ID = Pattern.compile("str_[A-Z]{3}_[A-Za-z]{4}_(.+)");

    private final SessionMedia media;

    StreamRebuild(SessionMedia media) {
        this.media = media;
    }

    void onReconnect(ReconnectStream reconnect) {
        Participant p = media.room().participants().get(reconnect.connectionId());
        if (p == null) {
            reconnect.replyTo().tell(SdpReply.failure(ErrorCode.NOT_JOINED, media.notIn(reconnect.connectionId())));
            return;
        }
        if (media.webrtc() == null || !WebRtcEngine.isWebRtc(reconnect.sdp())) {
            reconnect.replyTo().tell(SdpReply.failure(ErrorCode.UNSUPPORTED_MEDIA, "reconnectStream rebuilds WebRTC "
                    + "streams only: publish or subscribe plain RTP again instead"));
            return;
        }
        if (ownStream(p, reconnect.streamId())) {
            republish(p, reconnect);
            return;
        }
        Optional<Participant> publisher = media.publisherOf(reconnect.streamId());
        if (publisher.isEmpty()) {
            reconnect.replyTo().tell(SdpReply.failure(ErrorCode.NOT_FOUND, media.notPublished(reconnect.streamId())));
            return;
        }
        if (p.subscriptions.contains(reconnect.streamId()) && p.answered.contains(reconnect.streamId())) {
            staleAnswer(p, publisher.get(), reconnect);
            return;
        }
        media.subscriptions().startSubscription(p, reconnect.streamId(), reconnect.sdp(), reconnect.replyTo()::tell,
                SdpReply::failure, new SdpReply(true, 0, null, null, null));
    }

    /**
     * A second answer for a subscription already answered: the answer to an offer that was replaced. It happens when
     * a {@code forciblyReconnectSubscriber} reaches a browser during its own rebuild of that subscription
     * ({@code prepareReceiveVideoFrom {reconnect:true}}, which replaced the pushed offer): openvidu-browser keeps the
     * event, finishes its own rebuild, then answers the pushed offer with yet another PeerConnection, which replaces
     * the working one and would never connect (about 30 s until its ICE fails). So the subscription is made anew and
     * its offer pushed at once; the stale answer is refused.
     */
    private void staleAnswer(Participant p, Participant publisher, ReconnectStream reconnect) {
        media.ctx().getLog().info("participant {} answered a replaced offer for stream {}: offering it again",
                p.connectionId(), reconnect.streamId());
        p.subscriptions.remove(reconnect.streamId());
        p.answered.remove(reconnect.streamId());
        media.webrtc().unsubscribe(media.sessionId(), publisher.connectionId(), p.connectionId());
        reconnect.replyTo().tell(SdpReply.failure(ErrorCode.CONFLICT, "stream " + reconnect.streamId()
                + ": this answers an offer that was replaced; a new one is pushed (forciblyReconnectSubscriber)"));
        if (publisher.live) {
            offerAgain(p, publisher);
        }
    }

    /**
     * Makes {@code subscriber}'s subscription to {@code publisher}'s live WebRTC stream anew and pushes the node's
     * offer to it ({@link ForciblyReconnectSubscriber}); it answers with {@code reconnectStream}. Nothing is pushed
     * when it is receiving the stream already (its own reconnection got there first).
     */
    void offerAgain(Participant subscriber, Participant publisher) {
        String streamId = publisher.published.streamId();
        if (subscriber.subscriptions.contains(streamId)) {
            return;
        }
        // Taken now; a prepareReceiveVideoFrom {reconnect:true} meanwhile replaces it (and makes this offer fail).
        subscriber.subscribe(streamId);
        Long taken = subscriber.subscribedAt.get(streamId);
        String room = media.sessionId();
        media.whenDone(media.webrtc().prepareSubscribe(room, publisher.connectionId(), subscriber.connectionId()),
                (offer, error) -> {
                    boolean current = subscriber == media.room().participants().get(subscriber.connectionId())
                            && media.publisherOf(streamId).orElse(null) == publisher && publisher.live;
                    if (error != null) {
                        if (current && taken.equals(subscriber.subscribedAt.get(streamId))) {
                            subscriber.subscriptions.remove(streamId); // not replaced by its own request meanwhile
                        }
                        // its own request got there first, or it left; the engine's text is not logged (it may
                        // name the engine's ids)
                        media.ctx().getLog().info("stream {} not offered again to {} ({})", streamId,
                                subscriber.connectionId(), kindOf(error));
                    } else if (!current) {
                        media.webrtc().unsubscribe(room, publisher.connectionId(), subscriber.connectionId());
                    } else {
                        media.room().deliver(subscriber, new ForciblyReconnectSubscriber(publisher.connectionId(),
                                streamId, offer));
                    }
                });
    }

    private static String kindOf(Throwable error) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        return cause instanceof io.tessera.media.engine.MediaException refusal ? refusal.kind().name()
                : cause.getClass().getSimpleName();
    }

    /** Its published stream, or, while it publishes nothing here, a stream id of its own making. */
    private static boolean ownStream(Participant p, String streamId) {
        if (p.published != null) {
            return p.published.streamId().equals(streamId);
        }
        var m = STREAM_ID.matcher(streamId);
        return m.matches() && m.group(1).equals(p.connectionId());
    }

    private void republish(Participant p, ReconnectStream reconnect) {
        StreamInfo stream;
        Rebuild rebuild;
        if (p.published != null) {
            if (!p.publishedWebRtc) {
                reconnect.replyTo().tell(SdpReply.failure(ErrorCode.UNSUPPORTED_MEDIA, "stream "
                        + reconnect.streamId() + " is plain RTP: unpublish and publish it again"));
                return;
            }
            stream = p.published;
            rebuild = dropForRebuild(p);
        } else {
            stream = described(reconnect.streamId(), reconnect.sdp());
            rebuild = new Rebuild(p.movedIn, Set.of(), Set.of());
        }
        media.ctx().getLog().info("participant {} rebuilds its stream {}{}", p.connectionId(), stream.streamId(),
                rebuild.afterMove() ? " after its session moved here" : "");
        p.published = stream;
        p.rebuild = rebuild;
        media.publishWebRtc(p, stream, reconnect.sdp(), reconnect.replyTo()::tell);
    }

    /**
     * Ends the stream's old endpoint (and the subscriptions to it) without telling anyone it ended: the stream goes
     * on under its id. Returns who knew it and who received it.
     */
    private Rebuild dropForRebuild(Participant p) {
        String streamId = p.published.streamId();
        media.timers().cancel("up-" + streamId);
        media.webrtc().unpublish(media.sessionId(), p.connectionId()); // its subscriptions end with it
        Set<String> knew = new HashSet<>();
        Set<String> receivers = new HashSet<>();
        for (Participant other : media.room().participants().values()) {
            if (other == p) {
                continue;
            }
            if (p.live || (p.rebuild != null && p.rebuild.knownBy(other))) {
                knew.add(other.connectionId());
            }
            if (media.bridges().relays(streamId, other)) {
                continue; // a plain RTP subscriber: its relay stays and is fed by the rebuilt stream once it is up
            }
            if (other.subscriptions.remove(streamId) || (p.rebuild != null && !p.live && p.rebuild.received(other))) {
                receivers.add(other.connectionId());
            }
        }
        p.live = false;
        return new Rebuild(false, knew, receivers);
    }

    /** A stream's description from its id and its offer, for a stream published ({@code publishVideo}) elsewhere. */
    static StreamInfo described(String streamId, String sdpOffer) {
        boolean audio = sdpOffer.contains("\nm=audio ") || sdpOffer.startsWith("m=audio ");
        boolean video = sdpOffer.contains("\nm=video ") || sdpOffer.startsWith("m=video ");
        String type = streamId.startsWith("str_SCR_") ? "SCREEN" : "CAMERA";
        return new StreamInfo(streamId, System.currentTimeMillis(), audio, video, audio, video, type, 30, "");
    }
}
