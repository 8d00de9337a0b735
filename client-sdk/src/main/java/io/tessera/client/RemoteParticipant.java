package io.tessera.client;

import java.util.List;

/**
 * A participant that was already in the session when we joined (the {@code value} list of {@code joinRoom}).
 *
 * @param connectionId its connection id ({@code con_...})
 * @param createdAt    when it joined (epoch ms)
 * @param metadata     the metadata it joined with
 * @param streams      the streams it publishes (empty when none)
 */
public record RemoteParticipant(String connectionId, long createdAt, String metadata, List<StreamInfo> streams) {

    public RemoteParticipant {
        streams = streams == null ? List.of() : List.copyOf(streams);
    }
}
