package io.tessera.master.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.ToSignalling;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.medianode.MediaNodeClient.Accepted;
import io.tessera.master.medianode.MediaNodeClient.Rejected;
import io.tessera.master.placement.MediaNodes;
import io.tessera.wire.jsonrpc.ErrorCode;
import io.tessera.wire.jsonrpc.OpenViduRequest;
import io.tessera.wire.jsonrpc.OpenViduRequest.ReconnectStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code reconnectStream} requests of one {@link ClientConnection}, held while the participant's session is
 * moving to another media node instead of being refused.
 *
 * <p>Why: openvidu-browser sends {@code reconnectStream} once per broken stream, gives up on the first error (the
 * stream stays dead until the page publishes again) and times the request out after 10 s. Its ICE breaks because
 * the media node died (or was drained), and when the failover is slower than the browser's ICE timers the request
 * arrives while the participant is still routed to the old node: a dead node does not answer (503 after the ask
 * timeout), a fenced one refuses (503). So a request is held when the participant's node is gone or unreachable
 * from here (at once, or after such a node answered 503 or nothing), and sent to the session's new node as soon as
 * the participant follows it there ({@link #onMoved}); a request that was sent to a node the participant has left
 * meanwhile is sent again to the new one, whatever the old one answers. A request is held at most {@code hold}
 * from its arrival (below the browser's 10 s); then it is answered 503 with a message saying why.
 *
 * <p>State of the connection actor, touched on its thread only; bounded ({@link #MAX_HELD} requests).
 */
final class StreamReconnects {

    /** The media node {@code mediaNodeId} answered request {@code key}. */
    record Answered(long key, String mediaNodeId, MediaNodeClient.Reply<SdpReply> reply)
            implements ClientConnection.Command {
    }

    /** Request {@code key} has been held as long as it may be. */
    record HoldOver(long key) implements ClientConnection.Command {
    }

    /**
     * A request in hand: asked of {@code askedNode}, or waiting for the session's move when that is null;
     * {@code overdue} once its hold is over (its pending answer, whatever it is, goes to the client).
     */
    private record Held(JsonNode id, ReconnectStream request, String askedNode, boolean overdue) {
        Held askedOf(String node) {
            return new Held(id, request, node, overdue);
        }
    }

    /**
     * openvidu-browser rebuilds one stream per PeerConnection, its publisher's and each subscription's, all at once
     * when their node died: room for a full session (200 participants by default) with some to spare.
     */
    static final int MAX_HELD = 256;
    /** A browser gathers a handful of candidates per PeerConnection; a few PeerConnections rebuild at once. */
    static final int MAX_HELD_CANDIDATES = 256;

    private final ActorContext<ToSignalling> ctx;
    private final TimerScheduler<ToSignalling> timers;
    private final MediaNodeClient client;
    private final MediaNodes mediaNodes;
    private final Duration hold;
    private final Consumer<ClientConnection.Answered> answer;
    private final Map<Long, Held> held = new LinkedHashMap<>();
    /**
     * ICE candidates of a rebuild made while the node is gone (the add-on rebuilds on {@code mediaNodeLost}, before
     * the move): answered at once, passed on to the new node at the move, after the held requests (the engine queues
     * a candidate until its endpoint exists). Bounded by {@link #MAX_HELD_CANDIDATES}.
     */
    private final List<OpenViduRequest.OnIceCandidate> heldCandidates = new java.util.ArrayList<>();
    /** The keys of {@link #held} that wait for the session's move (asked of no node), as the meters count them. */
    private final java.util.Set<Long> waiting = new java.util.HashSet<>();
    private final SignallingMeters meters;
    /**
     * The node the cluster found dead ({@code mediaNodeLost}), null if none: gone for this participant even while this
     * master's own registry still hears of it (its detector may give up later than the singleton's).
     */
    private String lostNode;
    private long nextKey;

    /** {@code answer}: how the connection answers its client (a result or an error for a request id). */
    StreamReconnects(ActorContext<ToSignalling> ctx, TimerScheduler<ToSignalling> timers, MediaNodeClient client,
                     MediaNodes mediaNodes, Duration hold, SignallingMeters meters,
                     Consumer<ClientConnection.Answered> answer) {
        this.meters = meters;
        this.ctx = ctx;
        this.timers = timers;
        this.client = client;
        this.mediaNodes = mediaNodes;
        this.hold = hold;
        this.answer = answer;
    }

    /** A {@code reconnectStream} from the client of participation {@code p}. */
    void request(Participation p, JsonNode id, ReconnectStream request) {
        if (held.size() >= MAX_HELD) {
            answer.accept(new ClientConnection.Answered(id, null, new Rejected<>(ErrorCode.UNAVAILABLE,
                    "too many reconnectStream requests in progress on this connection (at most " + MAX_HELD
                            + "); send it again once one is answered"), null));
            return;
        }
        long key = nextKey++;
        timers.startSingleTimer(new HoldOver(key), hold);
        Held h = new Held(id, request, null, false);
        if (unavailable(p.mediaNodeId())) {
            wait(key, h, p.mediaNodeId());
        } else {
            send(p, key, h);
        }
    }

    /**
     * An ICE candidate of participation {@code p}: held (true; the caller answers the client) when its node is gone
     * or unreachable, so that it reaches the node the session moves to; false when it goes to the node now (or when
     * too many are held already: it goes there and fails as it would have).
     */
    boolean holdCandidate(Participation p, OpenViduRequest.OnIceCandidate candidate) {
        if (!unavailable(p.mediaNodeId()) || heldCandidates.size() >= MAX_HELD_CANDIDATES) {
            return false;
        }
        heldCandidates.add(candidate);
        return true;
    }

    /** The answer of a node; {@code p} is the participation now (null when the socket left its session). */
    void onAnswered(Participation p, Answered answered) {
        Held h = held.get(answered.key());
        if (h == null || !answered.mediaNodeId().equals(h.askedNode())) {
            return; // answered already, or asked again of the session's new node since
        }
        if (p != null && !h.overdue()) {
            if (!answered.mediaNodeId().equals(p.mediaNodeId())) {
                send(p, answered.key(), h); // the participant moved meanwhile: the old node's answer is moot
                return;
            }
            if (answered.reply() instanceof Rejected<SdpReply> r && r.code() == ErrorCode.UNAVAILABLE
                    && unavailable(answered.mediaNodeId())) {
                wait(answered.key(), h, answered.mediaNodeId());
                return;
            }
        }
        finish(answered.key(), h, answered.reply());
    }

    /**
     * The participant follows its session to another node ({@code p} names it; its moved join was sent there just
     * before, so what is sent now reaches the node after it): every request in hand goes there.
     */
    void onMoved(Participation p) {
        for (Map.Entry<Long, Held> e : List.copyOf(held.entrySet())) {
            if (!p.mediaNodeId().equals(e.getValue().askedNode())) {
                ctx.getLog().info("reconnectStream of stream {} sent to the session's new media node {}",
                        e.getValue().request().stream(), p.mediaNodeId());
                meters.reconnectHoldEnded(SignallingMeters.MOVED);
                send(p, e.getKey(), e.getValue());
            }
        }
        if (!heldCandidates.isEmpty()) {
            ctx.getLog().info("{} ICE candidates sent to the session's new media node {}", heldCandidates.size(),
                    p.mediaNodeId());
        }
        for (OpenViduRequest.OnIceCandidate c : heldCandidates) {
            // nobody waits for these answers: the client had its answer when the candidate was held
            client.iceCandidate(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment(), c.endpointName(),
                    c.candidate(), c.sdpMid(), c.sdpMLineIndex());
        }
        heldCandidates.clear();
    }

    void onHoldOver(HoldOver over) {
        Held h = held.get(over.key());
        if (h == null) {
            return;
        }
        if (h.askedNode() == null) {
            meters.reconnectHoldEnded(SignallingMeters.TIMED_OUT);
            finish(over.key(), h, new Rejected<>(ErrorCode.UNAVAILABLE, "the session's media node is unavailable "
                    + "and the session was not moved to another one within " + hold.toMillis() + " ms; publish "
                    + "the stream again"));
        } else {
            held.put(over.key(), new Held(h.id(), h.request(), h.askedNode(), true));
        }
    }

    /** The socket left its session (left, evicted, resumed elsewhere): what is held is answered now. */
    void abandon() {
        heldCandidates.clear();
        for (Map.Entry<Long, Held> e : List.copyOf(held.entrySet())) {
            finish(e.getKey(), e.getValue(), new Rejected<>(ErrorCode.NOT_JOINED,
                    "the participant left its session before its stream was rebuilt"));
        }
    }

    /** The socket is gone (its actor stopped): nothing can be answered any more; the meters stop counting them. */
    void socketGone() {
        stopWaiting(List.copyOf(waiting));
        held.clear();
        heldCandidates.clear();
    }

    private void stopWaiting(java.util.Collection<Long> keys) {
        for (Long key : keys) {
            if (waiting.remove(key)) {
                meters.reconnectsHeld(-1);
            }
        }
    }

    private void send(Participation p, long key, Held h) {
        stopWaiting(List.of(key));
        held.put(key, h.askedOf(p.mediaNodeId()));
        String node = p.mediaNodeId();
        ctx.pipeToSelf(client.reconnectStream(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment(),
                        h.request().stream(), h.request().sdp()),
                (reply, error) -> new Answered(key, node, reply != null ? reply
                        : new Rejected<>(ErrorCode.UNAVAILABLE, "the session's media node did not answer in time")));
    }

    private void wait(long key, Held h, String node) {
        held.put(key, h.askedOf(null));
        if (waiting.add(key)) {
            meters.reconnectsHeld(1);
        }
        ctx.getLog().info("reconnectStream of stream {} held: media node {} is gone or unreachable from here; "
                + "waiting up to {} ms for the session to move", h.request().stream(), node, hold.toMillis());
    }

    private void finish(long key, Held h, MediaNodeClient.Reply<SdpReply> reply) {
        stopWaiting(List.of(key));
        held.remove(key);
        timers.cancel(new HoldOver(key));
        if (reply instanceof Accepted<SdpReply> accepted) {
            answer.accept(new ClientConnection.Answered(h.id(), SignallingHandler.sdpAnswerOrEmpty(accepted.value()),
                    null, null));
        } else {
            answer.accept(new ClientConnection.Answered(h.id(), null, (Rejected<?>) reply, null));
        }
    }

    /** The cluster found {@code mediaNodeId} dead (the singleton downed it): what is meant for it is held from now on. */
    void nodeLost(String mediaNodeId) {
        lostNode = mediaNodeId;
    }

    /** Gone (downed, left, found dead by the cluster) or unreachable as this master's registry of media nodes sees it. */
    private boolean unavailable(String mediaNodeId) {
        return mediaNodeId == null || mediaNodeId.equals(lostNode) || !mediaNodes.isReachable(mediaNodeId);
    }
}
