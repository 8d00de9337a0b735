package io.tessera.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The settings of one {@link SignallingClient}, fixed when {@link SignallingClientBuilder} builds it; each is
 * described on the builder method that sets it.
 *
 * @param failoverRing      the URIs resumes go round: {@code uri} first, then the failover URIs, without repeats
 * @param reconnectPolicy   null when a lost socket is not resumed
 * @param keepaliveInterval null when keepalive is off (then {@code keepaliveTimeout} is null too)
 */
record ClientOptions(URI uri, List<URI> failoverRing, ReconnectPolicy reconnectPolicy, Duration keepaliveInterval,
                     Duration keepaliveTimeout, DoubleSupplier jitter, HttpClient http, Duration requestTimeout,
                     int maxPendingRequests, int maxMessageChars, int eventQueueCapacity) {
}
