package io.tessera.common.fuzz;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one parser call on a helper thread so that a parser that loops fails the property with the input that made
 * it loop, instead of stalling the build. The limit is a liveness guard far above any real parse time (microseconds),
 * not a performance assertion.
 */
public final class Bounded {
    static final long LIMIT_SECONDS = 10;

    private static final ExecutorService PARSER_THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-parser");
        t.setDaemon(true);
        return t;
    });

    private Bounded() {
    }

    /** The call's result, or the throwable it ended with (checked or not), as the value; never hangs. */
    public static Object outcome(Callable<?> call, String input) {
        Future<?> future = PARSER_THREAD.submit(call);
        try {
            return future.get(LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError("parser did not return within " + LIMIT_SECONDS + " s on input " + show(input));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The input, cut and with control characters made visible, for failure messages. */
    public static String show(String input) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(input.length(), 400);
        for (int i = 0; i < n; i++) {
            char c = input.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append(input.length() > n ? "\"... (" + input.length() + " chars)" : "\"");
        return sb.toString();
    }
}
