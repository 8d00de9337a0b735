package io.tessera.master.routing;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * How many bytes of connections one routing shard may hold. A shard travels whole in a gossip exchange and in the
 * answer to a majority read, and Artery discards a message larger than its maximum frame
 * ({@code pekko.remote.artery.advanced.maximum-frame-size}, 256 KiB) with an {@code OversizedPayloadException}: a
 * shard past it is no longer repaired by gossip, and every majority read of it times out and falls back to the local
 * replica (measured: one session with 40 tokens of 9 000 random characters each took its shard past the frame, and a
 * {@code GET .../connection} of that session then took 2.1 s through every master). A token that would
 * take its shard over the budget, three quarters of the frame, is refused instead, before it is written; the last
 * quarter is for what joins add (participants' metadata) and for the message around the shard.
 *
 * <p>What counts is the shard serialized as it is sent (deflated), which only the serializer knows and which costs a
 * millisecond or more to find for a large shard. So the budget keeps, per shard, the last exact size and the records
 * it was measured with, and bounds the shard by that size plus the raw size of every record not among them (its text
 * as UTF-8 plus {@link #ENTRY_OVERHEAD}): records are immutable, so one that is the same object as at the measurement
 * is unchanged, and a new or changed one (a token, an activation, a copy merged in from another master) adds at most
 * its raw size to the deflated shard, plus a small block overhead ({@link #SLACK_BYTES}). Records removed since are
 * taken to add nothing. Only when that bound passes the budget is the shard serialized again. A shard of tokens
 * without data (~64 bytes each deflated, ~540 raw) is measured about once per 300 tokens; one near the budget at
 * every token, which is then refused. The pass over the records costs 30-45 µs per token at 500 tokens in the shard
 * (50 000 in the cluster), 1-2 % of what a token creation costs the masters there. Used from the replicator's modify
 * functions, which run one at a time on its actor.
 */
final class ShardBudget {
    /** Bytes a connection record adds to a serialized shard beyond its text, at most (ShardBudgetTest holds it). */
    static final int ENTRY_OVERHEAD = 400;
    /** What a deflated stream may add over its input (block headers, the gzip trailer), with room to spare. */
    static final int SLACK_BYTES = 1024;

    private final long maxBytes;
    private final ToLongFunction<LWWMap<String, ConnectionRecord>> serializedSize;
    private final long[] exactBytes;
    private final List<Set<ConnectionRecord>> measuredRecords;
    private long measurements;

    /**
     * @param frameBytes     Artery's maximum frame; the budget is three quarters of it
     * @param serializedSize the shard's size as the replicator's serializer writes it
     */
    ShardBudget(long frameBytes, int shards, ToLongFunction<LWWMap<String, ConnectionRecord>> serializedSize) {
        this.maxBytes = frameBytes * 3 / 4;
        this.serializedSize = serializedSize;
        this.exactBytes = new long[shards];
        this.measuredRecords = new ArrayList<>(shards);
        for (int i = 0; i < shards; i++) {
            measuredRecords.add(Set.of());
        }
        Arrays.fill(exactBytes, -1);
    }

    long maxBytes() {
        return maxBytes;
    }

    /** How often a shard was serialized to be measured (tests: the bound spares most of them). */
    long measurements() {
        return measurements;
    }

    /**
     * The size the shard would have with {@code record} added (or replacing the record of the same id), as an upper
     * bound that is at most the budget when it says the record fits; -1 when it does not fit.
     */
    long sizeWith(int shard, LWWMap<String, ConnectionRecord> map, ConnectionRecord record) {
        if (exactBytes[shard] >= 0) {
            Set<ConnectionRecord> measured = measuredRecords.get(shard);
            long[] added = {rawBytes(record)};
            ShardAccess.forEachValue(map, r -> {
                if (!measured.contains(r)) {
                    added[0] += rawBytes(r);
                }
            });
            long bound = exactBytes[shard] + added[0] + SLACK_BYTES;
            if (bound <= maxBytes) {
                return bound;
            }
        }
        LWWMap<String, ConnectionRecord> with = map.put(SIZE_ONLY, record.connectionId(), record);
        measurements++;
        long exact = serializedSize.applyAsLong(with);
        Set<ConnectionRecord> records = Collections.newSetFromMap(new IdentityHashMap<>());
        ShardAccess.forEachValue(with, records::add);
        exactBytes[shard] = exact;
        measuredRecords.set(shard, records);
        return exact + SLACK_BYTES <= maxBytes ? exact + SLACK_BYTES : -1;
    }

    /** Only to measure: the record under this writer is never stored (the map it goes into is thrown away). */
    private static final SelfUniqueAddress SIZE_ONLY = new SelfUniqueAddress(new UniqueAddress(
            new Address("pekko", "size-only", "shard-budget.invalid", 65535), Long.MAX_VALUE));

    /** The shard's records, by their raw size. */
    static long rawBytes(LWWMap<String, ConnectionRecord> shard) {
        long[] sum = {0};
        ShardAccess.forEachValue(shard, record -> sum[0] += rawBytes(record));
        return sum[0];
    }

    /**
     * One record's text as UTF-8 (its id twice: it is the map's key too), plus the overhead. Ids, the token, role,
     * status and address are ASCII by construction (generated, or checked against {@code Ids.VALID_ID}), so their
     * length is their size; only the clients' texts are walked.
     */
    static long rawBytes(ConnectionRecord r) {
        return ENTRY_OVERHEAD + 2L * ascii(r.connectionId()) + ascii(r.sessionId()) + ascii(r.token()) + ascii(r.role())
                + ascii(r.status()) + ascii(r.ip()) + utf8(r.serverData()) + utf8(r.clientData()) + utf8(r.platform());
    }

    private static long ascii(String s) {
        return s == null ? 0 : s.length();
    }

    static long utf8(String s) {
        if (s == null) {
            return 0;
        }
        long n = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                n += c >= 0x800 && !Character.isSurrogate(c) ? 2 : 1;
            }
        }
        return n;
    }
}
