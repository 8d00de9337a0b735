package io.tessera.loadtest.harness.scenario;

import io.tessera.client.SignallingClient;
import io.tessera.client.rtp.RtpReceiver;
import io.tessera.client.rtp.SyntheticPublisher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** One participant of the plan: its signalling client, its publisher (if any) and its receivers. */
final class SimulatedParticipant {
    final SimulatedSession session;
    final int index;
    final String name;
    volatile SignallingClient client;
    /** Publishes and subscribes again by itself when the session's media node fails (see the SDK). */
    volatile io.tessera.client.MediaRecovery media;
    volatile String connectionId;
    /** Receivers by the connection id of the participant they receive, to point them at a new node. */
    final java.util.Map<String, RtpReceiver> receiverByPublisher = new java.util.concurrent.ConcurrentHashMap<>();
    volatile SyntheticPublisher publisher;
    final List<RtpReceiver> receivers = new CopyOnWriteArrayList<>();

    SimulatedParticipant(SimulatedSession session, int index) {
        this.session = session;
        this.index = index;
        this.name = session.id + "-p" + index;
    }

    /** Stops sending; the sockets stay open until {@link #close()} so late packets are not refused. */
    void stopPublishing() {
        SyntheticPublisher p = publisher;
        if (p != null) {
            p.stop();
        }
    }

    void leave() {
        SignallingClient c = client;
        if (c != null) {
            try {
                c.leaveRoom().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // leaving is best effort: the session ends when the sockets close anyway
            }
        }
    }

    void close() {
        SyntheticPublisher p = publisher;
        if (p != null) {
            p.close();
        }
        receivers.forEach(RtpReceiver::close);
        SignallingClient c = client;
        if (c != null) {
            c.close();
        }
    }
}
