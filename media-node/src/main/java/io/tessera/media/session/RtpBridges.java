package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.Subscribe;
import io.tessera.media.engine.MediaException;
import io.tessera.media.engine.MediaEngine;
import io.tessera.media.webrtc.WebRtcEngine;
import io.tessera.media.webrtc.WebRtcEngine.PlainForward;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.wire.sdp.NegotiatedMedia;
import io.tessera.wire.sdp.PlainRtpOffer;
import io.tessera.wire.sdp.RtpFormat;
import io.tessera.wire.sdp.SdpException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Plain RTP subscribers of a browser's stream, run on the {@link Session}'s actor beside {@link SessionMedia}. A
 * plain RTP client cannot take a WebRTC stream (ICE, DTLS-SRTP), so the node bridges it: the WebRTC engine forwards
 * the stream's audio or video, decrypted, to a <em>relay</em> stream of the plain RTP engine on this host (one per
 * stream and medium, opened at its first plain subscriber), and plain subscribers subscribe to the relay as to any
 * plain RTP stream. Keyframe requests go back the same way (the relay sends them to the forward's RTCP port).
 *
 * <p>A relay lives as long as it has subscribers and the stream lives: it goes with its last subscriber
 * (unsubscribe, leave), with the stream (unpublish, leave, the session's end), and survives a rebuild of the stream
 * ({@code reconnectStream}, after ICE failed or Janus restarted), which forwards the new stream to the same relay.
 * Relays are bounded by the streams (two per stream) and by the plain RTP engine's port range (503 when full).
 */
final class RtpBridges {
    /** Subscribers that may wait for one relay's forward to be set up. */
    static final int MAX_WAITING = 64;

    /** One medium of one browser stream, forwarded to a relay of the plain RTP engine. */
    private static final class Bridge {
        final String streamId;
        final String media;
        final String relayId;
        final RtpFormat format;
        final long ssrc;
        final int rtpPort;
        final Set<String> subscribers = new LinkedHashSet<>();
        final List<Waiter> waiting = new ArrayList<>();
        PlainForward forward; // null until the WebRTC engine forwards to it
        int generation; // one more at each (re)forward: an outcome of an older one is ignored

        Bridge(String streamId, String media, RtpFormat format, long ssrc, int rtpPort) {
            this.streamId = streamId;
            this.media = media;
            this.relayId = relayId(streamId, media);
            this.format = format;
            this.ssrc = ssrc;
            this.rtpPort = rtpPort;
        }
    }

    /** A plain RTP subscriber waiting for its relay to be fed. */
    private record Waiter(Participant subscriber, Participant publisher, Subscribe subscribe) {
    }

    private final SessionMedia media;
    private final MediaEngine engine;
    private final SessionMeters meters;
    private final Map<String, Bridge> bridges = new HashMap<>(); // by relay id
    /** Where the WebRTC engine sends: the plain RTP engine's address, loopback when it listens on every address. */
    private final InetAddress forwardHost;

    RtpBridges(SessionMedia media, MediaEngine engine, SessionMeters meters) {
        this.media = media;
        this.engine = engine;
        this.meters = meters;
        this.forwardHost = forwardHost(engine.bindAddress());
    }

    /** The plain RTP engine's stream id of a browser stream's medium: never shown to clients. */
    static String relayId(String streamId, String media) {
        return streamId + "~" + media;
    }

    /** A plain RTP client's offer to receive {@code publisher}'s WebRTC stream. */
    void subscribe(Participant p, Participant publisher, Subscribe subscribe) {
        String streamId = subscribe.streamId();
        if (WebRtcEngine.isWebRtc(subscribe.sdpOffer())) {
            subscribe.replyTo().tell(SdpReply.failure(ErrorCode.UNSUPPORTED_MEDIA, "stream " + streamId
                    + " is WebRTC: the media node makes the offer; call prepareReceiveVideoFrom and answer it with "
                    + "receiveVideoFrom {sender, sdpAnswer} (joinRoom's mediaServer is 'mediasoup')"));
            return;
        }
        if (!publisher.live) {
            subscribe.replyTo().tell(SdpReply.failure(ErrorCode.NOT_FOUND, "stream " + streamId
                    + " is not up yet: subscribe after participantPublished"));
            return;
        }
        if (p.subscriptions.contains(streamId) && !relays(streamId, p)) {
            subscribe.replyTo().tell(SdpReply.failure(ErrorCode.CONFLICT, "connection " + p.connectionId()
                    + " already receives stream " + streamId));
            return;
        }
        PlainRtpOffer offer;
        try {
            offer = PlainRtpOffer.parse(subscribe.sdpOffer());
        } catch (SdpException e) {
            subscribe.replyTo().tell(SdpReply.failure(e.kind() == SdpException.Kind.UNSUPPORTED
                    ? ErrorCode.UNSUPPORTED_MEDIA : ErrorCode.BAD_REQUEST, e.getMessage()));
            return;
        }
        Optional<NegotiatedMedia> negotiated = NegotiatedMedia.first(publisher.webrtcMedia, offer.media());
        if (negotiated.isEmpty()) {
            meters.bridgeRefused("no_media");
            subscribe.replyTo().tell(SdpReply.failure(ErrorCode.UNSUPPORTED_MEDIA, "stream " + streamId
                    + " carries no " + offer.media() + " (the browser published " + publisher.webrtcMedia.stream()
                    .map(NegotiatedMedia::kind).toList() + ")"));
            return;
        }
        RtpFormat format = negotiated.get().format();
        if (offer.formats().stream().noneMatch(format::sameCodec)) {
            meters.bridgeRefused("codec");
            subscribe.replyTo().tell(SdpReply.failure(ErrorCode.UNSUPPORTED_MEDIA, "stream " + streamId + "'s "
                    + offer.media() + " is " + format.encoding() + "/" + format.clockRate() + " (the browser's "
                    + "choice, forwarded as is); the offer accepts only " + offer.formats().stream()
                    .map(f -> f.encoding() + "/" + f.clockRate()).toList()));
            return;
        }
        Bridge bridge = bridges.get(relayId(streamId, offer.media()));
        if (bridge == null) {
            try {
                bridge = open(publisher, negotiated.get());
            } catch (MediaException e) {
                meters.bridgeRefused("engine");
                subscribe.replyTo().tell(SdpReply.failure(e.kind().errorCode, e.getMessage()));
                return;
            }
        }
        if (bridge.subscribers.contains(p.connectionId())
                || bridge.waiting.stream().anyMatch(w -> w.subscriber == p)) {
            subscribe.replyTo().tell(SdpReply.failure(ErrorCode.CONFLICT, "connection " + p.connectionId()
                    + " already receives the " + offer.media() + " of stream " + streamId));
            return;
        }
        if (bridge.forward == null && bridge.waiting.size() >= MAX_WAITING) {
            subscribe.replyTo().tell(SdpReply.failure(ErrorCode.UNAVAILABLE, "too many subscribers wait for stream "
                    + streamId + " to be forwarded (" + MAX_WAITING + "); try again"));
            return;
        }
        p.subscribe(streamId); // taken now, so a second offer meanwhile is refused
        Waiter waiter = new Waiter(p, publisher, subscribe);
        if (bridge.forward != null) {
            attach(bridge, waiter);
        } else {
            bridge.waiting.add(waiter);
        }
    }

    /** Whether {@code p} receives (or is about to receive) {@code streamId} through a relay. */
    boolean relays(String streamId, Participant p) {
        return bridges.values().stream().anyMatch(b -> b.streamId.equals(streamId)
                && (b.subscribers.contains(p.connectionId()) || b.waiting.stream().anyMatch(w -> w.subscriber == p)));
    }

    /**
     * Ends {@code p}'s relayed subscription to {@code streamId}, and the relay with its last subscriber; false when
     * {@code p} receives it otherwise.
     */
    boolean unsubscribe(Participant p, String streamId) {
        boolean found = false;
        for (Bridge bridge : List.copyOf(bridges.values())) {
            if (bridge.streamId.equals(streamId) && bridge.subscribers.remove(p.connectionId())) {
                found = true;
                engine.unsubscribe(bridge.relayId, p.connectionId());
                if (bridge.subscribers.isEmpty() && bridge.waiting.isEmpty()) {
                    close(bridge, true);
                }
            }
        }
        return found;
    }

    /** The stream ended: its relays and their subscriptions go (its forwards went with its publisher). */
    void streamEnded(String streamId) {
        for (Bridge bridge : List.copyOf(bridges.values())) {
            if (bridge.streamId.equals(streamId)) {
                close(bridge, false);
            }
        }
    }

    /**
     * The stream was rebuilt under its id and is up again (a new publisher in the WebRTC engine): its relays are fed by
     * the new one. A relay whose codec the rebuilt stream no longer has goes, with its subscriptions.
     */
    void streamUp(Participant publisher) {
        String streamId = publisher.published.streamId();
        for (Bridge bridge : List.copyOf(bridges.values())) {
            if (!bridge.streamId.equals(streamId)) {
                continue;
            }
            Optional<NegotiatedMedia> now = NegotiatedMedia.first(publisher.webrtcMedia, bridge.media);
            if (now.isEmpty() || now.get().format().payloadType() != bridge.format.payloadType()
                    || !now.get().format().sameCodec(bridge.format)) {
                media.ctx().getLog().info("stream {} came back without its {} as {}: its plain RTP subscribers lose it",
                        streamId, bridge.media, bridge.format.rtpmapValue());
                closeWithSubscribers(bridge);
                continue;
            }
            bridge.forward = null;
            forward(publisher, bridge, now.get().mid());
        }
    }

    /** Every relay of the session goes (its end, or the actor stopping). */
    void releaseAll() {
        for (Bridge bridge : List.copyOf(bridges.values())) {
            close(bridge, false);
        }
    }

    // --- internals ---

    private Bridge open(Participant publisher, NegotiatedMedia negotiated) throws MediaException {
        String streamId = publisher.published.streamId();
        long ssrc = ThreadLocalRandom.current().nextLong(1, 0x1_0000_0000L);
        int rtpPort = engine.publishRelay(relayId(streamId, negotiated.kind()), negotiated.kind(),
                negotiated.format(), ssrc, forwardHost);
        Bridge bridge = new Bridge(streamId, negotiated.kind(), negotiated.format(), ssrc, rtpPort);
        bridges.put(bridge.relayId, bridge);
        meters.bridgeOpened();
        forward(publisher, bridge, negotiated.mid());
        return bridge;
    }

    /** Asks the WebRTC engine to feed the relay; subscribers that waited are attached, or refused, when it answers. */
    private void forward(Participant publisher, Bridge bridge, String mid) {
        int generation = ++bridge.generation;
        String host = forwardHost.getHostAddress();
        media.whenDone(media.webrtc().forwardPlain(media.sessionId(), publisher.connectionId(), mid, host,
                bridge.rtpPort, bridge.rtpPort + 1, bridge.ssrc), (forward, error) -> {
            boolean current = bridges.get(bridge.relayId) == bridge && bridge.generation == generation;
            if (!current) {
                if (error == null) {
                    media.webrtc().stopForward(media.sessionId(), forward);
                }
                return;
            }
            List<Waiter> waiting = List.copyOf(bridge.waiting);
            bridge.waiting.clear();
            if (error != null) {
                meters.bridgeRefused("forward");
                SdpReply refusal = media.failure(error, SdpReply::failure);
                media.ctx().getLog().warn("stream {}'s {} not forwarded as plain RTP: {}", bridge.streamId,
                        bridge.media, refusal.error());
                closeWithSubscribers(bridge); // with those of a rebuilt stream that cannot be forwarded
                for (Waiter waiter : waiting) {
                    forget(waiter.subscriber, bridge.streamId);
                    waiter.subscribe.replyTo().tell(refusal);
                }
                return;
            }
            bridge.forward = forward;
            engine.relayFeedbackTo(bridge.relayId, new InetSocketAddress(host, forward.localRtcpPort()));
            waiting.forEach(waiter -> attach(bridge, waiter));
        });
    }

    /** Subscribes {@code p} to the relay, once it is fed. */
    private void attach(Bridge bridge, Waiter waiter) {
        Participant p = waiter.subscriber;
        Participant publisher = waiter.publisher;
        Subscribe subscribe = waiter.subscribe;
        String streamId = bridge.streamId;
        boolean current = p == media.room().participants().get(p.connectionId())
                && p.subscriptions.contains(streamId) && publisher.published != null
                && publisher.published.streamId().equals(streamId);
        if (!current) {
            subscribe.replyTo().tell(SdpReply.failure(ErrorCode.NOT_FOUND, media.notPublished(streamId)));
            if (bridge.subscribers.isEmpty() && bridge.waiting.isEmpty() && bridges.get(bridge.relayId) == bridge) {
                close(bridge, true);
            }
            return;
        }
        try {
            String answer = engine.subscribe(bridge.relayId, p.connectionId(), subscribe.sdpOffer());
            bridge.subscribers.add(p.connectionId());
            media.streamNotice(p.connectionId(), publisher.published, publisher.connectionId(), true, "subscribe");
            subscribe.replyTo().tell(new SdpReply(true, 0, null, null, answer));
        } catch (MediaException e) {
            forget(p, streamId);
            subscribe.replyTo().tell(SdpReply.failure(e.kind().errorCode, e.getMessage()));
            if (bridge.subscribers.isEmpty() && bridge.waiting.isEmpty()) {
                close(bridge, true);
            }
        }
    }

    /** A relay goes with its subscriptions (the stream goes on without what they received). */
    private void closeWithSubscribers(Bridge bridge) {
        List<String> subscribers = List.copyOf(bridge.subscribers);
        close(bridge, false);
        for (String subscriber : subscribers) {
            Participant p = media.room().participants().get(subscriber);
            if (p != null) {
                forget(p, bridge.streamId);
            }
        }
    }

    /** {@code p} no longer receives {@code streamId}, unless another relay of it still feeds {@code p}. */
    private void forget(Participant p, String streamId) {
        if (!relays(streamId, p)) {
            p.subscriptions.remove(streamId);
        }
    }

    /** Ends a relay: its plain subscriptions end with it; {@code stopForward} while the stream's publisher lives. */
    private void close(Bridge bridge, boolean stopForward) {
        if (bridges.remove(bridge.relayId, bridge)) {
            meters.bridgeClosed();
        }
        bridge.generation++;
        if (stopForward && bridge.forward != null) {
            media.webrtc().stopForward(media.sessionId(), bridge.forward);
        }
        bridge.forward = null;
        engine.unpublish(bridge.relayId);
    }

    private static InetAddress forwardHost(String bindAddress) {
        try {
            InetAddress bound = InetAddress.getByName(bindAddress);
            return bound.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound;
        } catch (UnknownHostException e) {
            return InetAddress.getLoopbackAddress();
        }
    }
}
