package io.tessera.client.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.net.http.HttpHeaders;

/**
 * A master's answer to {@link MasterRestClient#send}, whatever its status: for calls the typed methods do not make,
 * and for tests that assert exact statuses and bodies.
 *
 * @param method  the request's method
 * @param path    the request's path and query, as sent
 * @param status  the HTTP status
 * @param text    the body as received (empty when there is none)
 * @param headers the answer's headers
 */
public record RestResponse(String method, String path, int status, String text, HttpHeaders headers) {
    private static final int SHOWN_CHARS = 500;

    /** The body as JSON; a {@link MissingNode} when it is empty or not JSON, so {@code json().path(..)} never throws. */
    public JsonNode json() {
        if (text.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            JsonNode node = MasterRestClient.JSON.readTree(text);
            return node == null ? MissingNode.getInstance() : node;
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    /** True for a 2xx status. */
    public boolean isSuccess() {
        return status / 100 == 2;
    }

    /** Method, path, status and the start of the body: for assertion messages and logs (no credentials in it). */
    @Override
    public String toString() {
        String shown = text.length() > SHOWN_CHARS ? text.substring(0, SHOWN_CHARS) + "..." : text;
        return method + " " + path + " -> " + status + " " + shown;
    }
}
