package io.tessera.master.session;

import io.tessera.wire.jsonrpc.ErrorCode;

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

    /** A refusal that is also a JSON-RPC error of the contract: its code is the HTTP status. */
    public ApiError(ErrorCode code, String message) {
        this(code.code(), message);
    }

    public int status() {
        return status;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(ErrorCode.BAD_REQUEST, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(ErrorCode.NOT_FOUND, message);
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
