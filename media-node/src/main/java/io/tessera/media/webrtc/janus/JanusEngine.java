package io.tessera.media.webrtc.janus;

import io.tessera.media.engine.MediaException;
import io.tessera.media.fencing.MediaFence;
import io.tessera.media.engine.MediaException.Kind;
import io.tessera.media.webrtc.IceAllowList;
import io.tessera.media.webrtc.WebRtcEngine;
import io.tessera.media.webrtc.janus.VideoRoomHandle.Candidate;
import io.tessera.media.webrtc.janus.VideoRoomHandle.Jsep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static io.tessera.media.webrtc.janus.JanusErrors.mapped;
import static io.tessera.media.webrtc.janus.JanusErrors.refused;

/**
 * The WebRTC engine on Janus 1.1: one Janus per media node ({@link JanusProcess}), driven over one WebSocket
 * ({@link JanusClient}); one VideoRoom room per session, one handle per publisher and per subscription. Janus's
 * publisher id in a room is the stream id with a number of this engine's own ({@code <stream id>-<n>}, new at every
 * publish): a stream rebuilt under the same id ({@code reconnectStream}) is published again at once while its old
 * handle is still being detached, which Janus would refuse under the same id.
 *
 * <p>Every remote candidate passes the {@link IceAllowList} first, inside SDP and trickled. Janus runs half-trickle:
 * its own candidates are in its SDP, so nothing is trickled to clients.
 *
 * <p>When Janus restarts, every room and handle is gone: the engine forgets its endpoints (their participants'
 * clients see ICE fail and reconnect) and connects to the new Janus.
 *
 * <p>While the media node is fenced ({@link #forwardOnlyWhileOpen}) Janus relays no publisher's media
 * ({@link FencedRelay}).
 */
public final class JanusEngine implements WebRtcEngine {
    private static final Logger log = LoggerFactory.getLogger(JanusEngine.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

    private final IceAllowList allow;
    private final Map<String, JanusEndpoint> endpoints = new HashMap<>(); // guarded by this
    private final WaitingCandidates queued = new WaitingCandidates();
    private final Map<Long, JanusEndpoint> byHandle = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> rooms = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong feeds = new AtomicLong();
    private volatile JanusProcess process;
    private volatile JanusClient client;
    private volatile CompletableFuture<VideoRoomHandle> manager;
    private final FencedRelay fencedRelay = new FencedRelay(this::managerHandle);

    private JanusEngine(IceAllowList allow) {
        this.allow = allow;
    }

    /** Janus relays no publisher's media (to subscribers or plain RTP forwards) while {@code fence} is closed. */
    @Override
    public void forwardOnlyWhileOpen(MediaFence fence) {
        fence.onChange(fencedRelay::fenceChanged);
    }

    /** Completes once Janus has taken every fence change so far (tests). */
    CompletableFuture<Void> fenceApplied() {
        return fencedRelay.settled();
    }

    /** Starts Janus with {@code settings}, supervised, and connects to it. */
    public static JanusEngine start(JanusSettings settings, IceAllowList allow) throws IOException {
        JanusEngine engine = new JanusEngine(allow);
        engine.process = JanusProcess.start(settings, JanusProcess.RestartPolicy.defaults(), engine.supervision());
        try {
            engine.connect().get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            engine.close();
            throw new IOException("cannot connect to Janus at " + engine.process.apiUri() + ": " + e.getMessage(), e);
        }
        log.info("WebRTC engine janus ready (Janus pid {}), ICE allow-list {}", engine.process.pid().orElse(-1L),
                allow);
        return engine;
    }

    @Override
    public String name() {
        return "janus";
    }

    @Override
    public CompletionStage<String> publish(String room, String publisher, String streamId, String sdpOffer,
                                           Runnable onUp) {
        JanusEndpoint endpoint = new JanusEndpoint(room, publisher, null, streamId + "-" + feeds.incrementAndGet(),
                onUp);
        String offer = allow.filterSdp(sdpOffer);
        synchronized (this) {
            if (endpoints.containsKey(endpoint.key())) {
                return refused(Kind.CONFLICT, "connection " + publisher + " already publishes");
            }
            endpoints.put(endpoint.key(), endpoint);
        }
        return room(room)
                .thenCompose(ignored -> attach(endpoint))
                .thenCompose(handle -> handle.publish(room, endpoint.feed, Jsep.offer(offer)))
                .thenApply(answer -> {
                    ready(endpoint);
                    List<String> mids = FencedRelay.mids(answer.sdp());
                    synchronized (this) {
                        if (!endpoint.closed) { // released meanwhile: release forgot it, nothing to fence
                            fencedRelay.added(room, endpoint.feed, mids);
                        }
                    }
                    return answer.sdp();
                })
                .handle((answer, error) -> {
                    if (error != null) {
                        release(endpoint);
                        throw mapped(error, "publish");
                    }
                    return answer;
                });
    }

    @Override
    public CompletionStage<String> prepareSubscribe(String room, String publisher, String subscriber) {
        JanusEndpoint endpoint;
        synchronized (this) {
            JanusEndpoint source = endpoints.get(JanusEndpoint.key(room, publisher, null));
            if (source == null || !source.up.get()) {
                return refused(Kind.UNKNOWN_STREAM, "connection " + publisher + " has no WebRTC stream up");
            }
            endpoint = new JanusEndpoint(room, publisher, subscriber, source.feed, null);
            if (endpoints.containsKey(endpoint.key())) {
                return refused(Kind.CONFLICT, "connection " + subscriber + " already receives the stream of "
                        + publisher);
            }
            endpoints.put(endpoint.key(), endpoint);
        }
        return attach(endpoint)
                .thenCompose(handle -> handle.subscribe(room, endpoint.feed))
                .handle((offer, error) -> {
                    if (error != null) {
                        release(endpoint);
                        throw mapped(error, "subscribe");
                    }
                    return offer.sdp();
                });
    }

    @Override
    public CompletionStage<Void> startSubscribe(String room, String publisher, String subscriber, String sdpAnswer) {
        VideoRoomHandle handle;
        JanusEndpoint endpoint;
        synchronized (this) {
            endpoint = endpoints.get(JanusEndpoint.key(room, publisher, subscriber));
            handle = endpoint == null ? null : endpoint.handle;
        }
        if (handle == null) {
            return refused(Kind.UNKNOWN_STREAM, "connection " + subscriber + " has no offer for the stream of "
                    + publisher + " to answer: prepareReceiveVideoFrom first");
        }
        return handle.start(Jsep.answer(allow.filterSdp(sdpAnswer))).handle((ignored, error) -> {
            if (error != null) {
                release(endpoint);
                throw mapped(error, "start the subscription");
            }
            ready(endpoint);
            return null;
        });
    }

    @Override
    public CompletionStage<Void> addCandidate(String room, String publisher, String subscriber, String candidate,
                                              String sdpMid, int sdpMLineIndex) {
        boolean end = candidate.isBlank();
        if (!end && !allow.allowsCandidate(candidate)) {
            refused.incrementAndGet();
            return CompletableFuture.completedFuture(null); // dropped, as a candidate no pair would ever use
        }
        Candidate remote = end ? null : new Candidate(candidate.strip().startsWith("a=")
                ? candidate.strip().substring(2) : candidate.strip(), sdpMid, sdpMLineIndex);
        String key = JanusEndpoint.key(room, publisher, subscriber);
        VideoRoomHandle handle;
        synchronized (this) {
            JanusEndpoint endpoint = endpoints.get(key);
            if (endpoint != null && endpoint.ready) {
                handle = endpoint.handle;
            } else {
                try {
                    queued.add(key, remote);
                } catch (MediaException e) {
                    return CompletableFuture.failedFuture(e);
                }
                return CompletableFuture.completedFuture(null);
            }
        }
        return handle.trickle(end ? List.<Candidate>of() : List.of(remote), end).handle((ignored, error) -> {
            if (error != null) {
                throw mapped(error, "add the candidate");
            }
            return null;
        });
    }

    @Override
    public CompletionStage<PlainForward> forwardPlain(String room, String publisher, String mid, String host,
                                                      int port, int rtcpPort, long ssrc) {
        JanusEndpoint source;
        synchronized (this) {
            source = endpoints.get(JanusEndpoint.key(room, publisher, null));
        }
        CompletableFuture<VideoRoomHandle> current = manager;
        if (source == null || !source.up.get()) {
            return refused(Kind.UNKNOWN_STREAM, "connection " + publisher + " has no WebRTC stream up");
        }
        if (current == null) {
            return refused(Kind.NO_CAPACITY, "not connected to Janus");
        }
        VideoRoomHandle.ForwardTarget target = new VideoRoomHandle.ForwardTarget(mid, port, rtcpPort, ssrc);
        return current.thenCompose(m -> m.rtpForward(room, source.feed, host, List.of(target))).handle((made, error) -> {
            if (error != null) {
                throw mapped(error, "forward the stream as plain RTP");
            }
            if (made.isEmpty()) {
                throw new CompletionException(new MediaException(Kind.UNKNOWN_STREAM, "the stream of " + publisher
                        + " has no media with mid " + mid));
            }
            return new PlainForward(made.get(0).id(), source.feed, made.get(0).localRtcpPort());
        });
    }

    @Override
    public CompletionStage<RemoteFeed> publishRemote(String room, String publisher, String streamId, String media,
                                                     String codec) {
        JanusEndpoint endpoint = new JanusEndpoint(room, publisher, null, streamId + "-" + feeds.incrementAndGet(),
                null);
        endpoint.remote = true;
        synchronized (this) {
            if (endpoints.containsKey(endpoint.key())) {
                return refused(Kind.CONFLICT, "connection " + publisher + " already publishes");
            }
            endpoints.put(endpoint.key(), endpoint);
        }
        VideoRoomHandle.RemoteStream stream = new VideoRoomHandle.RemoteStream(0, "0", media, codec);
        return room(room)
                .thenCompose(ignored -> managerHandle())
                .thenCompose(m -> m.addRemotePublisher(room, endpoint.feed, List.of(stream)))
                .handle((made, error) -> {
                    if (error != null) {
                        release(endpoint);
                        throw mapped(error, "make a plain RTP stream a WebRTC publisher");
                    }
                    boolean closedMeanwhile;
                    synchronized (this) {
                        closedMeanwhile = endpoint.closed;
                        endpoint.ready = !closedMeanwhile; // no ICE: nothing to trickle
                        if (!closedMeanwhile) {
                            fencedRelay.added(room, endpoint.feed, List.of(stream.mid()));
                        }
                    }
                    if (closedMeanwhile) { // its release ran before Janus made it: remove it now
                        managerHandle().thenCompose(m -> m.removeRemotePublisher(room, endpoint.feed));
                        throw new CompletionException(new MediaException(Kind.UNKNOWN_STREAM, "stream " + streamId
                                + " ended while it was being set up"));
                    }
                    endpoint.up.set(true); // subscribers may join at once
                    // Janus runs on this host and listens on every address
                    return new RemoteFeed("127.0.0.1", made.port(), made.rtcpPort(), stream.ssrc());
                });
    }

    private CompletableFuture<VideoRoomHandle> managerHandle() {
        CompletableFuture<VideoRoomHandle> current = manager;
        return current != null ? current : CompletableFuture.failedFuture(JanusException.local("not connected to Janus"));
    }

    @Override
    public void stopForward(String room, PlainForward forward) {
        CompletableFuture<VideoRoomHandle> current = manager;
        if (current == null) {
            return;
        }
        current.thenCompose(m -> m.stopRtpForward(room, forward.feed(), forward.id())).whenComplete((ok, error) -> {
            if (error != null) { // the publisher went first, and its forwards with it
                log.debug("Janus forwarder {} not stopped: {}", forward.id(), error.getMessage());
            }
        });
    }

    @Override
    public void unpublish(String room, String publisher) {
        forget(e -> e.room.equals(room) && e.publisher.equals(publisher),
                JanusEndpoint.publisherPrefix(room, publisher)).forEach(this::release);
    }

    @Override
    public void unsubscribe(String room, String publisher, String subscriber) {
        JanusEndpoint endpoint;
        synchronized (this) {
            endpoint = endpoints.remove(JanusEndpoint.key(room, publisher, subscriber));
            queued.take(JanusEndpoint.key(room, publisher, subscriber));
        }
        if (endpoint != null) {
            release(endpoint);
        }
    }

    @Override
    public void closeRoom(String room) {
        forget(e -> e.room.equals(room), JanusEndpoint.roomPrefix(room)).forEach(this::release);
        CompletableFuture<Void> created = rooms.remove(room);
        CompletableFuture<VideoRoomHandle> current = manager;
        if (created != null && current != null) {
            created.thenCompose(ignored -> current).thenCompose(m -> m.destroyRoom(room)).whenComplete((ok, error) -> {
                if (error != null) {
                    log.debug("Janus room {} not destroyed: {}", room, error.getMessage());
                }
            });
        }
    }

    @Override
    public synchronized WebRtcStats stats() {
        int publishers = 0;
        int handles = 0;
        for (JanusEndpoint e : endpoints.values()) {
            publishers += e.subscriber == null ? 1 : 0;
            handles += e.handle != null ? 1 : 0;
        }
        CompletableFuture<VideoRoomHandle> current = manager;
        handles += current != null && current.isDone() && !current.isCompletedExceptionally() ? 1 : 0;
        int waiting = queued.count();
        return new WebRtcStats(publishers, endpoints.size() - publishers, handles, rooms.size(), refused.get(),
                waiting);
    }

    @Override
    public void close() {
        JanusClient current = client;
        if (current != null) {
            current.close();
        }
        if (process != null) {
            process.close();
        }
    }

    // --- internals ---

    private CompletableFuture<Void> connect() {
        return JanusClient.connect(process.apiUri(), process.clientOptions(), new Events()).thenCompose(connected -> {
            JanusClient previous = client;
            client = connected;
            if (previous != null) {
                previous.close(); // the dead Janus's client, whose end the JDK may not have reported
            }
            manager = connected.attachVideoRoom();
            return manager.thenApply(ignored -> null);
        });
    }

    private JanusProcess.Listener supervision() {
        return new JanusProcess.Listener() {
            @Override
            public void onRestarted(int restartCount) {
                int lost;
                synchronized (JanusEngine.this) {
                    lost = endpoints.size();
                    endpoints.values().forEach(e -> e.closed = true);
                    endpoints.clear();
                    queued.clear();
                }
                byHandle.clear();
                rooms.clear();
                fencedRelay.clear();
                log.warn("Janus restarted ({} restarts): its rooms and {} endpoints are gone; clients reconnect when "
                        + "ICE fails", restartCount, lost);
                connect().whenComplete((ok, error) -> {
                    if (error != null) {
                        log.error("cannot connect to the restarted Janus: {}", error.getMessage());
                    }
                });
            }

            @Override
            public void onGaveUp(String reason) {
                log.error("Janus stays down: {}; WebRTC publish and subscribe fail until the node restarts", reason);
            }
        };
    }

    /** Janus's unasked messages: a publisher's PeerConnection came up. */
    private final class Events implements JanusEvent.Listener {
        @Override
        public void onEvent(JanusEvent event) {
            if (event.kind() == JanusEvent.Kind.WEBRTC_UP) {
                JanusEndpoint endpoint = byHandle.get(event.handleId());
                if (endpoint != null && endpoint.up.compareAndSet(false, true) && endpoint.onUp != null) {
                    endpoint.onUp.run();
                }
            }
        }

        @Override
        public void onClosed(String reason) {
            log.warn("the WebSocket to Janus closed: {}", reason);
        }
    }

    private CompletableFuture<Void> room(String room) {
        CompletableFuture<Void> created = rooms.computeIfAbsent(room, r -> {
            CompletableFuture<VideoRoomHandle> current = manager;
            if (current == null) {
                return CompletableFuture.failedFuture(JanusException.local("not connected to Janus"));
            }
            return current.thenCompose(m -> m.createRoom(r, VideoRoomHandle.RoomOptions.defaults()));
        });
        return created.whenComplete((ok, error) -> {
            if (error != null) {
                rooms.remove(room, created); // the next publish tries again
            }
        });
    }

    private CompletableFuture<VideoRoomHandle> attach(JanusEndpoint endpoint) {
        JanusClient current = client;
        if (current == null) {
            return CompletableFuture.failedFuture(JanusException.local("not connected to Janus"));
        }
        return current.attachVideoRoom().thenApply(handle -> {
            synchronized (this) {
                if (endpoint.closed) {
                    handle.detach();
                    throw JanusException.local("the endpoint was closed while it was being set up");
                }
                endpoint.handle = handle;
            }
            byHandle.put(handle.handleId(), endpoint);
            return handle;
        });
    }

    /** The remote SDP is set: candidates that waited go to Janus, later ones go straight. */
    private void ready(JanusEndpoint endpoint) {
        List<Candidate> waiting;
        VideoRoomHandle handle;
        synchronized (this) {
            if (endpoint.closed) {
                throw JanusException.local("the endpoint was closed while it was being set up");
            }
            endpoint.ready = true;
            waiting = queued.take(endpoint.key());
            handle = endpoint.handle;
        }
        if (waiting != null && !waiting.isEmpty()) {
            boolean end = waiting.contains(null);
            List<Candidate> candidates = waiting.stream().filter(c -> c != null).toList();
            handle.trickle(candidates, end).whenComplete((ok, error) -> {
                if (error != null) {
                    log.warn("queued candidates not taken by Janus: {}", error.getMessage());
                }
            });
        }
    }

    /** Removes the endpoints that match and the candidates waiting under {@code prefix}; returns those to release. */
    private synchronized List<JanusEndpoint> forget(Predicate<JanusEndpoint> match, String prefix) {
        List<JanusEndpoint> gone = new ArrayList<>();
        endpoints.values().removeIf(e -> {
            if (match.test(e)) {
                gone.add(e);
                return true;
            }
            return false;
        });
        queued.dropAll(prefix);
        return gone;
    }

    /** Detaches the endpoint's handle (Janus closes its PeerConnection; a publisher's subscribers lose it). */
    private void release(JanusEndpoint endpoint) {
        VideoRoomHandle handle;
        boolean wasOpen;
        synchronized (this) {
            endpoints.remove(endpoint.key(), endpoint);
            queued.take(endpoint.key());
            wasOpen = !endpoint.closed;
            endpoint.closed = true;
            handle = endpoint.handle;
            endpoint.handle = null;
        }
        if (endpoint.subscriber == null) {
            fencedRelay.removed(endpoint.room, endpoint.feed);
        }
        if (endpoint.remote && wasOpen) {
            CompletableFuture<VideoRoomHandle> current = manager;
            if (current != null) {
                current.thenCompose(m -> m.removeRemotePublisher(endpoint.room, endpoint.feed))
                        .whenComplete((ok, error) -> {
                            if (error != null) { // it was never made, or its room went first
                                log.debug("Janus remote publisher {} not removed: {}", endpoint.feed,
                                        error.getMessage());
                            }
                        });
            }
        }
        if (handle != null) {
            byHandle.remove(handle.handleId());
            handle.detach().whenComplete((ok, error) -> {
                if (error != null) {
                    log.debug("Janus handle {} not detached: {}", handle.handleId(), error.getMessage());
                }
            });
        }
    }
}
