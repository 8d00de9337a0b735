package io.tessera.master.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.wire.log.LogSafe;
import io.tessera.master.session.Tokens;

import java.util.function.Supplier;

/**
 * A {@code joinRoom} or {@code connect} (resume) in flight. {@code resumingConnectionId} is set for a resume: the
 * participant's replayed events may come before the media node's answer. {@code lateAnswer}: an answer that comes
 * after the socket closed still detaches the participant.
 */
record PendingJoin(JsonNode id, boolean resumed, String metadata, Attempt attempt, long startedNanos,
                   String resumingConnectionId, Sequence sequence, LateAnswer lateAnswer) {

    static PendingJoin join(JsonNode id, String metadata, Attempt attempt, long startedNanos) {
        return new PendingJoin(id, false, metadata, attempt, startedNanos, null, new Sequence(), new LateAnswer());
    }

    static PendingJoin resume(JsonNode id, String connectionId, Attempt attempt) {
        return new PendingJoin(id, true, "", attempt, System.nanoTime(), connectionId, new Sequence(),
                new LateAnswer());
    }

    /**
     * What a join or resume asked for, in a form safe to log: the session id only if it has the shape of one, the
     * token only as a fingerprint (a token URL holds the token), the resume secret not at all.
     */
    record Attempt(String sessionId, Supplier<String> describeWho) {
        static Attempt join(String session, String tokenOrUrl) {
            // The bare token's fingerprint, as SessionService logs it when it issues the token. Only a refused join
            // logs it, so the SHA-256 is not paid on every join.
            return new Attempt(session,
                    () -> "token " + LogSafe.fingerprint(Tokens.tokenValue(tokenOrUrl).orElse(tokenOrUrl)));
        }

        static Attempt resume(String session, String connection) {
            return new Attempt(session, () -> "connection " + LogSafe.id(connection));
        }

        /** Who asked, safe to log: a token's fingerprint or a connection id. */
        String who() {
            return describeWho.get();
        }

        /** The session id for the MDC, or null when the client sent something that is not an id. */
        String mdcSessionId() {
            return LogSafe.id(sessionId).equals(sessionId) ? sessionId : null;
        }
    }
}
