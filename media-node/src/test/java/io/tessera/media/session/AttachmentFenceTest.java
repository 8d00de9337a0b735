package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.Attached;
import io.tessera.common.protocol.MediaNodeProtocol.AttachmentSuperseded;
import io.tessera.common.protocol.MediaNodeProtocol.Join;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.Leave;
import io.tessera.common.protocol.MediaNodeProtocol.MessageReceived;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantEvent;
import io.tessera.common.protocol.MediaNodeProtocol.ParticipantInfo;
import io.tessera.common.protocol.MediaNodeProtocol.Publish;
import io.tessera.common.protocol.MediaNodeProtocol.Resume;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import io.tessera.common.protocol.MediaNodeProtocol.Signal;
import io.tessera.common.protocol.MediaNodeProtocol.StreamInfo;
import io.tessera.common.protocol.MediaNodeProtocol.ToSignalling;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A participant's commands are served only through its current attachment: once its client resumed through another
 * master, what its old master still relays (it was frozen or cut off while requests queued up) is refused and counted,
 * and that master's connection actor is told to close.
 */
class AttachmentFenceTest {
    private static final ActorTestKit kit = PlainRtpSession.testKit("AttachmentFenceTest");

    private PlainRtpSession session;

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void start() throws IOException {
        session = new PlainRtpSession(kit, new Session.Settings("media-1", 10, Duration.ofSeconds(20), 64));
    }

    @AfterEach
    void stop() {
        session.close();
    }

    private double staleRefused() {
        return session.registry().get("tessera.media.fencing.stale.attachment").counter().count();
    }

    private JoinReply join(String connectionId, TestProbe<ToSignalling> signalling) {
        TestProbe<JoinReply> reply = kit.createTestProbe();
        session.forward(new Join("s1", new ParticipantInfo(connectionId, 1L, "", "", "PUBLISHER", "test", null),
                signalling.getRef().narrow(), reply.getRef()));
        JoinReply joined = reply.receiveMessage();
        assertTrue(joined.ok(), joined.error());
        return joined;
    }

    private Ack signal(MediaNodeProtocol.Command command, TestProbe<Ack> ack) {
        session.forward(command);
        return ack.receiveMessage();
    }

    @Test
    void aResumeReplacesTheAttachmentAndWhatTheOldPathStillRelaysIsRefused() {
        TestProbe<ToSignalling> oldPath = kit.createTestProbe();
        TestProbe<ToSignalling> b = kit.createTestProbe();
        JoinReply joined = join("a", oldPath);
        assertEquals(MediaNodeProtocol.FIRST_ATTACHMENT, joined.attachment());
        join("b", b);
        oldPath.receiveMessage(); // b joined

        TestProbe<ToSignalling> newPath = kit.createTestProbe();
        TestProbe<JoinReply> resumed = kit.createTestProbe();
        session.forward(new Resume("s1", "a", joined.resumeSecret(), 1, newPath.getRef().narrow(), resumed.getRef()));
        JoinReply reply = resumed.receiveMessage();
        assertTrue(reply.ok(), reply.error());
        assertEquals(2, reply.attachment());
        assertEquals(new AttachmentSuperseded("s1", "a", 2), oldPath.receiveMessage(),
                "the old path is told to close");

        TestProbe<Ack> ack = kit.createTestProbe();
        Ack stale = signal(new Attached("s1", "a", 1, new Signal("s1", "a", List.of("b"), "t", "late",
                ack.getRef())), ack);
        assertEquals(409, stale.errorCode(), stale.error());
        assertEquals(409, signal(new Signal("s1", "a", List.of("b"), "t", "bare", ack.getRef()), ack).errorCode(),
                "a command without an attachment counts as sent through the first one");
        b.expectNoMessage(Duration.ofMillis(200));
        assertEquals(2, staleRefused());

        assertTrue(signal(new Attached("s1", "a", 2, new Signal("s1", "a", List.of("b"), "t", "now",
                ack.getRef())), ack).ok());
        ParticipantEvent delivered = assertInstanceOf(ParticipantEvent.class, b.receiveMessage());
        assertEquals(new MessageReceived("a", "t", "now"), delivered.event());
        newPath.expectNoMessage(Duration.ofMillis(100));
        oldPath.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void theOldPathCanNeitherPublishNorTakeTheParticipantOut() {
        TestProbe<ToSignalling> oldPath = kit.createTestProbe();
        JoinReply joined = join("a", oldPath);
        TestProbe<JoinReply> resumed = kit.createTestProbe();
        TestProbe<ToSignalling> newPath = kit.createTestProbe();
        session.forward(new Resume("s1", "a", joined.resumeSecret(), 0, newPath.getRef().narrow(), resumed.getRef()));
        assertTrue(resumed.receiveMessage().ok());

        TestProbe<SdpReply> sdp = kit.createTestProbe();
        StreamInfo camera = new StreamInfo(null, 0, false, true, false, true, "CAMERA", 30, null);
        session.forward(new Attached("s1", "a", 1, new Publish("s1", "a", camera, offer(), sdp.getRef())));
        assertEquals(409, sdp.receiveMessage().errorCode());
        assertEquals(0, session.engine().stats().portsInUse(), "nothing was allocated for the stale publish");
        session.forward(new Attached("s1", "a", 2, new Publish("s1", "a", camera, offer(), sdp.getRef())));
        SdpReply published = sdp.receiveMessage();
        assertTrue(published.ok(), "the same offer through the current attachment: " + published.error());

        TestProbe<Ack> ack = kit.createTestProbe();
        assertEquals(409, signal(new Attached("s1", "a", 1, new Leave("s1", "a", ack.getRef())), ack).errorCode());
        assertTrue(signal(new Attached("s1", "a", 2, new Signal("s1", "a", List.of(), "t", "still here",
                ack.getRef())), ack).ok(), "the participant is still in the session");
        assertEquals(2, staleRefused());
    }

    @Test
    void theOldPathCanNeitherChangeAStreamNorConfirmDeliveries() {
        TestProbe<ToSignalling> oldPath = kit.createTestProbe();
        TestProbe<ToSignalling> b = kit.createTestProbe();
        JoinReply joined = join("a", oldPath);
        join("b", b);
        oldPath.receiveMessage(); // b joined: a's event 1
        TestProbe<SdpReply> sdp = kit.createTestProbe();
        StreamInfo camera = new StreamInfo(null, 0, false, true, false, true, "CAMERA", 30, null);
        session.forward(new Attached("s1", "a", 1, new Publish("s1", "a", camera, offer(), sdp.getRef())));
        SdpReply published = sdp.receiveMessage();
        assertTrue(published.ok(), published.error());
        b.receiveMessage(); // a published
        TestProbe<JoinReply> resumed = kit.createTestProbe();
        TestProbe<ToSignalling> newPath = kit.createTestProbe();
        session.forward(new Resume("s1", "a", joined.resumeSecret(), 1, newPath.getRef().narrow(), resumed.getRef()));
        assertTrue(resumed.receiveMessage().ok());
        oldPath.receiveMessage(); // told to close

        // A property change queued on the old path: refused, and nobody hears of it.
        TestProbe<Ack> ack = kit.createTestProbe();
        Ack stale = signal(new Attached("s1", "a", 1, new MediaNodeProtocol.ChangeStreamProperty("s1", "a",
                published.stream().streamId(), "videoActive", "false", "publishVideo", ack.getRef())), ack);
        assertEquals(409, stale.errorCode(), stale.error());
        Ack bare = signal(new MediaNodeProtocol.ChangeStreamProperty("s1", "a", published.stream().streamId(),
                "videoActive", "false", "publishVideo", ack.getRef()), ack);
        assertEquals(409, bare.errorCode(), "without an attachment it counts as sent through the first one");
        b.expectNoMessage(Duration.ofMillis(200));

        // b signals a: a's event 2 goes to the new path. The old path then claims it delivered up to 2 (it wrote to a
        // socket nobody reads): refused, so a later resume without lastSeq still replays event 2.
        assertTrue(signal(new Attached("s1", "b", 1, new Signal("s1", "b", List.of("a"), "t", "hello",
                ack.getRef())), ack).ok());
        newPath.receiveMessage();
        session.forward(new Attached("s1", "a", 1, new MediaNodeProtocol.EventsDelivered("s1", "a", 2)));
        TestProbe<ToSignalling> thirdPath = kit.createTestProbe();
        session.forward(new Resume("s1", "a", joined.resumeSecret(), Resume.LAST_DELIVERED,
                thirdPath.getRef().narrow(), resumed.getRef()));
        JoinReply again = resumed.receiveMessage();
        assertTrue(again.ok(), again.error());
        assertTrue(thirdPath.receiveSeveralMessages(2).stream().anyMatch(m -> m instanceof ParticipantEvent e
                && e.event() instanceof MessageReceived r && "hello".equals(r.data())),
                "event 2 was replayed, as nobody current confirmed it");
        assertEquals(3, staleRefused());
    }

    private static String offer() {
        return "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 50000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=sendonly\r\n";
    }
}
