package io.tessera.master.signalling;

import io.tessera.master.medianode.MediaNodeClient;

/**
 * Tells a participant's media node how far its events reached the client's socket ({@code EventsDelivered}), so that
 * a resume without {@code lastSeq} (openvidu-browser) goes on after them. Once per burst: the first event handed to
 * the socket sends the {@link ClientConnection} a reminder, which it handles after the events already in its
 * mailbox, and the reminder confirms the last of them.
 *
 * <p>Handed to the outbound queue counts as delivered: the queue is flushed to the socket as fast as the client
 * reads, and a master that dies with events still queued loses at most those (docs/CONTRACT.md, "connect").
 * Used only by its actor's thread.
 */
final class DeliveryConfirmations {
    private final Runnable remind;
    private final MediaNodeClient mediaNodes;
    /** A reminder is in the actor's mailbox. */
    private boolean reminderPending;
    /** The last seq confirmed to the media node. */
    private long confirmedSeq;

    /** {@code remind} tells the actor to call {@link #confirm} (or {@link #dropReminder}) after what it holds. */
    DeliveryConfirmations(Runnable remind, MediaNodeClient mediaNodes) {
        this.remind = remind;
        this.mediaNodes = mediaNodes;
    }

    /** An event was handed to the socket. */
    void delivered() {
        if (!reminderPending) {
            reminderPending = true;
            remind.run();
        }
    }

    /** A join or resume was answered: the node knows the events up to {@code seq}; any it replayed went out since. */
    void joinedAt(long seq) {
        confirmedSeq = seq;
        delivered();
    }

    /** The reminder, in a session: confirms the last event handed to the socket, if the node does not know it. */
    void confirm(Participation p) {
        reminderPending = false;
        long last = p.sequence().last();
        if (last > confirmedSeq) {
            confirmedSeq = last;
            mediaNodes.delivered(p.mediaNode(), p.sessionId(), p.connectionId(), p.attachment(), last);
        }
    }

    /** The reminder, out of a session: nothing to confirm. */
    void dropReminder() {
        reminderPending = false;
    }
}
