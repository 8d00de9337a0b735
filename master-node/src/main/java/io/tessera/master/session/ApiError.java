package io.tessera.master.session;

/**
 * A request that cannot be served, with the HTTP status that says why. The same numbers are used as
 * JSON-RPC error codes on the WebSocket (401, 404, 409, 503...), see docs/CONTRACT.md.
 */
public final class ApiError extends RuntimeException {
    private final int status;

    public ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    /** Unwraps the CompletionException layers a failed stage adds. */
    public static Throwable cause(Throwable error) {
        Throwable t = error;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
