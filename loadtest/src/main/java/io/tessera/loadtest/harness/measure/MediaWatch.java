package io.tessera.loadtest.harness.measure;

import io.tessera.client.rtp.RtpReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Polls every subscriber's {@link RtpReceiver} to find the first packet after subscribing and every gap in the
 * media (no packet for longer than the gap threshold). A gap's end is the first packet after it, to within one
 * poll interval. Media recovery after a fault is then "fault instant to the end of a gap that began around it".
 */
public final class MediaWatch {
    /** Bounded: gaps beyond this are counted but not kept. */
    public static final int MAX_GAPS = 100_000;

    private final RunClock clock;
    private final Duration gapThreshold;
    private final LatencyMeter firstPacket;
    private final List<Watched> watched = new CopyOnWriteArrayList<>();
    private final List<Gap> gaps = new ArrayList<>(); // guarded by this
    private long gapsDropped; // guarded by this
    private volatile long totalReceived;

    /** A stretch without packets at one subscriber: from its last packet before to its first packet after. */
    public record Gap(String subscriber, long startMillis, long endMillis) {
        public boolean open() {
            return endMillis < 0;
        }
    }

    private static final class Watched {
        final String name;
        final RtpReceiver receiver;
        final long subscribedNanos;
        final java.time.Instant subscribedWall;
        long lastReceived;
        long lastAdvanceNanos;
        boolean firstSeen;
        boolean inGap;

        Watched(String name, RtpReceiver receiver) {
            this.name = name;
            this.receiver = receiver;
            this.subscribedNanos = System.nanoTime();
            this.subscribedWall = java.time.Instant.now();
            this.lastAdvanceNanos = subscribedNanos;
        }
    }

    public MediaWatch(RunClock clock, Duration gapThreshold, LatencyMeter firstPacket) {
        this.clock = clock;
        this.gapThreshold = gapThreshold;
        this.firstPacket = firstPacket;
    }

    /** Starts watching a receiver; call it right before the subscribe request so the first-packet time includes it. */
    public void watch(String subscriber, RtpReceiver receiver) {
        watched.add(new Watched(subscriber, receiver));
    }

    public int size() {
        return watched.size();
    }

    /** One poll of every receiver; called from one thread only. */
    public void poll() {
        long now = System.nanoTime();
        long sum = 0;
        for (Watched w : watched) {
            RtpReceiver.Stats stats = w.receiver.stats();
            long received = stats.received();
            sum += received;
            if (!w.firstSeen && received > 0) {
                w.firstSeen = true;
                RtpReceiver.StreamStats s = stats.streams().get(0);
                firstPacket.record(clock.millisNow(), Duration.between(w.subscribedWall, s.firstPacket()));
            }
            if (received > w.lastReceived) {
                if (w.inGap) {
                    endGap(w, now);
                }
                w.lastReceived = received;
                w.lastAdvanceNanos = now;
            } else if (w.firstSeen && !w.inGap && now - w.lastAdvanceNanos > gapThreshold.toNanos()) {
                w.inGap = true;
            }
        }
        totalReceived = sum;
    }

    private synchronized void endGap(Watched w, long now) {
        w.inGap = false;
        if (gaps.size() < MAX_GAPS) {
            gaps.add(new Gap(w.name, clock.millisAt(w.lastAdvanceNanos), clock.millisAt(now)));
        } else {
            gapsDropped++;
        }
    }

    /** Packets received so far by all subscribers (as of the last poll). */
    public long totalReceived() {
        return totalReceived;
    }

    /** Closed gaps plus the ones still open now (end -1). */
    public synchronized List<Gap> gaps() {
        List<Gap> all = new ArrayList<>(gaps);
        for (Watched w : watched) {
            if (w.inGap) {
                all.add(new Gap(w.name, clock.millisAt(w.lastAdvanceNanos), -1));
            }
        }
        return all;
    }

    public synchronized long gapsDropped() {
        return gapsDropped;
    }

    /** Subscribers that never received a packet. */
    public long withoutMedia() {
        return watched.stream().filter(w -> !w.firstSeen).count();
    }

    /** Final statistics of every receiver. */
    public List<RtpReceiver.Stats> finalStats() {
        return watched.stream().map(w -> w.receiver.stats()).toList();
    }
}
