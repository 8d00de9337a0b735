package io.tessera.master.routing;

/**
 * How much of the routing rebuild's restore is on the wire at once, in sessions rather than shards: a shard holds
 * ~1/100 of all sessions, so "32 shards in flight" meant 32 sessions at 3 200 sessions and ~3 200 at 10 000 sessions,
 * which overloaded the replicators on the 2-core benchmark machine (docs/BENCHMARKS.md, RoutingRebuildBenchmark).
 *
 * @param recordsPerWrite  sessions (with their connections) carried by one majority write; a shard holding more is
 *                         written in several writes, one after the other
 * @param sessionsInFlight sessions in the writes in flight together, over all shards; a shard counts
 *                         {@code min(its sessions, recordsPerWrite)} while it is restored, and one shard always runs
 */
public record RestoreBudget(int recordsPerWrite, int sessionsInFlight) {
    /** What the masters use unless configured ({@code rebuild.records-per-write}, {@code rebuild.sessions-in-flight}). */
    public static final RestoreBudget DEFAULT = new RestoreBudget(50, 200);

    public RestoreBudget {
        if (recordsPerWrite < 1 || sessionsInFlight < 1) {
            throw new IllegalArgumentException("rebuild.records-per-write and rebuild.sessions-in-flight must be at"
                    + " least 1, got " + recordsPerWrite + " and " + sessionsInFlight);
        }
    }

    /** What one shard of {@code sessions} sessions counts against {@link #sessionsInFlight} while it is restored. */
    public int weightOf(int sessions) {
        return Math.min(sessions, recordsPerWrite);
    }
}
