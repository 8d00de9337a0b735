package io.tessera.master.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tessera.common.metrics.NodeMetrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The routing table's meters: write round trips to the replicator, how long other masters' writes take to reach
 * this one, and the sizes this master's replica holds (kept by {@link RoutingObserver}).
 */
public final class RoutingMeters {
    private final Timer majorityWrites;
    private final Timer localWrites;
    private final Timer sessionConvergence;
    private final Counter majorityReads;
    private final Counter otherReads;
    private final Counter peerLookupsDecided;
    private final Counter peerLookupsUndecided;
    private final DistributionSummary peerSessionRounds;
    private final Counter listedShardsAgreed;
    private final Counter listedShardsFromMajority;
    final AtomicInteger sessions = new AtomicInteger();
    final AtomicInteger activeConnections = new AtomicInteger();
    final AtomicInteger pendingConnections = new AtomicInteger();

    public RoutingMeters(MeterRegistry registry) {
        String update = "tessera.master.routing.update.latency";
        String updateHelp = "Routing table (Distributed Data) writes: from the update to the replicator's answer";
        majorityWrites = latency(update, updateHelp).tag("consistency", "majority").register(registry);
        localWrites = latency(update, updateHelp).tag("consistency", "local").register(registry);
        String reads = "tessera.master.routing.reads";
        String readsHelp = "Routing table (Distributed Data) reads of one shard, by consistency: a majority read asks "
                + "the other masters, any other is answered from this master's replica";
        majorityReads = counter(registry, reads, readsHelp, "consistency", "majority");
        otherReads = counter(registry, reads, readsHelp, "consistency", "local");
        String peer = "tessera.master.routing.peer.lookups";
        String peerHelp = "Routing records this master's replica lacked, asked of every other master at once: decided "
                + "by their answers, or undecided and read from a majority instead";
        peerLookupsDecided = counter(registry, peer, peerHelp, "outcome", "decided");
        peerLookupsUndecided = counter(registry, peer, peerHelp, "outcome", "undecided");
        peerSessionRounds = DistributionSummary.builder("tessera.master.routing.peer.session.rounds")
                .description("Rounds of session lookups asked of the other masters, by the sessions each carried: one "
                        + "question to each other master per round, for every session looked up while the round "
                        + "before was out")
                .baseUnit("sessions")
                .register(registry);
        String listed = "tessera.master.routing.listed.shards";
        String listedHelp = "Shards read for a REST list: taken from this replica because every other master's digest "
                + "agreed, or read from a majority because one differed or a master could not be asked";
        listedShardsAgreed = counter(registry, listed, listedHelp, "outcome", "agreed");
        listedShardsFromMajority = counter(registry, listed, listedHelp, "outcome", "majority");
        String convergence = "tessera.master.routing.convergence";
        String convergenceHelp = "From a session record's write on another master to this master seeing it "
                + "(the record's LWW timestamp to the replicator's change notification; includes clock skew); "
                + "sampled: the records of 40 session shards of 1000";
        // A sample of the sessions only: a subscribed shard pays a digest at every write (RoutingObserver says why).
        sessionConvergence = latency(convergence, convergenceHelp).tag("record", "session").register(registry);
        Gauge.builder("tessera.master.sessions", sessions, AtomicInteger::get)
                .description("Sessions in the routing table, as this master's replica has them (cluster-wide)")
                .register(registry);
        Gauge.builder("tessera.master.participants", activeConnections, AtomicInteger::get)
                .description("Active connections (joined participants) in the routing table, cluster-wide")
                .register(registry);
        Gauge.builder("tessera.master.connections.pending", pendingConnections, AtomicInteger::get)
                .description("Connections whose token was issued but not used to join yet, cluster-wide")
                .register(registry);
    }

    private static Counter counter(MeterRegistry registry, String name, String help, String tag, String value) {
        return Counter.builder(name).description(help).tag(tag, value).register(registry);
    }

    private static Timer.Builder latency(String name, String help) {
        return Timer.builder(name).description(help).serviceLevelObjectives(NodeMetrics.LATENCY_BUCKETS)
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10));
    }

    void write(boolean majority, long nanos) {
        (majority ? majorityWrites : localWrites).record(nanos, TimeUnit.NANOSECONDS);
    }

    void read(boolean majority) {
        (majority ? majorityReads : otherReads).increment();
    }

    void peerLookup(boolean decided) {
        (decided ? peerLookupsDecided : peerLookupsUndecided).increment();
    }

    void peerSessionRound(int sessions) {
        peerSessionRounds.record(sessions);
    }

    void listedShards(int agreed, int fromMajority) {
        listedShardsAgreed.increment(agreed);
        listedShardsFromMajority.increment(fromMajority);
    }

    void converged(long millis) {
        sessionConvergence.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }
}
