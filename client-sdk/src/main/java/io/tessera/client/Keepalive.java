package io.tessera.client;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a client's socket known to be alive: pings every {@code interval} (masters cut off a client that sends nothing
 * for 20 s) and aborts the socket when nothing at all came from the server for {@code timeout}. A frozen master keeps
 * its TCP connection open but says nothing, so silence is the only sign of it; aborting starts the resume.
 */
final class Keepalive {

    private static final Logger log = LoggerFactory.getLogger(Keepalive.class);

    /** What the keepalive needs of the client. */
    interface Connection {
        /** The socket to watch now; null while there is none in use (connecting, reconnecting, closed). */
        SocketLink liveLink();

        /** Sends one {@code ping} announcing {@code interval}; its answer does not matter, the silence check does. */
        void ping(SocketLink link, Duration interval, Duration timeout);
    }

    private final Duration interval;
    private final Duration timeout;
    private final Connection connection;
    private final ScheduledFuture<?> task;

    private Keepalive(Duration interval, Duration timeout, Connection connection, ScheduledExecutorService timer) {
        this.interval = interval;
        this.timeout = timeout;
        this.connection = connection;
        long ms = interval.toMillis();
        this.task = timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Starts ticking every {@code interval} on {@code timer} until {@link #stop()}. */
    static Keepalive start(Duration interval, Duration timeout, Connection connection,
                           ScheduledExecutorService timer) {
        return new Keepalive(interval, timeout, connection, timer);
    }

    void stop() {
        task.cancel(false);
    }

    private void tick() {
        SocketLink link = connection.liveLink();
        if (link == null) {
            return;
        }
        long silentMs = TimeUnit.NANOSECONDS.toMillis(link.silentNanos());
        if (silentMs > timeout.toMillis()) {
            log.info("nothing from {} for {} ms (keepalive timeout {} ms): dropping the socket", link.uri(), silentMs,
                    timeout.toMillis());
            link.abort("no message from " + link.uri() + " for " + silentMs + " ms (keepalive)");
            return;
        }
        connection.ping(link, interval, timeout);
    }
}
