package io.tessera.master.routing;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;

import java.util.Arrays;
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
 * millisecond or more to find for a large shard. So the budget keeps, per shard, the last exact size and the shard's
 * raw size then (its records' text as UTF-8 plus {@link #ENTRY_OVERHEAD} each, a pass over the records' lengths), and
 * takes the exact size plus the raw growth since as the bound: deflating more text never adds more bytes than the
 * text (and a small block overhead, in {@link #SLACK_BYTES}). Only when that bound passes the budget is the shard
 * serialized again. A shard of tokens without data (~64 bytes each deflated, ~540 raw) is measured about once per
 * 300 tokens; one near the budget at every token, which is then refused. The pass over the records costs 30 µs per
 * token at 500 tokens in the shard (50 000 in the cluster; warm JIT, the 2-core reference machine), about 1 % of
 * what a token creation costs the masters there. Used from the replicator's modify functions, which run one at a
 * time on its actor.
 */
final class ShardBudget {
    /** Bytes a connection record adds to a serialized shard beyond its text, at most (ShardBudgetTest holds it). */
    static final int ENTRY_OVERHEAD = 400;
    /** What a deflated stream may add over its input (block headers, the gzip trailer), with room to spare. */
    static final int SLACK_BYTES = 1024;

    private final long maxBytes;
    private final ToLongFunction<LWWMap<String, ConnectionRecord>> serializedSize;
    private final long[] exactBytes;
    private final long[] rawBytesThen;
    private long measurements;

    /**
     * @param frameBytes     Artery's maximum frame; the budget is three quarters of it
     * @param serializedSize the shard's size as the replicator's serializer writes it
     */
    ShardBudget(long frameBytes, int shards, ToLongFunction<LWWMap<String, ConnectionRecord>> serializedSize) {
        this.maxBytes = frameBytes * 3 / 4;
        this.serializedSize = serializedSize;
        this.exactBytes = new long[shards];
        this.rawBytesThen = new long[shards];
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
        long raw = rawBytes(map) + rawBytes(record);
        if (exactBytes[shard] >= 0) {
            long bound = exactBytes[shard] + Math.max(0, raw - rawBytesThen[shard]) + SLACK_BYTES;
            if (bound <= maxBytes) {
                return bound;
            }
        }
        LWWMap<String, ConnectionRecord> with = map.put(SIZE_ONLY, record.connectionId(), record);
        measurements++;
        long exact = serializedSize.applyAsLong(with);
        exactBytes[shard] = exact;
        rawBytesThen[shard] = raw;
        return exact + SLACK_BYTES <= maxBytes ? exact + SLACK_BYTES : -1;
    }

    /** Only to measure: the record under this writer is never stored (the map it goes into is thrown away). */
    private static final SelfUniqueAddress SIZE_ONLY = new SelfUniqueAddress(new UniqueAddress(
            new Address("pekko", "size-only", "shard-budget.invalid", 65535), Long.MAX_VALUE));

    /** The shard's records, by their raw size. */
    static long rawBytes(LWWMap<String, ConnectionRecord> shard) {
        long[] sum = {0};
        RoutingTable.forEachValue(shard, record -> sum[0] += rawBytes(record));
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
