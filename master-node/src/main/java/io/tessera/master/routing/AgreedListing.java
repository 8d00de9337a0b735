package io.tessera.master.routing;

import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Every shard of one kind as a majority of masters has it (a REST list), at the cost of one question to each other
 * master while the replicas agree, instead of one majority read per shard.
 *
 * <p>A majority read of a shard asks one other master for its whole copy and merges it. With a thousand shards a list
 * is a thousand of them, each carrying hundreds of records that the two replicas almost always share. Here this master
 * reads its own shards, asks every other master for a digest of each of theirs ({@link PeerLookup.ShardDigests}), and
 * reads from a majority only the shards whose digests differ from its own; a shard on which every master agrees is
 * taken from this replica. That is what the majority read would have returned: merging equal copies changes nothing,
 * and since every create and delete is written with a majority it is in at least one of the replicas compared, so a
 * replica equal to all of them holds it. When a master cannot be asked or does not answer in time (the rule of
 * {@link PeerReads}), every shard is read from a majority as before.
 *
 * <p>A digest covers, for each record, its key, its last-writer-wins timestamp and the writer's unique address (what
 * decides which copy wins a merge): two replicas with the same digest hold the same version of every record.
 */
final class AgreedListing {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final RoutingTable table;
    private final Duration readTimeout;
    private final RoutingMeters meters;

    AgreedListing(RoutingTable table, Duration readTimeout, RoutingMeters meters) {
        this.table = table;
        this.readTimeout = readTimeout;
        this.meters = meters;
    }

    /**
     * Each shard of {@code keys}, in order: this replica's copy where every other master's digest agrees with it,
     * otherwise a majority read.
     *
     * @param peers null when this master does not ask the others (then every shard is read from a majority)
     */
    <V> CompletionStage<List<LWWMap<String, V>>> readAll(List<Key<LWWMap<String, V>>> keys,
                                                         PeerLookup.ShardKind kind, PeerReads peers) {
        CompletableFuture<List<LWWMap<String, V>>> mine =
                table.shards().readAll(keys, Replicator.readLocal()).toCompletableFuture();
        CompletableFuture<List<PeerLookup.DigestsAnswer>> theirs = peers == null
                ? CompletableFuture.completedFuture(null)
                : peers.<PeerLookup.DigestsAnswer>askEveryOther(replyTo -> new PeerLookup.ShardDigests(kind, replyTo));
        return mine.thenCombine(theirs, (local, answers) -> reconcile(keys, local, answers))
                .thenCompose(Futures::all);
    }

    private <V> List<CompletableFuture<LWWMap<String, V>>> reconcile(List<Key<LWWMap<String, V>>> keys,
                                                                     List<LWWMap<String, V>> local,
                                                                     List<PeerLookup.DigestsAnswer> answers) {
        boolean comparable = answers != null
                && answers.stream().allMatch(a -> a.digests() != null && a.digests().length == keys.size());
        List<CompletableFuture<LWWMap<String, V>>> shards = new ArrayList<>(keys.size());
        int agreed = 0;
        for (int i = 0; i < keys.size(); i++) {
            if (comparable && agrees(digest(local.get(i)), answers, i)) {
                shards.add(CompletableFuture.completedFuture(local.get(i)));
                agreed++;
            } else {
                shards.add(table.shards().read(keys.get(i), new Replicator.ReadMajority(readTimeout)).toCompletableFuture());
            }
        }
        meters.listedShards(agreed, keys.size() - agreed);
        return shards;
    }

    private static boolean agrees(long digest, List<PeerLookup.DigestsAnswer> answers, int shard) {
        for (PeerLookup.DigestsAnswer answer : answers) {
            if (answer.digests()[shard] != digest) {
                return false;
            }
        }
        return true;
    }

    /** One digest per shard, in order. */
    static <V> long[] digests(List<LWWMap<String, V>> shards) {
        long[] digests = new long[shards.size()];
        for (int i = 0; i < digests.length; i++) {
            digests[i] = digest(shards.get(i));
        }
        return digests;
    }

    /**
     * The records' keys, timestamps and writers, independent of iteration order (a sum of mixed per-record hashes,
     * then the count). Every input is the same number on every JVM: String.hashCode is specified, and a unique
     * address's uid is a number chosen once per node.
     */
    static <V> long digest(LWWMap<String, V> shard) {
        long sum = 0;
        int count = 0;
        for (Map.Entry<String, LWWRegister<V>> entry : shard.underlying().getEntries().entrySet()) {
            LWWRegister<V> register = entry.getValue();
            long h = entry.getKey().hashCode();
            h = h * GOLDEN + register.timestamp();
            h = h * GOLDEN + register.updatedBy().longUid();
            sum += mix(h);
            count++;
        }
        return sum * GOLDEN + count;
    }

    /** MurmurHash3's 64-bit finalizer: every input bit moves every output bit. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
