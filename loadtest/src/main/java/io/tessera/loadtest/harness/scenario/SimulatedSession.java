package io.tessera.loadtest.harness.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One session of the plan. Pairs every joined participant with every published stream it should receive exactly
 * once, whichever of the two happens first: both paths take the same lock.
 */
final class SimulatedSession {
    /** A subscription to make: {@code subscriber} receives {@code publisher}'s stream. */
    record Pairing(SimulatedParticipant subscriber, SimulatedParticipant publisher, String streamId) {
    }

    final String id;
    final int index;
    final Topology topology;
    final CompletableFuture<Void> created = new CompletableFuture<>();
    private final List<SimulatedParticipant> joined = new ArrayList<>(); // guarded by this
    private final Map<SimulatedParticipant, String> streams = new LinkedHashMap<>(); // guarded by this

    SimulatedSession(String id, int index, Topology topology) {
        this.id = id;
        this.index = index;
        this.topology = topology;
    }

    /** A participant joined: the streams it should receive that exist already. */
    synchronized List<Pairing> onJoined(SimulatedParticipant p) {
        joined.add(p);
        List<Pairing> out = new ArrayList<>();
        streams.forEach((publisher, stream) -> {
            if (topology.receives(p.index, publisher.index)) {
                out.add(new Pairing(p, publisher, stream));
            }
        });
        return out;
    }

    /** A participant published: the joined participants that should receive it. */
    synchronized List<Pairing> onPublished(SimulatedParticipant publisher, String streamId) {
        streams.put(publisher, streamId);
        List<Pairing> out = new ArrayList<>();
        for (SimulatedParticipant p : joined) {
            if (topology.receives(p.index, publisher.index)) {
                out.add(new Pairing(p, publisher, streamId));
            }
        }
        return out;
    }
}
