package io.tessera.media.session;

import io.tessera.media.webrtc.WebRtcEngine;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** Answers at once, records every call, and reports a publisher up when the test says so. */
final class ScriptedWebRtcEngine implements WebRtcEngine {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final java.util.Map<String, Runnable> ups = new java.util.concurrent.ConcurrentHashMap<>();
    volatile boolean refuseNextPublish;
    /** Where each forward was asked to send: {rtp port, rtcp port}. */
    final List<int[]> forwards = new CopyOnWriteArrayList<>();
    /** The "forwarder's" RTCP port that keyframe requests should reach. */
    volatile int forwardRtcpPort = 9;
    /** The answer publishers get (an SDP the bridge can read, or any text). */
    volatile String answer;

    void up(String publisher) {
        ups.remove(publisher).run();
    }

    @Override
    public String name() {
        return "janus";
    }

    @Override
    public CompletionStage<String> publish(String room, String publisher, String streamId, String sdpOffer,
                                           Runnable onUp) {
        if (refuseNextPublish) {
            refuseNextPublish = false;
            return CompletableFuture.failedFuture(new io.tessera.media.engine.MediaException(
                    io.tessera.media.engine.MediaException.Kind.INVALID_SDP, "bad offer"));
        }
        calls.add("publish " + room + " " + publisher + " " + streamId);
        ups.put(publisher, onUp);
        String scripted = answer;
        return CompletableFuture.supplyAsync(() -> scripted != null ? scripted : "answer-of-" + publisher);
    }

    @Override
    public CompletionStage<String> prepareSubscribe(String room, String publisher, String subscriber) {
        calls.add("prepare " + room + " " + publisher + " " + subscriber);
        return CompletableFuture.supplyAsync(() -> "offer-for-" + subscriber);
    }

    @Override
    public CompletionStage<Void> startSubscribe(String room, String publisher, String subscriber,
                                                String sdpAnswer) {
        calls.add("start " + room + " " + publisher + " " + subscriber + " " + sdpAnswer);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> addCandidate(String room, String publisher, String subscriber, String candidate,
                                              String sdpMid, int sdpMLineIndex) {
        calls.add("candidate " + room + " " + publisher + " " + subscriber + " " + candidate);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<PlainForward> forwardPlain(String room, String publisher, String mid, String host,
                                                      int port, int rtcpPort, long ssrc) {
        calls.add("forward " + room + " " + publisher + " " + mid);
        forwards.add(new int[]{port, rtcpPort});
        return CompletableFuture.supplyAsync(() -> new PlainForward(forwards.size(), "feed-" + publisher,
                forwardRtcpPort));
    }

    /** Where a "remote publisher" takes RTP and RTCP: a test's sockets. */
    volatile int remoteRtpPort = 9;
    volatile int remoteRtcpPort = 9;

    @Override
    public CompletionStage<RemoteFeed> publishRemote(String room, String publisher, String streamId, String media,
                                                     String codec) {
        calls.add("remote " + room + " " + publisher + " " + media + " " + codec);
        return CompletableFuture.supplyAsync(() -> new RemoteFeed("127.0.0.1", remoteRtpPort, remoteRtcpPort, 1000));
    }

    @Override
    public void stopForward(String room, PlainForward forward) {
        calls.add("stop-forward " + room + " " + forward.id());
    }

    @Override
    public void unpublish(String room, String publisher) {
        calls.add("unpublish " + room + " " + publisher);
    }

    @Override
    public void unsubscribe(String room, String publisher, String subscriber) {
        calls.add("unsubscribe " + room + " " + publisher + " " + subscriber);
    }

    @Override
    public void closeRoom(String room) {
        calls.add("close " + room);
    }

    @Override
    public void forwardOnlyWhileOpen(io.tessera.media.fencing.MediaFence fence) {
        // sessions never see the fence through the engine: the session manager refuses their commands
    }

    @Override
    public WebRtcStats stats() {
        return new WebRtcStats(0, 0, 0, 0, 0, 0);
    }

    @Override
    public void close() {
    }
}
