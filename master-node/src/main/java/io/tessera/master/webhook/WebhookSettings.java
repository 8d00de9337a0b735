package io.tessera.master.webhook;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the webhook dispatcher ({@link Webhooks}) was configured with, validated when built, and how it is read from
 * the {@code tessera.master.webhook} block.
 *
 * @param endpoints       absolute http(s) URLs; user info in a URL becomes a Basic {@code Authorization} header
 *                        for that URL unless {@code headers} has one
 * @param headers         extra request headers for every endpoint (e.g. {@code Authorization})
 * @param events          event names to send; empty means all
 * @param queueSize       events kept per endpoint while they wait to be sent
 * @param maxAttempts     attempts per event and endpoint, the first included
 * @param initialBackoff  wait before the first retry
 * @param maxBackoff      longest wait between two attempts
 * @param requestTimeout  connect + answer limit of one attempt
 * @param concurrency     requests in flight per endpoint at most (1 keeps publish order)
 * @param shutdownTimeout how long {@link Webhooks#close()} lets queued events drain
 */
public record WebhookSettings(List<URI> endpoints, Map<String, String> headers, Set<String> events, int queueSize,
                              int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout,
                              int concurrency, Duration shutdownTimeout) {

    public WebhookSettings {
        endpoints = List.copyOf(endpoints);
        headers = Map.copyOf(headers);
        events = Set.copyOf(events);
        Set<String> unknown = new TreeSet<>(events);
        unknown.removeAll(WebhookEvent.ALL);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown webhook events " + unknown + "; known: "
                    + new TreeSet<>(WebhookEvent.ALL));
        }
        for (URI uri : endpoints) {
            if (!uri.isAbsolute() || uri.getHost() == null
                    || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new IllegalArgumentException("webhook endpoint must be an absolute http(s) URL: "
                        + Webhooks.redact(uri));
            }
        }
        HttpRequest.Builder probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1/"));
        for (Map.Entry<String, String> h : headers.entrySet()) {
            try {
                probe.header(h.getKey(), h.getValue());
            } catch (IllegalArgumentException e) {
                // Only the name: the value may be a secret.
                throw new IllegalArgumentException("webhook header not allowed: " + h.getKey());
            }
        }
        positive("queue-size", queueSize);
        positive("max-attempts", maxAttempts);
        positive("concurrency", concurrency);
        positive("initial-backoff", initialBackoff.toMillis());
        positive("max-backoff", maxBackoff.toMillis());
        positive("request-timeout", requestTimeout.toMillis());
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("webhook shutdown-timeout must not be negative");
        }
    }

    /** Defaults of {@code tessera-master.conf} for these endpoints. */
    public static WebhookSettings defaults(List<URI> endpoints) {
        return new WebhookSettings(endpoints, Map.of(), Set.of(), 10_000, 5, Duration.ofSeconds(1),
                Duration.ofSeconds(30), Duration.ofSeconds(5), 1, Duration.ofSeconds(2));
    }

    public WebhookSettings withHeaders(Map<String, String> h) {
        return new WebhookSettings(endpoints, h, events, queueSize, maxAttempts, initialBackoff, maxBackoff,
                requestTimeout, concurrency, shutdownTimeout);
    }

    public WebhookSettings withEvents(Set<String> e) {
        return new WebhookSettings(endpoints, headers, e, queueSize, maxAttempts, initialBackoff, maxBackoff,
                requestTimeout, concurrency, shutdownTimeout);
    }

    public WebhookSettings withQueueSize(int q) {
        return new WebhookSettings(endpoints, headers, events, q, maxAttempts, initialBackoff, maxBackoff,
                requestTimeout, concurrency, shutdownTimeout);
    }

    public WebhookSettings withRetries(int attempts, Duration initial, Duration max) {
        return new WebhookSettings(endpoints, headers, events, queueSize, attempts, initial, max,
                requestTimeout, concurrency, shutdownTimeout);
    }

    public WebhookSettings withRequestTimeout(Duration t) {
        return new WebhookSettings(endpoints, headers, events, queueSize, maxAttempts, initialBackoff, maxBackoff,
                t, concurrency, shutdownTimeout);
    }

    public WebhookSettings withConcurrency(int c) {
        return new WebhookSettings(endpoints, headers, events, queueSize, maxAttempts, initialBackoff, maxBackoff,
                requestTimeout, c, shutdownTimeout);
    }

    public WebhookSettings withShutdownTimeout(Duration t) {
        return new WebhookSettings(endpoints, headers, events, queueSize, maxAttempts, initialBackoff, maxBackoff,
                requestTimeout, concurrency, t);
    }

    /** Header names only, URLs redacted: safe to log. */
    @Override
    public String toString() {
        return "WebhookSettings[endpoints=" + endpoints.stream().map(Webhooks::redact).toList()
                + ", headers=" + new TreeSet<>(headers.keySet()) + ", events=" + (events.isEmpty() ? "all" : events)
                + ", queueSize=" + queueSize + ", maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff
                + ", maxBackoff=" + maxBackoff + ", requestTimeout=" + requestTimeout + ", concurrency="
                + concurrency + ", shutdownTimeout=" + shutdownTimeout + "]";
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("webhook " + name + " must be positive, was " + value);
        }
    }

    /**
     * From the {@code tessera.master.webhook} block. Endpoints are {@code endpoints} (a list, or a comma separated
     * string) followed by the comma separated {@code urls} (env {@code TESSERA_WEBHOOK_URLS}); {@code events} may also
     * be a comma separated string (env {@code TESSERA_WEBHOOK_EVENTS}); {@code authorization} (env
     * {@code TESSERA_WEBHOOK_AUTHORIZATION}), when not blank, is sent as the {@code Authorization} header.
     *
     * @throws IllegalArgumentException on a malformed URL, unknown event name, forbidden header or bad number
     */
    public static WebhookSettings fromConfig(Config webhook) {
        Set<String> urls = new LinkedHashSet<>();
        if (webhook.hasPath("endpoints")) {
            urls.addAll(stringList(webhook.getValue("endpoints")));
        }
        if (webhook.hasPath("urls")) {
            urls.addAll(stringList(webhook.getValue("urls")));
        }
        List<URI> endpoints = new ArrayList<>();
        for (String url : urls) {
            try {
                endpoints.add(new URI(url));
            } catch (URISyntaxException e) {
                // The reason only: the text may hold a password.
                throw new IllegalArgumentException("malformed webhook URL (" + e.getReason() + ")");
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (webhook.hasPath("headers")) {
            webhook.getObject("headers").forEach((name, value) -> headers.put(name, String.valueOf(value.unwrapped())));
        }
        if (webhook.hasPath("authorization") && !webhook.getString("authorization").isBlank()) {
            headers.put("Authorization", webhook.getString("authorization").trim());
        }
        Set<String> events = webhook.hasPath("events")
                ? new LinkedHashSet<>(stringList(webhook.getValue("events"))) : Set.of();
        WebhookSettings d = defaults(endpoints);
        return new WebhookSettings(endpoints, headers, events,
                webhook.hasPath("queue-size") ? webhook.getInt("queue-size") : d.queueSize(),
                webhook.hasPath("max-attempts") ? webhook.getInt("max-attempts") : d.maxAttempts(),
                webhook.hasPath("initial-backoff") ? webhook.getDuration("initial-backoff") : d.initialBackoff(),
                webhook.hasPath("max-backoff") ? webhook.getDuration("max-backoff") : d.maxBackoff(),
                webhook.hasPath("request-timeout") ? webhook.getDuration("request-timeout") : d.requestTimeout(),
                webhook.hasPath("concurrency") ? webhook.getInt("concurrency") : d.concurrency(),
                webhook.hasPath("shutdown-timeout") ? webhook.getDuration("shutdown-timeout") : d.shutdownTimeout());
    }

    private static List<String> stringList(ConfigValue value) {
        List<String> out = new ArrayList<>();
        if (value.valueType() == ConfigValueType.LIST) {
            for (Object o : (List<?>) value.unwrapped()) {
                out.addAll(splitCommas(String.valueOf(o)));
            }
        } else if (value.valueType() != ConfigValueType.NULL) {
            out.addAll(splitCommas(String.valueOf(value.unwrapped())));
        }
        return out;
    }

    private static List<String> splitCommas(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toList());
    }
}
