package io.tessera.master.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tessera.master.views.JsonViews;

/**
 * One entry of the console's timeline, derived by a master from two consecutive {@link ClusterSnapshot}s.
 * The JSON shape (written only by {@link #toJson()}) is what the console page reads from the feed:
 * {@code {"seq":12,"at":1764495000123,"kind":"sessionMoved","subject":"s1","from":"media-1","to":"media-2",
 * "text":"session s1 moved from media-1 to media-2"}}.
 *
 * @param seq     position in this master's feed, from 1; a client resumes after the last one it saw
 * @param at      epoch milliseconds when this master noticed it
 * @param kind    one of {@link Kind}'s wire names
 * @param subject the node or session id the event is about
 * @param from    the previous value (status, media node), or null
 * @param to      the new value, or null
 */
public record ConsoleEvent(long seq, long at, String kind, String subject, String from, String to) {

    /** The kinds of event, by the name the page sees. */
    public enum Kind {
        MASTER_JOINED("masterJoined"),
        MASTER_CHANGED("masterChanged"),
        MASTER_LEFT("masterLeft"),
        MEDIA_NODE_JOINED("mediaNodeJoined"),
        MEDIA_NODE_UNREACHABLE("mediaNodeUnreachable"),
        MEDIA_NODE_REACHABLE("mediaNodeReachable"),
        MEDIA_NODE_STATUS("mediaNodeStatus"),
        MEDIA_NODE_LEFT("mediaNodeLeft"),
        SESSION_CREATED("sessionCreated"),
        SESSION_CLOSED("sessionClosed"),
        SESSION_MOVED("sessionMoved"),
        SESSION_WAITING("sessionWaiting"),
        /** More session events of one kind in one sample than the feed lists one by one: {@code subject} is the count. */
        SESSIONS_SUMMARY("sessionsSummary");

        public final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }
    }

    /** An event not numbered yet: the feed numbers events as it appends them. */
    public static ConsoleEvent of(Kind kind, String subject, String from, String to) {
        return new ConsoleEvent(0, 0, kind.wireName, subject, from, to);
    }

    ConsoleEvent numbered(long seq, long at) {
        return new ConsoleEvent(seq, at, kind, subject, from, to);
    }

    public String toJson() {
        ObjectNode node = JsonViews.MAPPER.createObjectNode();
        node.put("seq", seq);
        node.put("at", at);
        node.put("kind", kind);
        node.put("subject", subject);
        node.put("from", from);
        node.put("to", to);
        node.put("text", text());
        return node.toString();
    }

    /** A sentence for people, so the page needs no per-kind wording. */
    public String text() {
        return switch (kind) {
            case "masterJoined" -> "master " + subject + " joined (" + to + ")";
            case "masterChanged" -> "master " + subject + ": " + from + " -> " + to;
            case "masterLeft" -> "master " + subject + " left the cluster";
            case "mediaNodeJoined" -> "media node " + subject + " joined (" + to + ")";
            case "mediaNodeUnreachable" -> "media node " + subject + " is unreachable (down?)";
            case "mediaNodeReachable" -> "media node " + subject + " is reachable again";
            case "mediaNodeStatus" -> "media node " + subject + ": " + from + " -> " + to
                    + ("draining".equals(to) ? " (drain started)" : "draining".equals(from) ? " (drain undone)" : "");
            case "mediaNodeLeft" -> "media node " + subject + " left the cluster";
            case "sessionCreated" -> "session " + subject + " created on " + to;
            case "sessionClosed" -> "session " + subject + " closed (was on " + from + ")";
            case "sessionMoved" -> "session " + subject + " moved from " + from + " to " + to;
            case "sessionWaiting" -> "session " + subject + " waits for placement (" + from + " is down)";
            case "sessionsSummary" -> subject + " sessions " + to;
            default -> kind + " " + subject;
        };
    }
}
