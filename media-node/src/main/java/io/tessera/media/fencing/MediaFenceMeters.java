package io.tessera.media.fencing;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The {@link MediaFence} on {@code /metrics}: read from the fence at each scrape, nothing added per packet. */
public final class MediaFenceMeters {
    private MediaFenceMeters() {
    }

    public static void bind(MeterRegistry registry, MediaFence fence) {
        Gauge.builder("tessera.media.fenced", fence, f -> f.isFenced() ? 1 : 0)
                .description("1 while this media node is fenced: cut off from the masters, or downed; its "
                        + "sessions take no commands and forward no media").register(registry);
        FunctionCounter.builder("tessera.media.fencing.fences", fence, MediaFence::fences)
                .description("Times this media node stopped serving its sessions on its own").register(registry);
        FunctionCounter.builder("tessera.media.fencing.packets.held.back", fence, MediaFence::packetsHeldBack)
                .description("RTP packets from publishers not forwarded because the node was fenced")
                .register(registry);
    }
}
