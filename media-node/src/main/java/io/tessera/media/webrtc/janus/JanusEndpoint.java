package io.tessera.media.webrtc.janus;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Janus endpoint of {@link JanusEngine}: a publisher ({@code subscriber} null) or one subscription. The mutable
 * fields are guarded by the engine's lock; {@code up} is set from Janus's event thread.
 */
final class JanusEndpoint {
    final String room;
    final String publisher;
    final String subscriber;
    final String feed; // the publisher's id in the room: its stream id and a number
    final Runnable onUp;
    final AtomicBoolean up = new AtomicBoolean();
    VideoRoomHandle handle;
    boolean remote; // a remote publisher (add_remote_publisher): no handle, removed through the manager
    boolean ready; // the remote SDP is set: candidates go straight to Janus
    boolean closed;

    JanusEndpoint(String room, String publisher, String subscriber, String feed, Runnable onUp) {
        this.room = room;
        this.publisher = publisher;
        this.subscriber = subscriber;
        this.feed = feed;
        this.onUp = onUp;
    }

    String key() {
        return key(room, publisher, subscriber);
    }

    static String key(String room, String publisher, String subscriber) {
        return room + '|' + publisher + '|' + (subscriber == null ? "" : subscriber);
    }

    /** The prefix of the keys of every endpoint of {@code publisher} (its own and its subscriptions). */
    static String publisherPrefix(String room, String publisher) {
        return room + '|' + publisher + '|';
    }

    /** The prefix of the keys of every endpoint in {@code room}. */
    static String roomPrefix(String room) {
        return room + '|';
    }
}
