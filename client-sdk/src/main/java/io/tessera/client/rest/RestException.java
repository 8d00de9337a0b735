package io.tessera.client.rest;

import java.io.IOException;

/**
 * A master answered a REST call with a status other than the one the call expects (any non-2xx). Carries the
 * HTTP status and the server's {@code message} (the master's errors are
 * {@code {"status":400,"error":"Bad Request","message":"...","path":"..."}}), never the request's credentials.
 * An {@link IOException}, so a caller that treats "the master did not do it" alike for answers and broken
 * connections catches one type; {@link #status()} tells them apart from transport failures, which are plain
 * {@code IOException}s ({@link java.net.http.HttpTimeoutException}, {@link java.net.ConnectException}...).
 */
public final class RestException extends IOException {
    private final int status;
    private final String serverMessage;
    private final String responseBody;

    RestException(String call, int status, String serverMessage, String responseBody) {
        super(call + " answered " + status + (serverMessage.isEmpty() ? "" : ": " + serverMessage));
        this.status = status;
        this.serverMessage = serverMessage;
        this.responseBody = responseBody;
    }

    /** The HTTP status of the answer. */
    public int status() {
        return status;
    }

    /**
     * The server's {@code message} field, or the start of the body when the answer is not the master's JSON error
     * (a proxy's page, say); empty when the body is empty.
     */
    public String serverMessage() {
        return serverMessage;
    }

    /** The answer's body as received (at most {@value MasterRestClient#MAX_ERROR_BODY_CHARS} characters). */
    public String responseBody() {
        return responseBody;
    }
}
