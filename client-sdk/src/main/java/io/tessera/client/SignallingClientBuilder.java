package io.tessera.client;

import io.tessera.client.SignallingListener.CloseInfo;
import io.tessera.client.SignallingListener.Disconnected;
import io.tessera.client.SignallingListener.Reconnected;
import io.tessera.client.SignallingListener.Reconnecting;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLContext;

/**
 * Options for one {@link SignallingClient} ({@link SignallingClient#builder}); every queue, wait and retry is bounded.
 * Listeners are set here rather than after connecting so that no event can arrive before them.
 */
public final class SignallingClientBuilder {
    private final URI uri;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int eventQueueCapacity = 10_000;
    private int maxPendingRequests = 1_000;
    private int maxMessageChars = 4 * 1024 * 1024;
    private HttpClient httpClient;
    private Consumer<ServerEvent> eventListener;
    private Consumer<CloseInfo> closeListener;
    private List<URI> failoverUris = List.of();
    private ReconnectPolicy reconnectPolicy;
    // On by default: masters cut off a client that sends nothing for 20 s (like openvidu-browser's 5 s ping).
    private Duration keepaliveInterval = Duration.ofSeconds(5);
    private Duration keepaliveTimeout = Duration.ofSeconds(15);
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
    private Consumer<Reconnecting> reconnectingListener;
    private Consumer<Reconnected> reconnectedListener;
    private Consumer<Disconnected> disconnectedListener;

    SignallingClientBuilder(URI uri) {
        this.uri = webSocketUri(uri);
    }

    /** How long opening the first socket may take (default 10 s). */
    public SignallingClientBuilder connectTimeout(Duration d) {
        this.connectTimeout = positive(d, "connectTimeout");
        return this;
    }

    /** The default timeout of a request (default 10 s). */
    public SignallingClientBuilder requestTimeout(Duration d) {
        this.requestTimeout = positive(d, "requestTimeout");
        return this;
    }

    /** The capacity of the event queue (default 10 000). */
    public SignallingClientBuilder eventQueueCapacity(int n) {
        this.eventQueueCapacity = atLeastOne(n, "eventQueueCapacity");
        return this;
    }

    /** How many requests may wait for an answer at once (default 1 000). */
    public SignallingClientBuilder maxPendingRequests(int n) {
        this.maxPendingRequests = atLeastOne(n, "maxPendingRequests");
        return this;
    }

    /** The longest message accepted from the server; longer ones are dropped (default 4 Mi chars). */
    public SignallingClientBuilder maxMessageChars(int n) {
        this.maxMessageChars = atLeastOne(n, "maxMessageChars");
        return this;
    }

    /** The HTTP client that opens the sockets (default: one shared by all clients of this JVM). */
    public SignallingClientBuilder httpClient(HttpClient client) {
        this.httpClient = client;
        return this;
    }

    /**
     * For {@code wss://} masters whose certificate the JVM's default trust store does not know (a private CA, a
     * self-signed cluster certificate in tests): the sockets are opened by an HTTP client of their own that
     * trusts what {@code context} trusts. Host names are still verified. Short for
     * {@code httpClient(HttpClient.newBuilder().sslContext(context).build())}; clients sharing one context should
     * share one such HTTP client through {@link #httpClient} instead.
     */
    public SignallingClientBuilder sslContext(SSLContext context) {
        this.httpClient = HttpClient.newBuilder().sslContext(Objects.requireNonNull(context, "context")).build();
        return this;
    }

    /**
     * Sends every callback to {@code listener}'s methods; a later {@code onEvent}, {@code onClose}, ... call replaces
     * that one callback.
     */
    public SignallingClientBuilder listener(SignallingListener listener) {
        Objects.requireNonNull(listener, "listener");
        this.eventListener = listener::onEvent;
        this.closeListener = listener::onClose;
        this.reconnectingListener = listener::onReconnecting;
        this.reconnectedListener = listener::onReconnected;
        this.disconnectedListener = listener::onDisconnected;
        return this;
    }

    /** Called for every event, on the socket's thread, after it is queued: keep it short. */
    public SignallingClientBuilder onEvent(Consumer<ServerEvent> listener) {
        this.eventListener = listener;
        return this;
    }

    /** Called once when the client ends; see {@link SignallingClient#onClose}. */
    public SignallingClientBuilder onClose(Consumer<CloseInfo> listener) {
        this.closeListener = listener;
        return this;
    }

    /**
     * Other masters (or one load-balancer URL) to resume on; the URI given to {@link SignallingClient#builder}
     * is part of the ring too. Attempts go round robin, starting with the URI after the one lost. Needs
     * {@link #reconnect(ReconnectPolicy)}.
     */
    public SignallingClientBuilder failoverUris(List<URI> uris) {
        List<URI> checked = new ArrayList<>();
        for (URI u : Objects.requireNonNull(uris, "uris")) {
            checked.add(webSocketUri(u));
        }
        this.failoverUris = List.copyOf(checked);
        return this;
    }

    /** Turns on resuming a joined session after losing the socket (off by default). */
    public SignallingClientBuilder reconnect(ReconnectPolicy policy) {
        this.reconnectPolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * Sends {@code ping} every {@code interval} and drops the socket when nothing at all (answer or event) came
     * for {@code timeout}: how a master frozen with its TCP connection still open is noticed. Default 5 s / 15 s
     * (masters close sockets silent for 20 s); 1 s / 3 s is recommended with {@link #reconnect(ReconnectPolicy)}.
     */
    public SignallingClientBuilder keepalive(Duration interval, Duration timeout) {
        positive(interval, "keepalive interval");
        positive(timeout, "keepalive timeout");
        if (timeout.compareTo(interval) <= 0) {
            throw new IllegalArgumentException("keepalive timeout " + timeout + " must exceed the interval "
                    + interval + ", or every quiet interval would drop the socket");
        }
        this.keepaliveInterval = interval;
        this.keepaliveTimeout = timeout;
        return this;
    }

    /** No keepalive pings: only for servers that do not cut off silent clients (Tessera's masters do, after 20 s). */
    public SignallingClientBuilder keepaliveOff() {
        this.keepaliveInterval = null;
        this.keepaliveTimeout = null;
        return this;
    }

    /** Called before each resume attempt, on an SDK thread: keep it short. */
    public SignallingClientBuilder onReconnecting(Consumer<Reconnecting> listener) {
        this.reconnectingListener = listener;
        return this;
    }

    /** Called after a resume succeeded, on an SDK thread: keep it short. */
    public SignallingClientBuilder onReconnected(Consumer<Reconnected> listener) {
        this.reconnectedListener = listener;
        return this;
    }

    /** Called when resuming failed for good (then {@code onClose} follows); the application must join again. */
    public SignallingClientBuilder onDisconnected(Consumer<Disconnected> listener) {
        this.disconnectedListener = listener;
        return this;
    }

    // Tests pin the jitter to make the backoff sequence exact.
    SignallingClientBuilder jitter(DoubleSupplier unitRandom) {
        this.jitter = Objects.requireNonNull(unitRandom, "unitRandom");
        return this;
    }

    /** Opens the first socket; the future fails when it cannot be opened within the connect timeout. */
    public CompletableFuture<SignallingClient> connectAsync() {
        if (!failoverUris.isEmpty() && reconnectPolicy == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "failoverUris are only used when resuming: set reconnect(ReconnectPolicy) too"));
        }
        LinkedHashSet<URI> ring = new LinkedHashSet<>();
        ring.add(uri);
        ring.addAll(failoverUris);
        ClientOptions options = new ClientOptions(uri, List.copyOf(ring), reconnectPolicy, keepaliveInterval,
                keepaliveTimeout, jitter, httpClient != null ? httpClient : SharedResources.HTTP, requestTimeout,
                maxPendingRequests, maxMessageChars, eventQueueCapacity);
        Callbacks callbacks = new Callbacks(eventListener, reconnectingListener, reconnectedListener,
                disconnectedListener, closeListener);
        return new SignallingClient(options, callbacks).open(connectTimeout);
    }

    /** Opens the first socket, waiting at most the connect timeout. */
    public SignallingClient connect() throws IOException {
        CompletableFuture<SignallingClient> f = connectAsync();
        try {
            return f.get(connectTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new InterruptedIOException("interrupted while connecting to " + uri);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IOException("could not connect to " + uri + " within " + connectTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IllegalStateException ise) {
                throw ise;
            }
            if (c instanceof TimeoutException) {
                throw new IOException("could not connect to " + uri + " within " + connectTimeout.toMillis() + " ms", c);
            }
            throw new IOException("could not connect to " + uri + ": " + c, c);
        }
    }

    private static URI webSocketUri(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String s = uri.getScheme();
        if (!"ws".equalsIgnoreCase(s) && !"wss".equalsIgnoreCase(s)) {
            throw new IllegalArgumentException("WebSocket URI must be ws:// or wss://, got " + uri);
        }
        return uri;
    }

    private static Duration positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
        return d;
    }

    private static int atLeastOne(int n, String what) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + n);
        }
        return n;
    }
}
