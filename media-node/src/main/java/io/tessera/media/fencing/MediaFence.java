package io.tessera.media.fencing;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Whether this media node may still serve its sessions: answer masters' commands and forward media. Closed by the
 * {@link MediaFencingMonitor} when the masters have given up on the node, or are about to (it was downed or removed;
 * or it hears neither the masters' majority nor any other media node: cut off, its sessions are being placed
 * on another node). Read by the session manager for every command and by the forwarding threads for every packet, so
 * it is a volatile read and nothing more. An engine that cannot read it per packet (Janus forwards in its own process)
 * listens for its changes instead ({@link #onChange}). Thread-safe.
 */
public final class MediaFence {
    /** Told when the fence closes or lifts; called on the thread that changed it, so it must not block. */
    public interface Listener {
        void fenceChanged(boolean fenced);
    }

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Why the node is fenced (for logs, refusals and readiness); null while it serves. */
    private volatile String fencedBecause;
    private final LongAdder packetsHeldBack = new LongAdder();
    private final LongAdder fences = new LongAdder();

    /** A fence that is open until {@link #close} is called. */
    public MediaFence() {
    }

    public boolean isFenced() {
        return fencedBecause != null;
    }

    /** Why commands are refused now, or empty while the node serves. */
    public Optional<String> refusal() {
        return Optional.ofNullable(fencedBecause);
    }

    /** Stops serving; {@code why} is said to anyone refused. Counted once per closing. */
    public synchronized void close(String why) {
        boolean wasOpen = fencedBecause == null;
        fencedBecause = why;
        if (wasOpen) {
            fences.increment();
            listeners.forEach(listener -> listener.fenceChanged(true));
        }
    }

    /** Serves again (the node heard the masters' majority again and was not downed meanwhile). */
    public synchronized void lift() {
        boolean wasFenced = fencedBecause != null;
        fencedBecause = null;
        if (wasFenced) {
            listeners.forEach(listener -> listener.fenceChanged(false));
        }
    }

    /**
     * From now on {@code listener} hears every closing and lifting; it is told the current state at once if the
     * fence is closed now.
     */
    public synchronized void onChange(Listener listener) {
        listeners.add(listener);
        if (fencedBecause != null) {
            listener.fenceChanged(true);
        }
    }

    /** A media packet that arrived while fenced and was not forwarded; called on the forwarding threads. */
    public void packetHeldBack() {
        packetsHeldBack.increment();
    }

    public long packetsHeldBack() {
        return packetsHeldBack.sum();
    }

    /** How many times the node stopped serving since it started. */
    public long fences() {
        return fences.sum();
    }
}
