package io.tessera.it.history;

/** How a client operation ended, as the client can tell (Jepsen's ok / fail / info). */
public enum Outcome {
    /** Acknowledged: it was applied. */
    OK,
    /** Refused by the server (a JSON-RPC or REST error): it was not applied. */
    FAILED,
    /** Unknown (timeout, socket lost, cancelled): it may or may not have been applied. */
    INDETERMINATE
}
