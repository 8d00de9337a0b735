package io.tessera.common.protocol;

import java.util.Optional;

/**
 * A media node's status, as its load reports carry it and as {@code PATCH /media-nodes/{id}} sets it (the REST
 * {@code status} field and {@link LoadReport#status()} hold the wire name).
 */
public enum MediaNodeStatus {
    /** Sessions may be placed here. */
    RUNNING("running"),
    /** No new sessions; at the drain's deadline the masters move the remaining ones away. */
    DRAINING("draining");

    private final String wireName;

    MediaNodeStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The status of a wire name, if it is one. */
    public static Optional<MediaNodeStatus> of(String wireName) {
        for (MediaNodeStatus status : values()) {
            if (status.wireName.equals(wireName)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
