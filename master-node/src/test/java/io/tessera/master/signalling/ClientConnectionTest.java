package io.tessera.master.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tessera.common.protocol.ClusterTopics.SessionRelocated;
import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ToSignalling;
import io.tessera.master.medianode.FakeMediaNode;
import io.tessera.master.medianode.MediaNodeClient;
import io.tessera.master.placement.PlacementMeters;
import io.tessera.master.placement.PlacementPolicy;
import io.tessera.master.placement.TestMediaNodes;
import io.tessera.master.routing.ConnectionRecord;
import io.tessera.master.routing.InMemoryRoutes;
import io.tessera.master.session.SessionService;
import io.tessera.master.session.Tokens;
import io.tessera.wire.jsonrpc.JsonRpc;
import io.tessera.wire.jsonrpc.OpenViduResult;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A ClientConnection in one JVM: JSON-RPC text in, JSON-RPC text out (through its Outbox), a scripted media node and
 * in-memory routes behind it. The states (awaiting join, joining, joined, relocating) as a client sees them.
 */
class ClientConnectionTest {
    static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** One socket: what the client sends, what it receives, and what the media nodes were asked. */
    private static final class Client {
        final TestProbe<String> socket = testKit.createTestProbe();
        final TestProbe<MediaNodeProtocol.Command> node1 = testKit.createTestProbe();
        final TestProbe<MediaNodeProtocol.Command> node2 = testKit.createTestProbe();
        final TestProbe<RelocationRelay.Command> relay = testKit.createTestProbe();
        final ActorRef<MediaNodeProtocol.Command> manager1;
        final ActorRef<MediaNodeProtocol.Command> manager2;
        final SessionService sessions;
        final TestMediaNodes nodes;
        final ActorRef<ToSignalling> connection;
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        int nextId = 1;

        Client(Set<Class<? extends MediaNodeProtocol.Command>> silentFor) {
            this(silentFor, SignallingSettings.RECONNECT_HOLD);
        }

        /** media-1 (silent for {@code silentFor}) hosts the sessions; media-2 runs beside it. */
        Client(Set<Class<? extends MediaNodeProtocol.Command>> silentFor, Duration reconnectHold) {
            manager1 = testKit.spawn(FakeMediaNode.create("media-1", node1.getRef(), silentFor));
            manager2 = testKit.spawn(FakeMediaNode.create("media-2", node2.getRef(), Set.of()));
            // media-2 is full, so that sessions are placed on media-1
            nodes = new TestMediaNodes().report("media-1", manager1, "running", 0, 10)
                    .report("media-2", manager2, "running", 10, 10);
            sessions = new SessionService(testKit.system(), new InMemoryRoutes(), nodes.view(), new PlacementPolicy(3000),
                    new Tokens("ws://127.0.0.1:4443"), Duration.ofMinutes(5),
                    new MediaNodeClient(testKit.system(), Duration.ofMillis(500)),
                    new PlacementMeters(new SimpleMeterRegistry()));
            connection = testKit.spawn(ClientConnection.create(sessions, new Outbox(socket.getRef(), 1 << 20),
                    new SignallingSettings(100, 64 * 1024, Duration.ofMinutes(1), 1000,
                            OpenViduResult.IceServer.parseList(OpenViduResult.IceServer.LOOPBACK_DEFAULT),
                            reconnectHold), relay.getRef(),
                    new SignallingMeters(registry), () -> { }));
        }

        /** A session on media-1 and a token for it. */
        String token(String sessionId) {
            sessions.createSession(new SessionService.NewSession(sessionId, "ROUTED", "MANUAL", "VP8", false, null,
                    null, "protected")).toCompletableFuture().join();
            node1.expectMessageClass(MediaNodeProtocol.HostSession.class);
            ConnectionRecord c = sessions.createConnection(sessionId,
                    new SessionService.NewConnection("PUBLISHER", false, "")).toCompletableFuture().join();
            return sessions.tokens().url(sessionId, c.token());
        }

        JsonNode call(String method, String params) throws Exception {
            int id = nextId++;
            connection.tell(new ClientConnection.Inbound("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method
                    + "\",\"params\":" + params + "}"));
            JsonNode answer = JsonRpc.MAPPER.readTree(socket.receiveMessage(Duration.ofSeconds(5)));
            assertEquals(id, answer.get("id").asInt(), answer.toString());
            return answer;
        }

        JsonNode join(String sessionId) throws Exception {
            JsonNode joined = call("joinRoom", "{\"token\":\"" + token(sessionId) + "\",\"session\":\"" + sessionId
                    + "\",\"platform\":\"test\"}");
            node1.expectMessageClass(MediaNodeProtocol.Join.class);
            return joined.get("result");
        }
    }

    /**
     * The next command of {@code type} a node was sent, past delivery confirmations (sent when the actor gets round
     * to it, which may be after the test's next message).
     */
    private static <T extends MediaNodeProtocol.Command> T nextCommand(TestProbe<MediaNodeProtocol.Command> node,
                                                                      Class<T> type) {
        while (true) {
            MediaNodeProtocol.Command command = node.receiveMessage(Duration.ofSeconds(5));
            if (!(command instanceof MediaNodeProtocol.EventsDelivered)) {
                assertTrue(type.isInstance(command), "expected " + type.getSimpleName() + ", got " + command);
                return type.cast(command);
            }
        }
    }

    private static int errorCode(JsonNode answer) {
        return answer.path("error").path("code").asInt();
    }

    @Test
    void sessionRequestsNeedAJoinAndAJoinHappensOnce() throws Exception {
        Client client = new Client(Set.of());
        assertEquals(102, errorCode(client.call("publishVideo", "{\"sdpOffer\":\"v=0\"}")));
        assertEquals("pong", client.call("ping", "{}").path("result").path("value").asText());
        JsonNode joined = client.join("s1");
        assertEquals("s1", joined.get("session").asText());
        assertEquals("media-1", joined.get("mediaNodeId").asText());
        assertEquals(FakeMediaNode.secretOf("media-1"), joined.get("resumeSecret").asText());
        // OpenVidu's rpcSessionId, which openvidu-browser sends back in connect: session, connection and secret
        io.tessera.wire.jsonrpc.ResumeHandle handle = io.tessera.wire.jsonrpc.ResumeHandle
                .decode(joined.get("sessionId").asText()).orElseThrow();
        assertEquals("s1", handle.sessionId());
        assertEquals(joined.get("id").asText(), handle.connectionId());
        assertEquals(FakeMediaNode.secretOf("media-1"), handle.resumeSecret());
        client.relay.expectMessageClass(RelocationRelay.Register.class);
        assertEquals(105, errorCode(client.call("joinRoom", "{\"token\":\"x\",\"session\":\"s1\"}")));
        assertEquals(105, errorCode(client.call("connect", "{}")));
    }

    @Test
    void joinedRequestsGoToTheMediaNodeAndLeavingEndsThem() throws Exception {
        Client client = new Client(Set.of());
        String connectionId = client.join("s2").get("id").asText();
        JsonNode published = client.call("publishVideo", "{\"sdpOffer\":\"v=0\",\"typeOfVideo\":\"SCREEN\"}");
        assertEquals("answer-from-media-1", published.path("result").path("sdpAnswer").asText());
        assertEquals("str_CAM_" + connectionId, published.path("result").path("id").asText());
        MediaNodeProtocol.Publish publish = client.node1.expectMessageClass(MediaNodeProtocol.Publish.class);
        assertEquals("SCREEN", publish.stream().typeOfVideo());
        assertEquals("{}", client.call("leaveRoom", "{}").get("result").toString());
        client.node1.expectMessageClass(MediaNodeProtocol.Leave.class);
        assertEquals(102, errorCode(client.call("unpublishVideo", "{}")));
    }

    @Test
    void reconnectStreamIsAnsweredAsPublishVideoForItsOwnStreamAndEmptyForAnAnswer() throws Exception {
        Client client = new Client(Set.of());
        String connectionId = client.join("s2r").get("id").asText();
        String own = "str_CAM_Abcd_" + connectionId;
        JsonNode republished = client.call("reconnectStream", "{\"stream\":\"" + own + "\",\"sdpString\":\"v=0\"}");
        assertEquals(own, republished.path("result").path("id").asText(), republished.toString());
        assertEquals("answer-from-media-1", republished.path("result").path("sdpAnswer").asText());
        MediaNodeProtocol.ReconnectStream asked = client.node1.expectMessageClass(
                MediaNodeProtocol.ReconnectStream.class);
        assertEquals(own, asked.streamId());
        assertEquals("v=0", asked.sdp());
        JsonNode answered = client.call("reconnectStream", "{\"stream\":\"str_CAM_Wxyz_con_other\","
                + "\"sdpString\":\"v=0\",\"forciblyReconnect\":true}");
        assertEquals("{}", answered.get("result").toString());
        assertEquals(-32602, errorCode(client.call("reconnectStream", "{\"stream\":\"bad id!\",\"sdpString\":\"v\"}")));

        client.connection.tell(new ParticipantEvent("s2r", connectionId, 1,
                new MediaNodeProtocol.ForciblyReconnectSubscriber("con_other", "str_CAM_Wxyz_con_other", "offer")));
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"forciblyReconnectSubscriber\",\"params\":{\"connectionId\":"
                + "\"con_other\",\"streamId\":\"str_CAM_Wxyz_con_other\",\"sdpOffer\":\"offer\",\"seq\":1}}",
                client.socket.receiveMessage());
    }

    @Test
    void eventsBecomeNumberedNotificationsAndAnEvictionEndsTheParticipation() throws Exception {
        Client client = new Client(Set.of());
        String connectionId = client.join("s3").get("id").asText();
        client.connection.tell(new ParticipantEvent("s3", connectionId, 1,
                new MediaNodeProtocol.ParticipantLeft("con_other", "disconnect")));
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"participantLeft\",\"params\":{\"connectionId\":\"con_other\","
                + "\"reason\":\"disconnect\",\"seq\":1}}", client.socket.receiveMessage());
        client.connection.tell(new ParticipantEvent("s3", "con_someone_else", 2,
                new MediaNodeProtocol.ParticipantLeft("con_other", "disconnect")));
        client.connection.tell(new ParticipantEvent("s3", connectionId, 2,
                new MediaNodeProtocol.ParticipantEvicted(connectionId, "forceDisconnectByServer")));
        JsonNode evicted = JsonRpc.MAPPER.readTree(client.socket.receiveMessage());
        assertEquals("participantEvicted", evicted.get("method").asText(), "another participant's event is not sent");
        assertEquals(102, errorCode(client.call("leaveRoom", "{}")));
    }

    /** streamPropertyChanged: the plain value goes to the media node; its event is written as OpenVidu relays it. */
    @Test
    void streamPropertyChangesGoToTheMediaNodeAndComeBackAsOpenViduWritesThem() throws Exception {
        Client client = new Client(Set.of());
        String connectionId = client.join("s7").get("id").asText();
        assertEquals("{}", client.call("streamPropertyChanged", "{\"streamId\":\"str_CAM_x\",\"property\":"
                + "\"videoDimensions\",\"newValue\":\"{\\\"height\\\":480,\\\"width\\\":640}\","
                + "\"reason\":\"screenResized\"}").get("result").toString());
        MediaNodeProtocol.ChangeStreamProperty change = client.node1.expectMessageClass(
                MediaNodeProtocol.ChangeStreamProperty.class);
        assertEquals(List.of(connectionId, "str_CAM_x", "videoDimensions", "{\"width\":640,\"height\":480}",
                "screenResized"), List.of(change.connectionId(), change.streamId(), change.property(),
                change.newValue(), change.reason()));
        assertEquals(-32602, errorCode(client.call("streamPropertyChanged", "{\"streamId\":\"a/b\",\"property\":"
                + "\"audioActive\",\"newValue\":true,\"reason\":\"publishAudio\"}")), "a stream id that is no id");

        client.connection.tell(new ParticipantEvent("s7", connectionId, 1, new MediaNodeProtocol.StreamPropertyChanged(
                "con_other", "str_CAM_y", "audioActive", "false", "publishAudio")));
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"streamPropertyChanged\",\"params\":{\"connectionId\":"
                + "\"con_other\",\"streamId\":\"str_CAM_y\",\"property\":\"audioActive\",\"newValue\":\"false\","
                + "\"reason\":\"publishAudio\",\"seq\":1}}", client.socket.receiveMessage());
    }

    @Test
    void aSilentMediaNodeIs503AndTheSocketStaysUsable() throws Exception {
        Client client = new Client(Set.of(MediaNodeProtocol.Publish.class));
        client.join("s4");
        JsonNode answer = client.call("publishVideo", "{\"sdpOffer\":\"v=0\"}");
        assertEquals(503, errorCode(answer));
        assertTrue(answer.path("error").path("message").asText().contains("did not answer"), answer.toString());
        assertEquals("pong", client.call("ping", "{}").path("result").path("value").asText());
    }

    @Test
    void aRelocatedSessionIsFollowedToItsNewNodeWithTheSequenceWhereItWas() throws Exception {
        Client client = new Client(Set.of());
        String connectionId = client.join("s5").get("id").asText();
        client.connection.tell(new ParticipantEvent("s5", connectionId, 3,
                new MediaNodeProtocol.MessageReceived("con_x", "signal", "hi")));
        client.socket.receiveMessage();
        client.connection.tell(new ClientConnection.Relocated(new SessionRelocated("s5", "media-1", "media-2",
                client.manager2, "nodeCrashed")));
        MediaNodeProtocol.Join moved = client.node2.expectMessageClass(MediaNodeProtocol.Join.class);
        assertEquals("media-1", moved.movedFrom());
        assertEquals(3, moved.lastSeq());
        assertEquals(connectionId, moved.participant().connectionId());
        assertEquals(FakeMediaNode.secretOf("media-1"), moved.resumeSecret(),
                "the participant keeps the secret its client's resume handle holds");
        // requests now go to the new node
        client.call("receiveVideoFrom", "{\"sender\":\"str_CAM_x\",\"sdpOffer\":\"v=0\"}");
        nextCommand(client.node2, MediaNodeProtocol.Subscribe.class);
        // a session that could not be placed again evicts the participant, numbered after what it saw
        client.connection.tell(new ClientConnection.Relocated(new SessionRelocated("s5", "media-2", null, null,
                "nodeCrashed")));
        JsonNode evicted = JsonRpc.MAPPER.readTree(client.socket.receiveMessage());
        assertEquals("participantEvicted", evicted.get("method").asText());
        assertEquals(4, evicted.path("params").path("seq").asLong());
        assertEquals("nodeCrashed", evicted.path("params").path("reason").asText());
    }

    /**
     * The early word of a death reaches the client as {@code mediaNodeLost}, without a {@code seq} (the sequence
     * goes on where it was), and only for the node the participant is on.
     */
    @Test
    void aLostMediaNodeIsToldToItsClientsAtOnceOutsideTheSequence() throws Exception {
        Client client = new Client(Set.of());
        String connectionId = client.join("s11").get("id").asText();
        client.connection.tell(new ClientConnection.MediaNodeLost("s11", "media-2")); // not this participant's node
        client.connection.tell(new ClientConnection.MediaNodeLost("other", "media-1")); // not its session
        client.connection.tell(new ClientConnection.MediaNodeLost("s11", "media-1"));
        JsonNode lost = JsonRpc.MAPPER.readTree(client.socket.receiveMessage());
        assertEquals("mediaNodeLost", lost.get("method").asText(), lost.toString());
        assertEquals("media-1", lost.path("params").path("failedMediaNodeId").asText());
        assertEquals("s11", lost.path("params").path("sessionId").asText());
        assertTrue(lost.path("params").path("seq").isMissingNode(), lost.toString());
        client.connection.tell(new ParticipantEvent("s11", connectionId, 1,
                new MediaNodeProtocol.MessageReceived("con_x", "signal", "hi")));
        assertEquals(1, JsonRpc.MAPPER.readTree(client.socket.receiveMessage()).path("params").path("seq").asLong());
        // This master's registry still hears media-1, but the cluster found it dead: a rebuild waits for the move.
        String own = "str_CAM_Abcd_" + connectionId;
        client.connection.tell(new ClientConnection.Inbound("{\"id\":50,\"method\":\"reconnectStream\",\"params\":"
                + "{\"stream\":\"" + own + "\",\"sdpString\":\"v=0\"}}"));
        assertEquals("pong", client.call("ping", "{}").path("result").path("value").asText(), "held, not answered");
        client.connection.tell(new ClientConnection.Relocated(new SessionRelocated("s11", "media-1", "media-2",
                client.manager2, "nodeCrashed")));
        nextCommand(client.node2, MediaNodeProtocol.Join.class);
        nextCommand(client.node2, MediaNodeProtocol.ReconnectStream.class);
        JsonNode answer = JsonRpc.MAPPER.readTree(client.socket.receiveMessage(Duration.ofSeconds(5)));
        assertEquals(50, answer.path("id").asInt(), answer.toString());
        assertEquals("answer-from-media-2", answer.path("result").path("sdpAnswer").asText(),
                "held for the move, not sent to the node found dead: " + answer);
    }

    /**
     * A publisher's reconnectStream sent while its media node is dead (it never answers) and before the session moved:
     * it goes to the session's new node as soon as the participant follows it there, after its moved join, and the
     * client gets that node's answer instead of a 503.
     */
    @Test
    void aReconnectStreamSentToADeadNodeGoesToTheNewNodeWhenTheSessionMoves() throws Exception {
        Client client = new Client(Set.of(MediaNodeProtocol.ReconnectStream.class), Duration.ofSeconds(30));
        String connectionId = client.join("s8").get("id").asText();
        String own = "str_CAM_Abcd_" + connectionId;
        client.connection.tell(new ClientConnection.Inbound("{\"id\":40,\"method\":\"reconnectStream\",\"params\":"
                + "{\"stream\":\"" + own + "\",\"sdpString\":\"v=0\"}}"));
        nextCommand(client.node1, MediaNodeProtocol.ReconnectStream.class); // the dead node never answers
        client.connection.tell(new ClientConnection.Relocated(new SessionRelocated("s8", "media-1", "media-2",
                client.manager2, "nodeCrashed")));
        nextCommand(client.node2, MediaNodeProtocol.Join.class);
        assertEquals(own, nextCommand(client.node2, MediaNodeProtocol.ReconnectStream.class).streamId());
        JsonNode answer = JsonRpc.MAPPER.readTree(client.socket.receiveMessage(Duration.ofSeconds(5)));
        assertEquals(40, answer.path("id").asInt(), answer.toString());
        assertEquals("answer-from-media-2", answer.path("result").path("sdpAnswer").asText(), answer.toString());
        assertEquals(own, answer.path("result").path("id").asText());
        client.socket.expectNoMessage(Duration.ofMillis(700)); // nor the dead node's 503 once its ask times out
    }

    /** A node this master sees as unreachable is not asked: the request waits for the move, then goes there. */
    @Test
    void aReconnectStreamForAnUnreachableNodeWaitsForTheMove() throws Exception {
        Client client = new Client(Set.of(), Duration.ofSeconds(30));
        String connectionId = client.join("s9").get("id").asText();
        client.nodes.unreachable("media-1");
        String own = "str_CAM_Abcd_" + connectionId;
        client.connection.tell(new ClientConnection.Inbound("{\"id\":41,\"method\":\"reconnectStream\",\"params\":"
                + "{\"stream\":\"" + own + "\",\"sdpString\":\"v=0\"}}"));
        assertEquals("pong", client.call("ping", "{}").path("result").path("value").asText(), "held, not answered");
        assertEquals(1.0, client.registry.get("tessera.master.reconnect.stream.held").gauge().value());
        // the new PeerConnection's candidates: answered at once, kept for the node the session moves to
        JsonNode candidate = client.call("onIceCandidate", "{\"endpointName\":\"" + connectionId + "\","
                + "\"candidate\":\"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\",\"sdpMid\":\"0\","
                + "\"sdpMLineIndex\":0}");
        assertTrue(candidate.has("result"), candidate.toString());
        client.connection.tell(new ClientConnection.Relocated(new SessionRelocated("s9", "media-1", "media-2",
                client.manager2, "nodeCrashed")));
        nextCommand(client.node2, MediaNodeProtocol.Join.class);
        nextCommand(client.node2, MediaNodeProtocol.ReconnectStream.class);
        assertEquals(connectionId, nextCommand(client.node2, MediaNodeProtocol.AddIceCandidate.class).endpointName());
        JsonNode answer = JsonRpc.MAPPER.readTree(client.socket.receiveMessage(Duration.ofSeconds(5)));
        assertEquals("answer-from-media-2", answer.path("result").path("sdpAnswer").asText(), answer.toString());
        client.node1.expectNoMessage(Duration.ofMillis(100)); // past the join: the unreachable node was never asked
        assertEquals(0.0, client.registry.get("tessera.master.reconnect.stream.held").gauge().value());
        assertEquals(1.0, client.registry.get("tessera.master.reconnect.stream.holds").tag("outcome", "moved")
                .counter().count());
    }

    /** A session that does not move within the hold: 503 saying so; a reachable node's silence is 503 at once. */
    @Test
    void aReconnectStreamIsHeldOnlyForItsBoundAndOnlyWhileTheNodeIsUnreachable() throws Exception {
        Client client = new Client(Set.of(MediaNodeProtocol.ReconnectStream.class), Duration.ofMillis(300));
        String connectionId = client.join("s10").get("id").asText();
        String own = "str_CAM_Abcd_" + connectionId;
        JsonNode silent = client.call("reconnectStream", "{\"stream\":\"" + own + "\",\"sdpString\":\"v=0\"}");
        assertEquals(503, errorCode(silent));
        assertTrue(silent.path("error").path("message").asText().contains("did not answer"), silent.toString());

        client.nodes.unreachable("media-1");
        JsonNode held = client.call("reconnectStream", "{\"stream\":\"" + own + "\",\"sdpString\":\"v=0\"}");
        assertEquals(503, errorCode(held));
        assertTrue(held.path("error").path("message").asText().contains("not moved to another one within 300 ms"),
                held.toString());
        assertEquals(1.0, client.registry.get("tessera.master.reconnect.stream.holds").tag("outcome", "timed_out")
                .counter().count());
        assertEquals(0.0, client.registry.get("tessera.master.reconnect.stream.held").gauge().value());
    }

    @Test
    void aSocketWhoseParticipantResumedElsewhereIsClosed() throws Exception {
        Client client = new Client(Set.of());
        String connectionId = client.join("s7").get("id").asText();
        client.relay.expectMessageClass(RelocationRelay.Register.class);
        client.connection.tell(new MediaNodeProtocol.AttachmentSuperseded("s7", "con_someone_else", 2));
        assertEquals("pong", client.call("ping", "{}").path("result").path("value").asText(),
                "another participant's notice changes nothing");
        client.connection.tell(new MediaNodeProtocol.AttachmentSuperseded("s7", connectionId, 2));
        assertEquals(ClientConnection.CLOSE, client.socket.receiveMessage());
        client.relay.expectMessageClass(RelocationRelay.Unregister.class);
    }

    /** A session's connection resumes through the client's socket; the node (silent for it) was asked this. */
    private static MediaNodeProtocol.Resume resumeUnanswered(Client client, String sessionId) {
        client.token(sessionId);
        ConnectionRecord c = client.sessions.connections(sessionId).toCompletableFuture().join().get(0);
        client.connection.tell(new ClientConnection.Inbound("{\"id\":5,\"method\":\"connect\",\"params\":{"
                + "\"sessionId\":\"" + sessionId + "\",\"connectionId\":\"" + c.connectionId()
                + "\",\"resumeSecret\":\"x\",\"lastSeq\":0}}"));
        return nextCommand(client.node1, MediaNodeProtocol.Resume.class);
    }

    /**
     * The node attached this socket's resume and then another socket's (this resume reached it late, after the client
     * had given up on it and resumed elsewhere) before this socket heard the answer: the notice must not be lost, or
     * the client would believe itself resumed on a socket that no event reaches any more.
     */
    @Test
    void aSocketSupersededWhileItsResumeIsAnsweredIsClosedWithTheAnswer() throws Exception {
        Client client = new Client(Set.of(MediaNodeProtocol.Resume.class));
        MediaNodeProtocol.Resume resume = resumeUnanswered(client, "s12");
        client.connection.tell(new MediaNodeProtocol.AttachmentSuperseded("s12", resume.connectionId(), 3));
        resume.replyTo().tell(new MediaNodeProtocol.JoinReply(true, 0, null, "media-1", List.of(), 0, "x", null, 2));
        JsonNode resumed = JsonRpc.MAPPER.readTree(client.socket.receiveMessage());
        assertTrue(resumed.path("result").path("resumed").asBoolean(), resumed.toString());
        assertEquals(ClientConnection.CLOSE, client.socket.receiveMessage());
        client.relay.expectMessageClass(RelocationRelay.Register.class);
        client.relay.expectMessageClass(RelocationRelay.Unregister.class);
    }

    @Test
    void aSupersededNoticeAboutAnOlderAttachmentLeavesAResumeAlone() throws Exception {
        Client client = new Client(Set.of(MediaNodeProtocol.Resume.class));
        MediaNodeProtocol.Resume resume = resumeUnanswered(client, "s13");
        client.connection.tell(new MediaNodeProtocol.AttachmentSuperseded("s13", resume.connectionId(), 2));
        resume.replyTo().tell(new MediaNodeProtocol.JoinReply(true, 0, null, "media-1", List.of(), 0, "x", null, 3));
        assertTrue(JsonRpc.MAPPER.readTree(client.socket.receiveMessage()).path("result").path("resumed").asBoolean());
        assertEquals("pong", client.call("ping", "{}").path("result").path("value").asText(), "still open, in session");
    }

    @Test
    void aResumeDeliversTheReplayedEventsAndGoesOnFromThem() throws Exception {
        Client client = new Client(Set.of());
        client.token("s6");
        ConnectionRecord c = client.sessions.connections("s6").toCompletableFuture().join().get(0);
        client.connection.tell(new ClientConnection.Inbound("{\"id\":9,\"method\":\"connect\",\"params\":{"
                + "\"sessionId\":\"s6\",\"connectionId\":\"" + c.connectionId() + "\",\"resumeSecret\":\"x\","
                + "\"lastSeq\":12}}"));
        JsonNode replayed = JsonRpc.MAPPER.readTree(client.socket.receiveMessage());
        assertEquals("sendMessage", replayed.get("method").asText(), "the replayed event may come first");
        assertEquals(13, replayed.path("params").path("seq").asLong());
        JsonNode resumed = JsonRpc.MAPPER.readTree(client.socket.receiveMessage()).get("result");
        assertTrue(resumed.get("resumed").asBoolean());
        assertEquals(12, resumed.get("seq").asLong());
        MediaNodeProtocol.Resume resume = client.node1.expectMessageClass(MediaNodeProtocol.Resume.class);
        assertEquals("x", resume.resumeSecret());
        // the sequence goes on after the replayed event
        client.connection.tell(new ClientConnection.Relocated(new SessionRelocated("s6", "media-1", null, null,
                "nodeCrashed")));
        assertEquals(14, JsonRpc.MAPPER.readTree(client.socket.receiveMessage()).path("params").path("seq").asLong());
    }
    /**
     * The media node does not watch this actor: a socket that closes while its participant is in the session tells the
     * node so, naming itself, and one that left first says nothing (the node dropped the participant on the leave).
     */
    @Test
    void aSocketThatClosesInSessionTellsItsMediaNodeAndOneThatLeftDoesNot() throws Exception {
        Client client = new Client(Set.of());
        String connectionId = client.join("s14").get("id").asText();
        client.connection.tell(ClientConnection.SocketClosed.INSTANCE);
        MediaNodeProtocol.SignallingClosed closed = nextCommand(client.node1, MediaNodeProtocol.SignallingClosed.class);
        assertEquals("s14", closed.sessionId());
        assertEquals(connectionId, closed.connectionId());
        assertEquals(client.connection, closed.signalling());

        Client leaver = new Client(Set.of());
        leaver.join("s15");
        assertEquals("{}", leaver.call("leaveRoom", "{}").get("result").toString());
        nextCommand(leaver.node1, MediaNodeProtocol.Leave.class);
        leaver.connection.tell(ClientConnection.SocketClosed.INSTANCE);
        testKit.createTestProbe().expectTerminated(leaver.connection);
        leaver.node1.expectNoMessage(Duration.ofMillis(300)); // no SignallingClosed after a leave
    }

    /** A joinRoom the node (silent for joins) was asked, and the socket closed before any answer; the Join sent. */
    private static MediaNodeProtocol.Join joinUnansweredThenClose(Client client, String sessionId) {
        String token = client.token(sessionId);
        client.connection.tell(new ClientConnection.Inbound("{\"id\":1,\"method\":\"joinRoom\",\"params\":{"
                + "\"token\":\"" + token + "\",\"session\":\"" + sessionId + "\"}}"));
        MediaNodeProtocol.Join join = nextCommand(client.node1, MediaNodeProtocol.Join.class);
        client.connection.tell(ClientConnection.SocketClosed.INSTANCE);
        testKit.createTestProbe().expectTerminated(client.connection);
        return join;
    }

    /**
     * The socket closed before the node's answer to its join (or resume) came: the node attached the participant to
     * an actor that no longer exists, so the answer, when it comes, still tells the node the socket is gone.
     */
    @Test
    void aSocketThatClosesBeforeItsJoinOrResumeIsAnsweredDetachesTheParticipantOnceTheNodeAccepts() throws Exception {
        Client client = new Client(Set.of(MediaNodeProtocol.Join.class));
        MediaNodeProtocol.Join join = joinUnansweredThenClose(client, "s16");
        join.replyTo().tell(new MediaNodeProtocol.JoinReply(true, 0, null, "media-1", List.of(), 0, "x", null, 1));
        MediaNodeProtocol.SignallingClosed closed = nextCommand(client.node1, MediaNodeProtocol.SignallingClosed.class);
        assertEquals(join.participant().connectionId(), closed.connectionId());
        assertEquals(join.signalling(), closed.signalling());

        Client resuming = new Client(Set.of(MediaNodeProtocol.Resume.class));
        MediaNodeProtocol.Resume resume = resumeUnanswered(resuming, "s17");
        resuming.connection.tell(ClientConnection.SocketClosed.INSTANCE);
        testKit.createTestProbe().expectTerminated(resuming.connection);
        resume.replyTo().tell(new MediaNodeProtocol.JoinReply(true, 0, null, "media-1", List.of(), 0, "x", null, 2));
        MediaNodeProtocol.SignallingClosed resumeClosed = nextCommand(resuming.node1,
                MediaNodeProtocol.SignallingClosed.class);
        assertEquals(resume.connectionId(), resumeClosed.connectionId());
        assertEquals(resume.signalling(), resumeClosed.signalling());

        Client refused = new Client(Set.of(MediaNodeProtocol.Join.class));
        MediaNodeProtocol.Join refusedJoin = joinUnansweredThenClose(refused, "s18");
        refusedJoin.replyTo().tell(MediaNodeProtocol.JoinReply.failure(409, "full"));
        refused.node1.expectNoMessage(Duration.ofMillis(300)); // nobody was attached: nothing to detach
    }
}
