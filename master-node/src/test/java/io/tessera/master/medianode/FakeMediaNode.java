package io.tessera.master.medianode;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.Ack;
import io.tessera.common.protocol.MediaNodeProtocol.Command;
import io.tessera.common.protocol.MediaNodeProtocol.JoinReply;
import io.tessera.common.protocol.MediaNodeProtocol.SdpReply;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.util.List;
import java.util.Set;

/**
 * A media node's session manager for in-JVM tests: tells {@code seen} every command, and answers each as a healthy
 * node would, except the kinds in {@code silentFor}, which it never answers (a node that froze).
 */
public final class FakeMediaNode {
    private FakeMediaNode() {
    }

    public static String secretOf(String nodeId) {
        return "secret-" + nodeId;
    }

    public static Behavior<Command> create(String nodeId, ActorRef<Command> seen, Set<Class<? extends Command>> silentFor) {
        return Behaviors.receive(Command.class).onAnyMessage(received -> {
            // A participant's command comes with its attachment, which a healthy node checks; the fake serves it.
            Command command = received instanceof MediaNodeProtocol.Attached attached ? attached.command() : received;
            seen.tell(command);
            if (!silentFor.contains(command.getClass())) {
                answer(nodeId, command);
            }
            return Behaviors.same();
        }).build();
    }

    private static void answer(String nodeId, Command command) {
        if (command instanceof MediaNodeProtocol.Join join) {
            // As a Session does: a participant that moved here keeps the secret it brought.
            String secret = join.movedFrom() != null && join.resumeSecret() != null ? join.resumeSecret()
                    : secretOf(nodeId);
            join.replyTo().tell(new JoinReply(true, 0, null, nodeId, List.of(), join.lastSeq(), secret));
        } else if (command instanceof MediaNodeProtocol.Resume resume) {
            // As a Session does: the events the client missed are replayed first, then the answer (seq before them).
            resume.signalling().tell(new MediaNodeProtocol.ParticipantEvent(resume.sessionId(), resume.connectionId(),
                    resume.lastSeq() + 1, new MediaNodeProtocol.MessageReceived(null, "signal", "missed")));
            resume.replyTo().tell(new JoinReply(true, 0, null, nodeId, List.of(), resume.lastSeq(), secretOf(nodeId)));
        } else if (command instanceof MediaNodeProtocol.Publish publish) {
            publish.replyTo().tell(new SdpReply(true, 0, null,
                    publish.stream().withIdentity("str_CAM_" + publish.connectionId(), 7), "answer-from-" + nodeId));
        } else if (command instanceof MediaNodeProtocol.ReconnectStream reconnect) {
            // its own stream (the fake's ids end with the connection id): republished; another's: an answer taken
            boolean own = reconnect.streamId().endsWith(reconnect.connectionId());
            reconnect.replyTo().tell(own ? new SdpReply(true, 0, null, new MediaNodeProtocol.StreamInfo(
                    reconnect.streamId(), 7, true, true, true, true, "CAMERA", 30, ""), "answer-from-" + nodeId)
                    : new SdpReply(true, 0, null, null, null));
        } else if (command instanceof MediaNodeProtocol.Subscribe subscribe) {
            subscribe.replyTo().tell(new SdpReply(true, 0, null, null, "answer-from-" + nodeId));
        } else if (command instanceof MediaNodeProtocol.HostSession host) {
            host.replyTo().tell(Ack.success());
        } else if (command instanceof MediaNodeProtocol.Leave leave) {
            leave.replyTo().tell(Ack.success());
        } else if (command instanceof MediaNodeProtocol.Signal signal) {
            signal.replyTo().tell(Ack.success());
        } else if (command instanceof MediaNodeProtocol.Unpublish unpublish) {
            unpublish.replyTo().tell(Ack.success());
        } else if (command instanceof MediaNodeProtocol.Unsubscribe unsubscribe) {
            unsubscribe.replyTo().tell(Ack.success());
        } else if (command instanceof MediaNodeProtocol.ChangeStreamProperty change) {
            change.replyTo().tell(Ack.success());
        } else if (command instanceof MediaNodeProtocol.Evict evict) {
            evict.replyTo().tell(Ack.success());
        } else if (command instanceof MediaNodeProtocol.CloseSession close) {
            close.replyTo().tell(Ack.success());
        } else if (command instanceof MediaNodeProtocol.ReleaseSession release) {
            release.replyTo().tell(Ack.success());
        } else if (command instanceof MediaNodeProtocol.SetNodeStatus status) {
            status.replyTo().tell(Ack.success());
        } else if (command instanceof MediaNodeProtocol.DescribeSessions describe) {
            // Every wanted session is hosted here, with one participant publishing one stream.
            describe.replyTo().tell(new MediaNodeProtocol.SessionsMedia(nodeId, describe.sessionIds().stream()
                    .map(id -> new MediaNodeProtocol.SessionMedia(id, true, List.of(new MediaNodeProtocol.ConnectionMedia(
                            "con_" + id, List.of(new MediaNodeProtocol.StreamInfo("str_CAM_" + id, 7, false, true,
                                    false, true, "CAMERA", 30, null)), List.of()))))
                    .toList(), null));
        }
    }
}
