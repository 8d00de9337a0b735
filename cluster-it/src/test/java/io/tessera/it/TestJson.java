package io.tessera.it;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The tests' one ObjectMapper, for JSON-RPC messages and log lines they build or read. */
final class TestJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private TestJson() {
    }
}
