package io.tessera.loadtest.harness.measure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Errors counted by kind, with the first message of each kind as an example. Bounded: after {@link #MAX_KINDS}
 * kinds every new kind counts as {@code other}; messages are cut and scrubbed of tokens and credentials.
 */
public final class ErrorTally {
    public static final int MAX_KINDS = 64;
    private static final int MAX_MESSAGE = 300;
    // Tokens, resume secrets and Basic credentials must never reach a report.
    private static final Pattern SECRETS = Pattern.compile("(tok_|secret=|Basic )[A-Za-z0-9+/=_-]+");

    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final Map<String, String> examples = new LinkedHashMap<>();

    public synchronized void add(String kind, String message) {
        String k = counts.containsKey(kind) || counts.size() < MAX_KINDS ? kind : "other";
        counts.merge(k, 1L, Long::sum);
        examples.putIfAbsent(k, scrub(message));
    }

    public synchronized long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized Map<String, Long> counts() {
        return new LinkedHashMap<>(counts);
    }

    public synchronized Map<String, String> examples() {
        return new LinkedHashMap<>(examples);
    }

    static String scrub(String message) {
        if (message == null) {
            return "";
        }
        String m = SECRETS.matcher(message).replaceAll("$1***");
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m;
    }

    /** A short kind for an exception: its class name, unwrapped from CompletionException/ExecutionException. */
    public static String kindOf(String stage, Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        String detail = c.getClass().getSimpleName();
        if (c instanceof io.tessera.client.JsonRpcException rpc) {
            detail = "rpc-" + rpc.code();
        } else if (c instanceof io.tessera.client.rest.RestException rest) {
            detail = "http-" + rest.status();
        }
        return stage + ":" + detail;
    }

    /** The innermost useful message of an exception. */
    public static String messageOf(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && (c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException)) {
            c = c.getCause();
        }
        return c.toString();
    }
}
