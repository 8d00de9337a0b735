package io.tessera.client;

import com.fasterxml.jackson.databind.JsonNode;

/** A JSON-RPC error response from the server ({@code error.code}, {@code error.message}, {@code error.data}). */
public final class JsonRpcException extends RuntimeException {

    private final int code;
    private final String errorMessage;
    private final transient JsonNode data;

    public JsonRpcException(int code, String errorMessage, JsonNode data) {
        super("JSON-RPC error " + code + ": " + errorMessage);
        this.code = code;
        this.errorMessage = errorMessage;
        this.data = data;
    }

    public JsonRpcException(int code, String errorMessage) {
        this(code, errorMessage, null);
    }

    public int code() {
        return code;
    }

    /** The server's {@code error.message}, without the code prefix of {@link #getMessage()}. */
    public String errorMessage() {
        return errorMessage;
    }

    /** The server's {@code error.data}, or null when absent. */
    public JsonNode data() {
        return data;
    }
}
