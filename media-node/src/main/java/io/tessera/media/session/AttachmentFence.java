package io.tessera.media.session;

import io.tessera.common.protocol.MediaNodeProtocol;
import io.tessera.common.protocol.MediaNodeProtocol.AddIceCandidate;
import io.tessera.common.protocol.MediaNodeProtocol.Attached;
import io.tessera.common.protocol.MediaNodeProtocol.Command;
import io.tessera.common.protocol.MediaNodeProtocol.Leave;
import io.tessera.common.protocol.MediaNodeProtocol.PrepareSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Publish;
import io.tessera.common.protocol.MediaNodeProtocol.Signal;
import io.tessera.common.protocol.MediaNodeProtocol.StartSubscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Subscribe;
import io.tessera.common.protocol.MediaNodeProtocol.Unpublish;
import io.tessera.common.protocol.MediaNodeProtocol.Unsubscribe;
import io.tessera.wire.jsonrpc.ErrorCode;

import java.util.Map;

/**
 * The fencing token of a participant's signalling path. A participant's commands come through the master that holds
 * its socket; when its client resumes through another master, the old path may still be alive (a frozen master that
 * thaws, a master cut off from the others) and relay what queued up there, seconds late and out of order with what
 * the resumed socket sends since. Every join or resume therefore gives the participant an attachment number, the
 * master sends it with each of the participant's commands ({@link Attached}), and this class lets through only those
 * of the participant's current attachment. Stateless: the number lives in {@link Participant#attachment}.
 */
final class AttachmentFence {
    private AttachmentFence() {
    }

    /** What a command amounts to once its attachment was checked. */
    sealed interface Verdict permits Serve, Refused {
    }

    /** Serve {@code command} (unwrapped). */
    record Serve(Command command) implements Verdict {
    }

    /** Refused: sent through {@code attachment}, replaced by the participant's {@code current} one. */
    record Refused(String connectionId, long attachment, long current) implements Verdict {
    }

    /**
     * Checks a command against the participants' attachments. A participant command without {@link Attached} counts
     * as sent through the first attachment; a command for a participant that is not here is served (its handler says
     * it is not joined), as is anything that is not a participant's own command.
     */
    static Verdict check(Command command, Map<String, Participant> participants) {
        Command inner = command instanceof Attached attached ? attached.command() : command;
        String connectionId = command instanceof Attached attached ? attached.connectionId() : sender(inner);
        long attachment = command instanceof Attached attached ? attached.attachment()
                : MediaNodeProtocol.FIRST_ATTACHMENT;
        Participant p = connectionId == null ? null : participants.get(connectionId);
        if (p == null || p.attachment == attachment) {
            return new Serve(inner);
        }
        return new Refused(connectionId, attachment, p.attachment);
    }

    /** Refuses a command sent through an attachment that a resume replaced. */
    static void refuse(Command command, Refused refused) {
        command.reject(ErrorCode.CONFLICT, "connection " + refused.connectionId() + " was resumed through another "
                + "socket (attachment " + refused.current() + "); this request came through attachment "
                + refused.attachment() + " and was not applied");
    }

    /** The participant whose own command this is, or null for anything else (REST, placement, node-wide). */
    static String sender(Command c) {
        if (c instanceof Attached attached) {
            return attached.connectionId();
        } else if (c instanceof Leave leave) {
            return leave.connectionId();
        } else if (c instanceof Publish publish) {
            return publish.connectionId();
        } else if (c instanceof Unpublish unpublish) {
            return unpublish.connectionId();
        } else if (c instanceof Subscribe subscribe) {
            return subscribe.connectionId();
        } else if (c instanceof Unsubscribe unsubscribe) {
            return unsubscribe.connectionId();
        } else if (c instanceof PrepareSubscribe prepare) {
            return prepare.connectionId();
        } else if (c instanceof StartSubscribe start) {
            return start.connectionId();
        } else if (c instanceof AddIceCandidate candidate) {
            return candidate.connectionId();
        } else if (c instanceof MediaNodeProtocol.ReconnectStream reconnect) {
            return reconnect.connectionId();
        } else if (c instanceof Signal signal) {
            return signal.from();
        } else if (c instanceof MediaNodeProtocol.ChangeStreamProperty change) {
            return change.connectionId();
        } else if (c instanceof MediaNodeProtocol.EventsDelivered delivered) {
            return delivered.connectionId();
        }
        return null;
    }
}
