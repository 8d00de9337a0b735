package io.tessera.master.signalling;

/**
 * A join or resume whose answer may come after its socket closed. The media node attaches the participant to this
 * connection's actor when it accepts; if that actor stopped meanwhile, nobody else would tell the node (it does not
 * watch the actor: {@code MediaNodeProtocol.SignallingClosed}), and the participant would stay attached to an actor
 * that no longer exists. So whichever comes second, the acceptance or the socket's end, detaches it. Both may see the
 * other and detach twice, which the node ignores the second time; volatile on both sides makes sure at least one does.
 */
final class LateAnswer {
    private volatile Runnable detach;
    private volatile boolean socketGone;

    /** The media node accepted: {@code detach} tells it the actor is gone. Called on the answer's thread. */
    void accepted(Runnable detach) {
        this.detach = detach;
        if (socketGone) {
            detach.run();
        }
    }

    /** The connection stopped before it handled the answer. Called on the actor's thread. */
    void socketGone() {
        socketGone = true;
        Runnable d = detach;
        if (d != null) {
            d.run();
        }
    }
}
