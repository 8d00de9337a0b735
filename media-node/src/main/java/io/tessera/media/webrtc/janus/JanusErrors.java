package io.tessera.media.webrtc.janus;

import io.tessera.media.engine.MediaException;
import io.tessera.media.engine.MediaException.Kind;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** How {@link JanusEngine}'s failures reach the client: each as a {@link MediaException} of the right kind. */
final class JanusErrors {
    private JanusErrors() {
    }

    static <T> CompletableFuture<T> refused(Kind kind, String message) {
        return CompletableFuture.failedFuture(new MediaException(kind, message));
    }

    /** A failure as the client's error: Janus's refusals by their code, our own (timeouts, no Janus) as 503. */
    static CompletionException mapped(Throwable error, String what) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof MediaException media) {
            return new CompletionException(media);
        }
        if (cause instanceof JanusException janus) {
            Kind kind = switch (janus.code()) {
                case 465, 466, 467 -> Kind.INVALID_SDP; // JSEP: unknown type, invalid SDP, ...
                case 428, 426 -> Kind.UNKNOWN_STREAM; // no such feed, no such room
                case 436 -> Kind.CONFLICT; // id exists
                default -> Kind.NO_CAPACITY;
            };
            return new CompletionException(new MediaException(kind, "the WebRTC engine could not " + what + ": "
                    + janus.getMessage()));
        }
        return new CompletionException(new MediaException(Kind.NO_CAPACITY, "the WebRTC engine could not " + what
                + ": " + cause));
    }
}
