package io.tessera.media.webrtc.janus;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;

/**
 * Something Janus tells on its own, not as the answer to a request: a handle's PeerConnection came up or went down,
 * media started or stopped, loss was reported, or the plugin sent an event of its own.
 *
 * @param kind     what happened
 * @param handleId the plugin handle it concerns (0 when it concerns the whole session)
 * @param message  Janus's message as received, for the details each kind carries
 */
public record JanusEvent(Kind kind, long handleId, JsonNode message) {

    public enum Kind {
        /** DTLS is up: the PeerConnection works ({@code webrtcup}). */
        WEBRTC_UP,
        /** Janus started or stopped receiving a medium ({@code media}, with {@code type}, {@code receiving}). */
        MEDIA,
        /** The PeerConnection is gone ({@code hangup}, with {@code reason}). */
        HANGUP,
        /** Janus saw loss or many NACKs ({@code slowlink}). */
        SLOW_LINK,
        /** The handle is gone ({@code detached}). */
        DETACHED,
        /** An event of the plugin not tied to a request of ours, e.g. a VideoRoom publisher left. */
        PLUGIN_EVENT,
        /** Janus dropped the session for lack of keepalives ({@code timeout}). */
        SESSION_TIMEOUT,
        /** Any other message Janus sends unasked (e.g. its own {@code trickle}). */
        OTHER;

        static Kind of(String janus) {
            return switch (janus) {
                case "webrtcup" -> WEBRTC_UP;
                case "media" -> MEDIA;
                case "hangup" -> HANGUP;
                case "slowlink" -> SLOW_LINK;
                case "detached" -> DETACHED;
                case "event" -> PLUGIN_EVENT;
                case "timeout" -> SESSION_TIMEOUT;
                default -> OTHER;
            };
        }
    }

    /** Receives Janus's unasked messages and the end of the connection; called on the socket's thread: be quick. */
    public interface Listener {
        void onEvent(JanusEvent event);

        /** The WebSocket to Janus is closed (Janus died or was stopped): every session and handle on it is gone. */
        void onClosed(String reason);

        Listener IGNORE = eventsTo(event -> {
        });

        /** Hands every event to {@code events}; for callers that learn of a closed socket another way. */
        static Listener eventsTo(Consumer<JanusEvent> events) {
            return new Listener() {
                @Override
                public void onEvent(JanusEvent event) {
                    events.accept(event);
                }

                @Override
                public void onClosed(String reason) {
                }
            };
        }
    }
}
