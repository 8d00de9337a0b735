package io.tessera.media.webrtc.janus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One handle of Janus's VideoRoom plugin: a room's publisher, a subscriber, or the node's room-management handle.
 * Room and participant ids are strings (the plugin runs with {@code string_ids}).
 *
 * <p>Requests and replies as documented for the VideoRoom plugin of Janus 1.1: {@code create}/{@code destroy} are
 * answered at once; {@code joinandconfigure}, {@code join}, {@code start}, {@code unpublish} and {@code leave} are
 * acknowledged and answered by an event.
 */
public final class VideoRoomHandle {
    /** A WebRTC session description as Janus takes and gives it: {@code {"type": "offer"|"answer", "sdp": ...}}. */
    public record Jsep(String type, String sdp) {
        public Jsep {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(sdp, "sdp");
        }

        public static Jsep offer(String sdp) {
            return new Jsep("offer", sdp);
        }

        public static Jsep answer(String sdp) {
            return new Jsep("answer", sdp);
        }

        JsonNode toJson() {
            ObjectNode jsep = JanusSocket.JSON.createObjectNode();
            jsep.put("type", type);
            jsep.put("sdp", sdp);
            return jsep;
        }

        static Jsep from(JsonNode reply, String expectedType) {
            JsonNode jsep = reply.path("jsep");
            if (!expectedType.equals(jsep.path("type").asText()) || !jsep.path("sdp").isTextual()) {
                throw JanusException.local("Janus answered without an SDP " + expectedType);
            }
            return new Jsep(expectedType, jsep.path("sdp").asText());
        }
    }

    /** An ICE candidate as the browser gives it ({@code RTCIceCandidate}: candidate line, sdpMid, sdpMLineIndex). */
    public record Candidate(String candidate, String sdpMid, int sdpMLineIndex) {
        public Candidate {
            Objects.requireNonNull(candidate, "candidate");
        }

        JsonNode toJson() {
            ObjectNode json = JanusSocket.JSON.createObjectNode();
            json.put("candidate", candidate);
            if (sdpMid != null) {
                json.put("sdpMid", sdpMid);
            }
            json.put("sdpMLineIndex", sdpMLineIndex);
            return json;
        }
    }

    /** What a room allows; the media node creates one room per session. */
    public record RoomOptions(int maxPublishers, int bitrateBps, String audioCodecs, String videoCodecs) {
        public static RoomOptions defaults() {
            return new RoomOptions(100, 0, "opus", "vp8,h264");
        }
    }

    private final JanusClient client;
    private final long handleId;

    VideoRoomHandle(JanusClient client, long handleId) {
        this.client = client;
        this.handleId = handleId;
    }

    public long handleId() {
        return handleId;
    }

    /** Creates a room (not kept in Janus's config file: it lives as long as this Janus process). */
    public CompletableFuture<Void> createRoom(String roomId, RoomOptions options) {
        ObjectNode body = body("create");
        body.put("room", roomId);
        body.put("permanent", false);
        body.put("is_private", true);
        body.put("publishers", options.maxPublishers());
        if (options.bitrateBps() > 0) {
            body.put("bitrate", options.bitrateBps());
        }
        body.put("audiocodec", options.audioCodecs());
        body.put("videocodec", options.videoCodecs());
        return sync(body, "created");
    }

    public CompletableFuture<Void> destroyRoom(String roomId) {
        ObjectNode body = body("destroy");
        body.put("room", roomId);
        body.put("permanent", false);
        return sync(body, "destroyed");
    }

    /** Whether the room exists. */
    public CompletableFuture<Boolean> roomExists(String roomId) {
        ObjectNode body = body("exists");
        body.put("room", roomId);
        return client.message(handleId, body, null, JanusSocket.Reply.FIRST)
                .thenApply(reply -> data(reply).path("exists").asBoolean(false));
    }

    /** A participant of a room as the VideoRoom lists it; {@code publishing} once its PeerConnection is up. */
    public record Participant(String id, boolean publishing) {
    }

    /** The room's participants (publishers, whether their media flows yet or not). */
    public CompletableFuture<List<Participant>> participants(String roomId) {
        ObjectNode body = body("listparticipants");
        body.put("room", roomId);
        return client.message(handleId, body, null, JanusSocket.Reply.FIRST).thenApply(reply -> {
            List<Participant> participants = new ArrayList<>();
            for (JsonNode participant : data(reply).path("participants")) {
                participants.add(new Participant(participant.path("id").asText(),
                        participant.path("publisher").asBoolean(false)));
            }
            return participants;
        });
    }

    /** Joins {@code roomId} as publisher {@code publisherId} and publishes the offer's media; returns Janus's answer. */
    public CompletableFuture<Jsep> publish(String roomId, String publisherId, Jsep offer) {
        ObjectNode body = body("joinandconfigure");
        body.put("room", roomId);
        body.put("ptype", "publisher");
        body.put("id", publisherId);
        return client.message(handleId, body, offer.toJson(), JanusSocket.Reply.EVENT)
                .thenApply(reply -> Jsep.from(reply, "answer"));
    }

    /** Joins {@code roomId} as a subscriber to every stream of {@code publisherId}; returns Janus's offer. */
    public CompletableFuture<Jsep> subscribe(String roomId, String publisherId) {
        ObjectNode body = body("join");
        body.put("room", roomId);
        body.put("ptype", "subscriber");
        ArrayNode streams = body.putArray("streams");
        streams.addObject().put("feed", publisherId);
        return client.message(handleId, body, null, JanusSocket.Reply.EVENT)
                .thenApply(reply -> Jsep.from(reply, "offer"));
    }

    /**
     * Where one stream of a publisher goes as plain RTP: {@code port} of the request's host, with the SSRC the packets
     * get, and the port ({@code rtcpPort}) from which keyframe requests come back.
     */
    public record ForwardTarget(String mid, int port, int rtcpPort, long ssrc) {
        JsonNode toJson() {
            ObjectNode stream = JanusSocket.JSON.createObjectNode();
            stream.put("mid", mid);
            stream.put("port", port);
            stream.put("rtcp_port", rtcpPort);
            stream.put("ssrc", ssrc);
            return stream;
        }
    }

    /**
     * A forwarder Janus made: its id (for {@code stop_rtp_forward}) and the local port on which it takes RTCP
     * feedback (PLI/FIR), which it asks the publisher to answer with a keyframe.
     */
    public record Forwarder(long id, String kind, int port, int localRtcpPort) {
    }

    /**
     * Forwards the streams of publisher {@code publisherId} in {@code roomId}, decrypted, as plain RTP to
     * {@code host} ({@code rtp_forward}, answered at once; Janus 1.1.2 requires the host at the top level even with
     * per-stream targets). Janus skips a mid the publisher does not have, so fewer forwarders than targets may come
     * back.
     */
    public CompletableFuture<List<Forwarder>> rtpForward(String roomId, String publisherId, String host,
                                                         List<ForwardTarget> targets) {
        ObjectNode body = rtpForwardRequest(roomId, publisherId, host, targets);
        return client.message(handleId, body, null, JanusSocket.Reply.FIRST)
                .thenApply(VideoRoomHandle::forwarders);
    }

    static ObjectNode rtpForwardRequest(String roomId, String publisherId, String host, List<ForwardTarget> targets) {
        ObjectNode body = body("rtp_forward");
        body.put("room", roomId);
        body.put("publisher_id", publisherId);
        body.put("host", host);
        ArrayNode streams = body.putArray("streams");
        targets.forEach(target -> streams.add(target.toJson()));
        return body;
    }

    static List<Forwarder> forwarders(JsonNode reply) {
        JsonNode data = data(reply);
        if (!"rtp_forward".equals(data.path("videoroom").asText())) {
            throw JanusException.local("the VideoRoom answered '" + data.path("videoroom").asText()
                    + "' where 'rtp_forward' was expected");
        }
        List<Forwarder> forwarders = new ArrayList<>();
        for (JsonNode f : data.path("forwarders")) {
            forwarders.add(new Forwarder(f.path("stream_id").asLong(), f.path("type").asText(),
                    f.path("port").asInt(), f.path("local_rtcp_port").asInt(0)));
        }
        return forwarders;
    }

    /** Stops one forwarder ({@code stop_rtp_forward}); Janus also drops them all when the publisher goes. */
    public CompletableFuture<Void> stopRtpForward(String roomId, String publisherId, long forwarderId) {
        ObjectNode body = body("stop_rtp_forward");
        body.put("room", roomId);
        body.put("publisher_id", publisherId);
        body.put("stream_id", forwarderId);
        return sync(body, "stop_rtp_forward");
    }

    /**
     * One stream of a remote publisher: its m-index (Janus expects its packets with SSRC
     * {@value #REMOTE_PUBLISHER_BASE_SSRC} + m-index * {@value #REMOTE_PUBLISHER_SSRC_STEP}), mid, kind and codec
     * (Janus's name: {@code vp8}, {@code h264}, {@code opus}...).
     */
    public record RemoteStream(int mindex, String mid, String type, String codec) {
        JsonNode toJson() {
            ObjectNode stream = JanusSocket.JSON.createObjectNode();
            stream.put("mid", mid);
            stream.put("mindex", mindex);
            stream.put("type", type);
            stream.put("codec", codec);
            return stream;
        }

        /** The SSRC Janus 1.1.2 expects this stream's packets with ({@code REMOTE_PUBLISHER_BASE_SSRC} etc.). */
        public long ssrc() {
            return REMOTE_PUBLISHER_BASE_SSRC + (long) mindex * REMOTE_PUBLISHER_SSRC_STEP;
        }
    }

    /** janus_videoroom.c (1.1.2): a remote publisher's stream m is the SSRC base + m * step. */
    public static final long REMOTE_PUBLISHER_BASE_SSRC = 1000;
    public static final long REMOTE_PUBLISHER_SSRC_STEP = 10;

    /** A remote publisher Janus made: where it takes RTP (all streams on one port) and RTCP. */
    public record RemotePublisher(String id, int port, int rtcpPort) {
    }

    /**
     * Makes {@code id} a publisher of {@code roomId} fed by plain RTP ({@code add_remote_publisher}, the SFU
     * cascading API, answered at once): Janus opens a port for RTP and one for RTCP, and subscribers join it as any
     * publisher. Janus sends keyframe requests to wherever the first RTCP on its RTCP port came from. Completes once
     * the publisher is a participant of the room, so that subscribers can join it at once: janus_videoroom.c (1.1.2)
     * answers before the publisher's own thread ({@code janus_videoroom_remote_publisher_thread}) adds it to the
     * room, and until then a subscriber's join is refused with "no such feed" (seen in JanusClientTest under load).
     */
    public CompletableFuture<RemotePublisher> addRemotePublisher(String roomId, String id, List<RemoteStream> streams) {
        return client.message(handleId, addRemotePublisherRequest(roomId, id, streams), null, JanusSocket.Reply.FIRST)
                .thenApply(VideoRoomHandle::remotePublisher)
                .thenCompose(made -> untilParticipant(roomId, id, REMOTE_PUBLISHER_POLLS).thenApply(joined -> made));
    }

    /** How often, {@link #REMOTE_PUBLISHER_POLL_MS} apart, the room is listed for a new remote publisher: 2 s. */
    static final int REMOTE_PUBLISHER_POLLS = 200;
    static final long REMOTE_PUBLISHER_POLL_MS = 10;

    private CompletableFuture<Void> untilParticipant(String roomId, String id, int pollsLeft) {
        return participants(roomId).thenCompose(listed -> {
            if (listed.stream().anyMatch(p -> p.id().equals(id))) {
                return CompletableFuture.completedFuture(null);
            }
            if (pollsLeft <= 0) {
                return CompletableFuture.failedFuture(JanusException.local("remote publisher " + id
                        + " was not in room " + roomId + " " + REMOTE_PUBLISHER_POLLS * REMOTE_PUBLISHER_POLL_MS
                        + " ms after Janus made it"));
            }
            // Run on the JDK's delay thread itself: its default executor would start a thread per poll on 2 cores.
            Executor later = CompletableFuture.delayedExecutor(REMOTE_PUBLISHER_POLL_MS, TimeUnit.MILLISECONDS,
                    Runnable::run);
            return CompletableFuture.runAsync(() -> { }, later)
                    .thenCompose(waited -> untilParticipant(roomId, id, pollsLeft - 1));
        });
    }

    static ObjectNode addRemotePublisherRequest(String roomId, String id, List<RemoteStream> streams) {
        ObjectNode body = body("add_remote_publisher");
        body.put("room", roomId);
        body.put("id", id);
        ArrayNode array = body.putArray("streams");
        streams.forEach(stream -> array.add(stream.toJson()));
        return body;
    }

    static RemotePublisher remotePublisher(JsonNode reply) {
        JsonNode data = data(reply);
        if (!"success".equals(data.path("videoroom").asText()) || !data.path("port").canConvertToInt()) {
            throw JanusException.local("the VideoRoom answered " + data + " to add_remote_publisher");
        }
        return new RemotePublisher(data.path("id").asText(), data.path("port").asInt(), data.path("rtcp_port").asInt());
    }

    /** Removes a remote publisher; its subscribers lose it. */
    public CompletableFuture<Void> removeRemotePublisher(String roomId, String id) {
        ObjectNode body = body("remove_remote_publisher");
        body.put("room", roomId);
        body.put("id", id);
        return sync(body, "success");
    }

    /**
     * Stops ({@code mute}) or resumes relaying one stream ({@code mid}) of publisher {@code publisherId} to its
     * subscribers and forwarders ({@code moderate}, answered at once). janus_videoroom.c (1.1.2) drops a muted
     * stream's packets before both, for browser and remote publishers alike, and resets its subscribers' RTP
     * sequence context when it is unmuted.
     */
    public CompletableFuture<Void> moderate(String roomId, String publisherId, String mid, boolean mute) {
        return sync(moderateRequest(roomId, publisherId, mid, mute), "success");
    }

    static ObjectNode moderateRequest(String roomId, String publisherId, String mid, boolean mute) {
        ObjectNode body = body("moderate");
        body.put("room", roomId);
        body.put("id", publisherId);
        body.put("mid", mid);
        body.put("mute", mute);
        return body;
    }

    /** Completes a subscription with the subscriber's answer to Janus's offer. */
    public CompletableFuture<Void> start(Jsep answer) {
        return client.message(handleId, body("start"), answer.toJson(), JanusSocket.Reply.EVENT)
                .thenApply(reply -> null);
    }

    /** Stops publishing; the handle stays in the room. */
    public CompletableFuture<Void> unpublish() {
        return client.message(handleId, body("unpublish"), null, JanusSocket.Reply.EVENT).thenApply(reply -> null);
    }

    /** Leaves the room (a publisher stops publishing, a subscriber stops receiving). */
    public CompletableFuture<Void> leave() {
        return client.message(handleId, body("leave"), null, JanusSocket.Reply.EVENT).thenApply(reply -> null);
    }

    /** Hands one remote candidate of the peer to Janus. */
    public CompletableFuture<Void> trickle(Candidate candidate) {
        ObjectNode trickle = JanusSocket.JSON.createObjectNode();
        trickle.put("janus", "trickle");
        trickle.set("candidate", candidate.toJson());
        return ack(trickle);
    }

    /** Hands several remote candidates to Janus in one message. */
    public CompletableFuture<Void> trickle(List<Candidate> candidates) {
        ObjectNode trickle = JanusSocket.JSON.createObjectNode();
        trickle.put("janus", "trickle");
        ArrayNode array = trickle.putArray("candidates");
        candidates.forEach(candidate -> array.add(candidate.toJson()));
        return ack(trickle);
    }

    /** Hands {@code candidates} to Janus in as few messages as it takes, then, if {@code end}, the end of them. */
    public CompletableFuture<Void> trickle(List<Candidate> candidates, boolean end) {
        CompletableFuture<Void> sent = switch (candidates.size()) {
            case 0 -> CompletableFuture.completedFuture(null);
            case 1 -> trickle(candidates.get(0));
            default -> trickle(candidates);
        };
        return end ? sent.thenCompose(ignored -> trickleCompleted()) : sent;
    }

    /** Tells Janus the peer has no more candidates. */
    public CompletableFuture<Void> trickleCompleted() {
        ObjectNode trickle = JanusSocket.JSON.createObjectNode();
        trickle.put("janus", "trickle");
        trickle.putObject("candidate").put("completed", true);
        return ack(trickle);
    }

    /** Closes the handle's PeerConnection and removes the handle from Janus. */
    public CompletableFuture<Void> detach() {
        ObjectNode detach = JanusSocket.JSON.createObjectNode();
        detach.put("janus", "detach");
        return client.handleRequest(handleId, detach).thenApply(reply -> {
            JanusClient.expect(reply, "success");
            return null;
        });
    }

    private CompletableFuture<Void> ack(ObjectNode request) {
        return client.handleRequest(handleId, request).thenApply(reply -> {
            JanusClient.expect(reply, "ack");
            return null;
        });
    }

    private CompletableFuture<Void> sync(ObjectNode body, String expected) {
        return client.message(handleId, body, null, JanusSocket.Reply.FIRST).thenApply(reply -> {
            String videoroom = data(reply).path("videoroom").asText();
            if (!expected.equals(videoroom)) {
                throw JanusException.local("the VideoRoom answered '" + videoroom + "' where '" + expected
                        + "' was expected");
            }
            return null;
        });
    }

    private static JsonNode data(JsonNode reply) {
        return reply.path("plugindata").path("data");
    }

    private static ObjectNode body(String request) {
        ObjectNode body = JanusSocket.JSON.createObjectNode();
        body.put("request", request);
        return body;
    }
}
