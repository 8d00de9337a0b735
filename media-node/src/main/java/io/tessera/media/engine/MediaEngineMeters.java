package io.tessera.media.engine;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The engine's totals as meters. Nothing is added to the packet path: every meter reads {@link MediaEngine#stats()},
 * the counters the forwarding threads keep anyway, at most once per {@link #MAX_AGE_NANOS} however many meters a
 * scrape reads.
 */
public final class MediaEngineMeters {
    static final long MAX_AGE_NANOS = 500_000_000L;

    private final MediaEngine engine;
    private MediaStats last = MediaStats.EMPTY;
    private long lastAt = Long.MIN_VALUE / 2;

    private MediaEngineMeters(MediaEngine engine) {
        this.engine = engine;
    }

    /**
     * @param portCapacity UDP ports the engine can hold in all (two per port pair)
     */
    public static void bind(MeterRegistry registry, MediaEngine engine, int portCapacity) {
        MediaEngineMeters m = new MediaEngineMeters(engine);
        m.gauge(registry, "tessera.media.subscriptions", "Subscriptions (stream receivers) open on this node",
                MediaStats::subscribers);
        m.gauge(registry, "tessera.media.ports.in.use", "UDP media ports held for publishers and subscribers",
                MediaStats::portsInUse);
        Gauge.builder("tessera.media.ports.capacity", () -> portCapacity)
                .description("UDP media ports of the configured range").register(registry);
        m.counter(registry, "tessera.media.rtp.packets.received", "RTP packets accepted from publishers",
                MediaStats::packetsReceived, null);
        m.counter(registry, "tessera.media.rtp.packets.forwarded", "RTP packets sent to subscribers",
                MediaStats::packetsForwarded, null);
        m.counter(registry, "tessera.media.rtp.bytes.received", "RTP bytes (UDP payload) accepted from publishers",
                MediaStats::bytesReceived, null);
        m.counter(registry, "tessera.media.rtp.bytes.forwarded", "RTP bytes (UDP payload) sent to subscribers",
                MediaStats::bytesForwarded, null);
        m.counter(registry, "tessera.media.rtp.packets.dropped",
                "RTP packets not forwarded: a subscriber's socket send buffer was full",
                MediaStats::packetsDropped, "send_buffer_full");
        m.counter(registry, "tessera.media.rtp.packets.dropped",
                "RTP and RTCP packets dropped because they came from an address that is not the endpoint's peer",
                MediaStats::foreignPackets, "foreign_source");
        m.counter(registry, "tessera.media.rtcp.packets.forwarded", "RTCP packets passed on (reports and feedback)",
                MediaStats::rtcpForwarded, null);
        m.counter(registry, "tessera.media.rtcp.keyframe.requests.throttled",
                "Keyframe requests (PLI/FIR) not passed on because one had just been sent for the stream",
                MediaStats::feedbackThrottled, null);
        m.counter(registry, "tessera.media.forwarding.errors", "Socket errors and failed commands on forwarding threads",
                MediaStats::forwardingErrors, null);
        m.counter(registry, "tessera.media.command.queue.rejections",
                "Publish/subscribe requests refused (503) because a forwarding thread's command queue was full",
                MediaStats::commandRejections, null);
    }

    private synchronized MediaStats stats() {
        long now = System.nanoTime();
        if (now - lastAt > MAX_AGE_NANOS) {
            last = engine.stats();
            lastAt = now;
        }
        return last;
    }

    private void gauge(MeterRegistry registry, String name, String help, ToDoubleFunction<MediaStats> value) {
        // Held strongly: this object lives only through its meters, and the function counters hold it weakly.
        Gauge.builder(name, this, m -> value.applyAsDouble(m.stats())).strongReference(true).description(help)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String help, ToLongFunction<MediaStats> value,
                         String reason) {
        FunctionCounter.Builder<MediaEngineMeters> builder = FunctionCounter.builder(name, this,
                m -> value.applyAsLong(m.stats())).description(help);
        if (reason != null) {
            builder.tag("reason", reason);
        }
        builder.register(registry);
    }
}
