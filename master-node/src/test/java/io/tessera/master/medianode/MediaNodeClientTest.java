package io.tessera.master.medianode;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.wire.jsonrpc.ErrorCode;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Every answer of a media node, and its silence, as the one reply type callers see. */
class MediaNodeClientTest {
    static final ActorTestKit testKit = ActorTestKit.create();
    // Answers may be slow on a loaded machine: only the silence test uses the short timeout, which it waits out.
    static final MediaNodeClient client = new MediaNodeClient(testKit.system(), Duration.ofSeconds(10));
    static final MediaNodeClient impatient = new MediaNodeClient(testKit.system(), Duration.ofMillis(300));

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** A node that refuses every command with {@code code}. */
    private static ActorRef<MediaNodeProtocol.Command> refusing(int code) {
        return testKit.spawn(Behaviors.receive(MediaNodeProtocol.Command.class).onAnyMessage(command -> {
            command.reject(code, "refused with " + code);
            return Behaviors.same();
        }).build());
    }

    private static <T> MediaNodeClient.Reply<T> await(java.util.concurrent.CompletionStage<MediaNodeClient.Reply<T>> s) {
        return s.toCompletableFuture().join();
    }

    @Test
    void anAnswerIsAccepted() {
        ActorRef<MediaNodeProtocol.Command> node = testKit.spawn(FakeMediaNode.create("media-1",
                testKit.<MediaNodeProtocol.Command>createTestProbe().getRef(), Set.of()));
        MediaNodeClient.Accepted<MediaNodeProtocol.SdpReply> accepted = assertInstanceOf(MediaNodeClient.Accepted.class,
                await(client.publish(node, "s", "con_1", 1, new StreamInfo(null, 0, false, true, false, true, "CAMERA",
                        30, ""), "v=0")));
        assertEquals("answer-from-media-1", accepted.value().sdpAnswer());
    }

    @Test
    void aParticipantsCommandsCarryItsAttachmentAndServerSignalsNone() {
        var node = testKit.<MediaNodeProtocol.Command>createTestProbe();
        client.signal(node.getRef(), "s", "con_1", 3, List.of(), "t", "d");
        MediaNodeProtocol.Attached attached = node.expectMessageClass(MediaNodeProtocol.Attached.class);
        assertEquals(3, attached.attachment());
        assertEquals("con_1", attached.connectionId());
        assertEquals("con_1", assertInstanceOf(MediaNodeProtocol.Signal.class, attached.command()).from());
        client.unpublish(node.getRef(), "s", "con_1", 4);
        assertEquals(4, node.expectMessageClass(MediaNodeProtocol.Attached.class).attachment());
        client.signal(node.getRef(), "s", List.of(), "t", "from REST");
        assertEquals(null, node.expectMessageClass(MediaNodeProtocol.Signal.class).from());
        // A stream property change and a delivery confirmation are the participant's too: a replaced path must not
        // change its stream or move its replay point.
        client.changeStreamProperty(node.getRef(), "s", "con_1", 5, "str_1", "videoActive", "false", "publishVideo");
        MediaNodeProtocol.Attached change = node.expectMessageClass(MediaNodeProtocol.Attached.class);
        assertEquals(5, change.attachment());
        assertInstanceOf(MediaNodeProtocol.ChangeStreamProperty.class, change.command());
        client.delivered(node.getRef(), "s", "con_1", 6, 42);
        MediaNodeProtocol.Attached delivered = node.expectMessageClass(MediaNodeProtocol.Attached.class);
        assertEquals(6, delivered.attachment());
        assertEquals(42, assertInstanceOf(MediaNodeProtocol.EventsDelivered.class, delivered.command()).seq());
    }

    @Test
    void aRefusalKeepsTheNodesCode() {
        MediaNodeClient.Rejected<?> rejected = assertInstanceOf(MediaNodeClient.Rejected.class,
                await(client.subscribe(refusing(415), "s", "con_1", 1, "str_1", "v=0")));
        assertEquals(ErrorCode.UNSUPPORTED_MEDIA, rejected.code());
        assertEquals("refused with 415", rejected.message());
        assertEquals(ErrorCode.NOT_JOINED, assertInstanceOf(MediaNodeClient.Rejected.class,
                await(client.leave(refusing(102), "s", "con_1", 1))).code());
    }

    @Test
    void aCodeOutsideTheContractAndSilenceAre503() {
        assertEquals(ErrorCode.UNAVAILABLE, assertInstanceOf(MediaNodeClient.Rejected.class,
                await(client.hostSession(refusing(418), "s", null))).code());
        ActorRef<MediaNodeProtocol.Command> silent = testKit.spawn(FakeMediaNode.create("media-2",
                testKit.<MediaNodeProtocol.Command>createTestProbe().getRef(), Set.of(MediaNodeProtocol.Join.class)));
        MediaNodeClient.Rejected<?> timedOut = assertInstanceOf(MediaNodeClient.Rejected.class,
                await(impatient.join(silent, "s", new MediaNodeProtocol.ParticipantInfo("con_1", 1, "", "", "PUBLISHER",
                        "", null), testKit.<MediaNodeProtocol.ParticipantEvent>createTestProbe().getRef(), 1)));
        assertEquals(ErrorCode.UNAVAILABLE, timedOut.code());
        assertEquals("the session's media node did not answer within 300 ms", timedOut.message());
    }

    @Test
    void closeEvictAndReleaseReachTheNodeWithoutWaitingForIt() {
        var node = testKit.<MediaNodeProtocol.Command>createTestProbe();
        client.closeSession(node.getRef(), "s", "sessionClosedByServer");
        MediaNodeProtocol.CloseSession close = node.expectMessageClass(MediaNodeProtocol.CloseSession.class);
        assertEquals("s", close.sessionId());
        assertEquals("sessionClosedByServer", close.reason());
        client.evict(node.getRef(), "s", "con_1", "forceDisconnectByServer");
        MediaNodeProtocol.Evict evict = node.expectMessageClass(MediaNodeProtocol.Evict.class);
        assertEquals(List.of("s", "con_1", "forceDisconnectByServer"),
                List.of(evict.sessionId(), evict.connectionId(), evict.reason()));
        client.release(node.getRef(), "s");
        assertEquals("s", node.expectMessageClass(MediaNodeProtocol.ReleaseSession.class).sessionId());
        // Nobody waits for the node: its answer goes to the ignore reference, not to an ask that would time out.
        assertEquals(testKit.system().ignoreRef(), close.replyTo());
        assertEquals(testKit.system().ignoreRef(), evict.replyTo());
    }
}
