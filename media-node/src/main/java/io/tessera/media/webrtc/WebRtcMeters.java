package io.tessera.media.webrtc;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.ToDoubleFunction;

/** The WebRTC engine's counts as meters, read from {@link WebRtcEngine#stats()} at scrape time. */
public final class WebRtcMeters {
    private WebRtcMeters() {
    }

    public static void bind(MeterRegistry registry, WebRtcEngine engine) {
        gauge(registry, engine, "tessera.media.webrtc.publishers", "WebRTC publisher endpoints open on this node",
                WebRtcEngine.WebRtcStats::publishers);
        gauge(registry, engine, "tessera.media.webrtc.subscribers", "WebRTC subscriber endpoints open on this node",
                WebRtcEngine.WebRtcStats::subscribers);
        gauge(registry, engine, "tessera.media.webrtc.handles",
                "Janus handles the node holds (one per endpoint, plus the room manager)",
                WebRtcEngine.WebRtcStats::handles);
        gauge(registry, engine, "tessera.media.webrtc.rooms", "Janus rooms open (one per session with WebRTC media)",
                WebRtcEngine.WebRtcStats::rooms);
        gauge(registry, engine, "tessera.media.webrtc.candidates.queued",
                "Trickled ICE candidates waiting for their endpoint", WebRtcEngine.WebRtcStats::candidatesQueued);
        FunctionCounter.builder("tessera.media.webrtc.candidates.refused", engine,
                        e -> e.stats().candidatesRefused())
                .description("Remote ICE candidates dropped by the allow-list (TESSERA_ICE_ALLOW)").register(registry);
    }

    private static void gauge(MeterRegistry registry, WebRtcEngine engine, String name, String help,
                              ToDoubleFunction<WebRtcEngine.WebRtcStats> value) {
        Gauge.builder(name, engine, e -> value.applyAsDouble(e.stats())).description(help).register(registry);
    }
}
