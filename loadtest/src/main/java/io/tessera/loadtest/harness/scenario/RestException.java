package io.tessera.loadtest.harness.scenario;

/** A REST call answered with an unexpected status. */
public final class RestException extends RuntimeException {
    private final int status;

    public RestException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
