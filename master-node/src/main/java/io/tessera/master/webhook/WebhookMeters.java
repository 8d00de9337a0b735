package io.tessera.master.webhook;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.ToDoubleFunction;

/** The webhook sender's own totals ({@link Webhooks#counters()}) as meters; nothing is counted twice. */
public final class WebhookMeters {
    private WebhookMeters() {
    }

    public static void bind(MeterRegistry registry, Webhooks webhooks) {
        counter(registry, "tessera.master.webhooks.delivered", "Webhook events delivered (2xx), per endpoint",
                webhooks, w -> w.counters().delivered());
        counter(registry, "tessera.master.webhooks.failed",
                "Webhook events given up: a non-retryable answer, or the last attempt failed", webhooks,
                w -> w.counters().failed());
        counter(registry, "tessera.master.webhooks.retried", "Webhook attempts that were retried", webhooks,
                w -> w.counters().retried());
        counter(registry, "tessera.master.webhooks.dropped",
                "Webhook events thrown away unsent: queue full (oldest dropped) or left at shutdown", webhooks,
                w -> w.counters().dropped());
        Gauge.builder("tessera.master.webhooks.queued", webhooks, w -> w.counters().queued())
                .description("Webhook events waiting in the queues").register(registry);
        Gauge.builder("tessera.master.webhooks.in.flight", webhooks, w -> w.counters().inFlight())
                .description("Webhook events being sent or waiting for a retry").register(registry);
    }

    private static void counter(MeterRegistry registry, String name, String help, Webhooks webhooks,
                                ToDoubleFunction<Webhooks> value) {
        FunctionCounter.builder(name, webhooks, value).description(help).register(registry);
    }
}
