package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.AddIceCandidate;
import io.tessera.common.protocol.MediaNodeProtocol.PrepareSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.StartSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Subscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Unsubscribe;
import io.tessera.media.engine.MediaEngine;
import io.tessera.media.engine.MediaException;
import io.tessera.wire.jsonrpc.ErrorCode;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The subscribing side of a {@link Session}'s media, run on its actor with {@link SessionMedia}: client offers to the
 * plain RTP engine (or a relay of a browser's stream, {@link RtpBridges}), server offers of the WebRTC engine (for a
 * browser's stream, or a plain stream fed to it, {@link RemoteFeeds}), answers, trickled candidates, unsubscribing.
 */
final class SessionSubscriptions {
    private final SessionMedia media;
    private final MediaEngine engine;

    SessionSubscriptions(SessionMedia media, MediaEngine engine) {
        this.media = media;
        this.engine = engine;
    }

    /**
     * Client offer: the plain RTP engine answers. Janus cannot answer a subscriber's offer. After a move, an offer for
     * the old stream of a participant that has not published here again yet is held until it does
     * ({@link HeldSubscriptions}).
     */
    void onSubscribe(Subscribe subscribe) {
        Participant p = media.room().participants().get(subscribe.connectionId());
        if (p == null) {
            subscribe.replyTo().tell(SdpReply.failure(ErrorCode.NOT_JOINED, media.notIn(subscribe.connectionId())));
            return;
        }
        Optional<Participant> publisher = media.publisherOf(subscribe.streamId());
        if (publisher.isEmpty()) {
            if (!media.held().hold(p, subscribe)) {
                subscribe.replyTo().tell(SdpReply.failure(ErrorCode.NOT_FOUND, media.notPublished(subscribe.streamId())));
            }
            return;
        }
        subscribe(p, publisher.get(), subscribe, null);
    }

    /**
     * {@code p} receives {@code publisher}'s stream ({@code subscribe.streamId()}) at the address its offer names.
     * {@code newStream}: set when the offer was held for a stream published again under a new id, which the answer
     * then carries (the client learns the id it subscribed to).
     */
    void subscribe(Participant p, Participant publisher, Subscribe subscribe, io.tessera.common.protocol.MediaNodeProtocol.StreamInfo newStream) {
        if (publisher.publishedWebRtc) {
            if (publisher == p) {
                subscribe.replyTo().tell(SdpReply.failure(ErrorCode.BAD_REQUEST, "connection " + p.connectionId()
                        + " cannot subscribe to its own stream"));
                return;
            }
            media.bridges().subscribe(p, publisher, subscribe); // a browser's stream, relayed as plain RTP
            return;
        }
        try {
            String answer = engine.subscribe(subscribe.streamId(), subscribe.connectionId(), subscribe.sdpOffer());
            p.subscribe(subscribe.streamId());
            media.streamNotice(subscribe.connectionId(), publisher.published, publisher.connectionId(), true,
                    "subscribe");
            subscribe.replyTo().tell(new SdpReply(true, 0, null, newStream, answer));
        } catch (MediaException e) {
            subscribe.replyTo().tell(SdpReply.failure(e.kind().errorCode, e.getMessage()));
        }
    }

    /** Server offer (WebRTC): the reply's {@code sdpAnswer} field carries the media node's offer. */
    void onPrepareSubscribe(PrepareSubscribe prepare) {
        Participant p = media.room().participants().get(prepare.connectionId());
        if (p == null) {
            prepare.replyTo().tell(SdpReply.failure(ErrorCode.NOT_JOINED, media.notIn(prepare.connectionId())));
            return;
        }
        Optional<Participant> found = media.publisherOf(prepare.streamId());
        if (found.isEmpty()) {
            prepare.replyTo().tell(SdpReply.failure(ErrorCode.NOT_FOUND, media.notPublished(prepare.streamId())));
            return;
        }
        Participant publisher = found.get();
        if (!publisher.publishedWebRtc && media.webrtc() == null) {
            prepare.replyTo().tell(SdpReply.failure(ErrorCode.UNSUPPORTED_MEDIA, "stream " + prepare.streamId()
                    + " is plain RTP and this media node runs no WebRTC engine: subscribe with receiveVideoFrom "
                    + "{sender, sdpOffer}"));
            return;
        }
        if (publisher == p) {
            prepare.replyTo().tell(SdpReply.failure(ErrorCode.BAD_REQUEST, "connection " + p.connectionId()
                    + " cannot subscribe to its own stream"));
            return;
        }
        if (p.subscriptions.contains(prepare.streamId())) {
            if (!prepare.reconnect()) {
                prepare.replyTo().tell(SdpReply.failure(ErrorCode.CONFLICT, "connection " + p.connectionId()
                        + " already receives stream " + prepare.streamId()));
                return;
            }
            drop(p, publisher, "reconnect"); // a new PeerConnection replaces the old one
        }
        if (!publisher.publishedWebRtc) {
            media.feeds().prepare(p, publisher, prepare); // a plain RTP stream, fed to the WebRTC engine
            return;
        }
        offerSubscription(p, publisher, prepare);
    }

    /** The WebRTC engine's offer of {@code publisher}'s stream to {@code p} (a WebRTC stream, or a fed plain one). */
    void offerSubscription(Participant p, Participant publisher, PrepareSubscribe prepare) {
        String streamId = prepare.streamId();
        media.whenDone(media.webrtc().prepareSubscribe(media.sessionId(), publisher.connectionId(), p.connectionId()), (offer, error) -> {
            if (error != null) {
                if (!publisher.publishedWebRtc && media.failure(error, SdpReply::failure).errorCode()
                        == ErrorCode.NOT_FOUND.code() && publisher.published != null) {
                    media.feeds().lost(publisher, streamId); // the engine lost the feed (Janus restarted): made anew next time
                }
                prepare.replyTo().tell(media.failure(error, SdpReply::failure));
            } else if (p != media.room().participants().get(p.connectionId()) || media.publisherOf(streamId).isEmpty()) {
                media.webrtc().unsubscribe(media.sessionId(), publisher.connectionId(), p.connectionId());
                prepare.replyTo().tell(SdpReply.failure(ErrorCode.NOT_FOUND, media.notPublished(streamId)));
            } else {
                p.subscribe(streamId);
                prepare.replyTo().tell(new SdpReply(true, 0, null, null, offer));
            }
        });
    }

    void onStartSubscribe(StartSubscribe start) {
        Participant p = media.room().participants().get(start.connectionId());
        if (p == null) {
            start.replyTo().tell(Ack.failure(ErrorCode.NOT_JOINED, media.notIn(start.connectionId())));
            return;
        }
        startSubscription(p, start.streamId(), start.sdpAnswer(), start.replyTo()::tell, Ack::failure, Ack.success());
    }

    /** The subscriber's answer to the node's offer (from prepareReceiveVideoFrom or forciblyReconnectSubscriber). */
    <R> void startSubscription(Participant p, String streamId, String sdpAnswer, Consumer<R> reply,
                               SessionMedia.Failure<R> failed, R done) {
        Optional<Participant> publisher = media.publisherOf(streamId);
        if (publisher.isEmpty() || !p.subscriptions.contains(streamId) || !(publisher.get().publishedWebRtc
                || (media.feeds() != null && media.feeds().ready(streamId)))) {
            reply.accept(failed.of(ErrorCode.NOT_FOUND.code(), "connection " + p.connectionId()
                    + " has no offer for stream " + streamId + " to answer: prepareReceiveVideoFrom first"));
            return;
        }
        Participant source = publisher.get();
        media.whenDone(media.webrtc().startSubscribe(media.sessionId(), source.connectionId(), p.connectionId(), sdpAnswer),
                (ignored, error) -> {
                    if (error != null) {
                        p.subscriptions.remove(streamId);
                        reply.accept(media.failure(error, failed));
                    } else {
                        p.answered.add(streamId);
                        if (source.published != null && source.published.streamId().equals(streamId)) {
                            media.streamNotice(p.connectionId(), source.published, source.connectionId(), true,
                                    "subscribe");
                        }
                        reply.accept(done);
                    }
                });
    }

    void onAddIceCandidate(AddIceCandidate add) {
        Participant p = media.room().participants().get(add.connectionId());
        if (p == null) {
            add.replyTo().tell(Ack.failure(ErrorCode.NOT_JOINED, media.notIn(add.connectionId())));
            return;
        }
        if (media.webrtc() == null) {
            add.replyTo().tell(Ack.failure(ErrorCode.UNSUPPORTED_MEDIA, "this media node runs no WebRTC engine: "
                    + "plain RTP needs no ICE candidates"));
            return;
        }
        String endpoint = add.endpointName();
        if (!media.room().participants().containsKey(endpoint)) {
            add.replyTo().tell(Ack.failure(ErrorCode.NOT_FOUND, "endpoint " + endpoint + " is not a connection of "
                    + "session " + media.sessionId()));
            return;
        }
        // its own publisher, or its subscription to the endpoint's stream (queued by the engine until it exists)
        String subscriber = endpoint.equals(p.connectionId()) ? null : p.connectionId();
        media.whenDone(media.webrtc().addCandidate(media.sessionId(), endpoint, subscriber, add.candidate(), add.sdpMid(),
                add.sdpMLineIndex()), (ignored, error) -> add.replyTo().tell(error != null
                ? media.failure(error, Ack::failure) : Ack.success()));
    }

    /** {@code streamId}: a stream id, or (as openvidu-browser sends it) the publisher's connection id. */
    void onUnsubscribe(Unsubscribe unsubscribe) {
        Participant p = media.room().participants().get(unsubscribe.connectionId());
        if (p == null) {
            unsubscribe.replyTo().tell(Ack.failure(ErrorCode.NOT_JOINED, media.notIn(unsubscribe.connectionId())));
            return;
        }
        String streamId = unsubscribe.streamId();
        Participant byConnection = media.room().participants().get(streamId);
        if (byConnection != null && byConnection.published != null) {
            streamId = byConnection.published.streamId();
        }
        Optional<Participant> publisher = media.publisherOf(streamId);
        if (!p.subscriptions.contains(streamId) || publisher.isEmpty()) {
            unsubscribe.replyTo().tell(Ack.failure(ErrorCode.NOT_FOUND, "connection " + unsubscribe.connectionId()
                    + " does not receive stream " + unsubscribe.streamId()));
            return;
        }
        drop(p, publisher.get(), "unsubscribe");
        unsubscribe.replyTo().tell(Ack.success());
    }

    void drop(Participant p, Participant publisher, String reason) {
        String streamId = publisher.published.streamId();
        p.subscriptions.remove(streamId);
        if (!publisher.publishedWebRtc) {
            engine.unsubscribe(streamId, p.connectionId());
            if (media.feeds() != null && media.feeds().has(streamId)) {
                media.webrtc().unsubscribe(media.sessionId(), publisher.connectionId(), p.connectionId()); // a browser receiving it
            }
        } else if (!media.bridges().unsubscribe(p, streamId)) {
            media.webrtc().unsubscribe(media.sessionId(), publisher.connectionId(), p.connectionId());
        }
        media.streamNotice(p.connectionId(), publisher.published, publisher.connectionId(), false, reason);
    }
}
