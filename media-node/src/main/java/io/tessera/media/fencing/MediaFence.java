package io.tessera.media.fencing;

import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Whether this media node may still serve its sessions: answer masters' commands and forward media. Closed by the
 * {@link MediaFencingMonitor} when the masters have given up on the node, or are about to (it was downed or removed;
 * or it hears neither the masters' majority nor any other media node: cut off, its sessions are being placed
 * on another node). Read by the session manager for every command and by the forwarding threads for every packet, so
 * it is a volatile read and nothing more. Thread-safe.
 */
public final class MediaFence {
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
    public void close(String why) {
        if (fencedBecause == null) {
            fences.increment();
        }
        fencedBecause = why;
    }

    /** Serves again (the node heard the masters' majority again and was not downed meanwhile). */
    public void lift() {
        fencedBecause = null;
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
