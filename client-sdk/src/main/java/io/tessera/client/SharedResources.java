package io.tessera.client;

import java.net.http.HttpClient;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** What all clients of one JVM share, so that many clients (load tests) do not each own a selector and a timer thread. */
final class SharedResources {

    /** Opens the sockets of clients built without their own HTTP client. */
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Request timeouts, keepalive ticks and reconnect backoffs; every task on it is short. */
    static final ScheduledThreadPoolExecutor TIMERS = timers();

    private SharedResources() {
    }

    private static ScheduledThreadPoolExecutor timers() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "tessera-sdk-timeouts");
            th.setDaemon(true);
            return th;
        });
        // Most requests are answered long before their timeout: drop cancelled timers at once.
        t.setRemoveOnCancelPolicy(true);
        return t;
    }
}
